import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awaitReply, ConnectionDeadline, INTERRUPTED_CLEANUP_TIMEOUT_MS, RedisCommandError } from '../src/pipeline/brokers/redis/commandDeadline.js';

const deadline = { role: 'consumer', redactedUrl: 'redis://:***@127.0.0.1:6390', timeoutMs: 1000 };

/** A reply that settles only when told to, as a paused server's would not. */
function pendingReply<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

describe('command deadlines', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('after an interruption a command (the key cleanup) waits the short cleanup deadline, not its full one', async () => {
    const interruption = new AbortController();
    const cleanup = { ...deadline, role: 'admin', timeoutMs: 5000, interruption: interruption.signal };
    // Sent before the interruption: its wait shrinks when the signal comes.
    const before = awaitReply(pendingReply<number>().promise, cleanup, 'del');
    const beforeFailed = expect(before).rejects.toThrow(/^Redis admin: DEL got no reply from .* within 1300 ms \(after an interruption/);
    await vi.advanceTimersByTimeAsync(1000);
    interruption.abort();
    // Sent after it: the short deadline from the start.
    const after = awaitReply(pendingReply<number>().promise, cleanup, 'del');
    const afterFailed = expect(after).rejects.toThrow(`within ${INTERRUPTED_CLEANUP_TIMEOUT_MS} ms (after an interruption`);
    await vi.advanceTimersByTimeAsync(INTERRUPTED_CLEANUP_TIMEOUT_MS - 1);
    let settled = false;
    void Promise.allSettled([before, after]).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await beforeFailed;
    await afterFailed;
    // An answer in time still passes.
    const answered = pendingReply<number>();
    const reply = awaitReply(answered.promise, cleanup, 'del');
    answered.resolve(1);
    await expect(reply).resolves.toBe(1);
  });

  it('ConnectionDeadline: a reply in time passes; an overdue one closes the connection and fails every pending command naming the oldest', async () => {
    const connection = { disconnect: vi.fn() };
    const watch = new ConnectionDeadline(connection, deadline);
    const first = pendingReply<string>();
    const answered = watch.track(first.promise, 'lrange');
    first.resolve('ok');
    await expect(answered).resolves.toBe('ok');

    const stuck = pendingReply<string>();
    const later = pendingReply<string>();
    const stuckReply = watch.track(stuck.promise, 'lrange');
    const laterReply = watch.track(later.promise, 'publish');
    await vi.advanceTimersByTimeAsync(1000);
    expect(connection.disconnect).not.toHaveBeenCalled(); // not before its deadline
    await vi.advanceTimersByTimeAsync(600); // within one check interval (200 ms here) after it
    expect(connection.disconnect).toHaveBeenCalledTimes(1);
    // Closing the connection fails what was pending (ioredis: "Connection is closed.").
    stuck.reject(new Error('Connection is closed.'));
    later.reject(new Error('Connection is closed.'));
    const message = /^Redis consumer: LRANGE got no reply from redis:\/\/:\*\*\*@127\.0\.0\.1:6390 within 1000 ms/;
    await expect(stuckReply).rejects.toThrow(message);
    await expect(laterReply).rejects.toThrow(message);
    expect(watch.expired).toBeInstanceOf(RedisCommandError);
    watch.stop();
  });

  it('ConnectionDeadline: a blocking command gets its own wait on top, and a failure names role, command and URL', async () => {
    const connection = { disconnect: vi.fn() };
    const watch = new ConnectionDeadline(connection, deadline);
    const blocked = pendingReply<null>();
    const reply = watch.track(blocked.promise, 'xread', 3000);
    await vi.advanceTimersByTimeAsync(3900);
    expect(connection.disconnect).not.toHaveBeenCalled();
    blocked.resolve(null);
    await expect(reply).resolves.toBeNull();
    const broken = pendingReply<number>();
    const failed = watch.track(broken.promise, 'rpush');
    broken.reject(new Error('Connection is closed.'));
    await expect(failed).rejects.toThrow('Redis consumer: RPUSH to redis://:***@127.0.0.1:6390 failed: Connection is closed.');
    watch.stop();
  });

  it('awaitReply: a timer per command (Cluster clients)', async () => {
    const never = pendingReply<number>();
    const reply = awaitReply(never.promise, { ...deadline, role: 'admin' }, 'del');
    const assertion = expect(reply).rejects.toThrow(/^Redis admin: DEL got no reply from .* within 1000 ms/);
    await vi.advanceTimersByTimeAsync(1001);
    await assertion;
  });
});
