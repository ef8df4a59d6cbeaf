/**
 * Every Redis command the tool awaits gets a deadline. A Redis that stops answering without
 * closing its sockets (a paused process, a network partition) would otherwise leave a stream,
 * and the run, waiting forever: the kernel still accepts the bytes, so no error ever comes.
 * A command that gets no reply in time, or whose connection fails, rejects with an error that
 * names the role, the command and the redacted URL; replies the server sent (ReplyError:
 * WRONGTYPE, NOSCRIPT...) pass through unchanged, since callers act on them.
 */
import { ReplyError } from 'ioredis';
import { monotonicNowMs } from '../../../clock.js';

/** How long a Redis command may go unanswered when the scenario does not say (`broker.commandTimeoutMs`). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;

/**
 * How long a command waits once the run was interrupted (the key cleanup): a Redis that answers
 * at all answers a DEL within it, and a paused one must not hold the stop for full deadlines.
 */
export const INTERRUPTED_CLEANUP_TIMEOUT_MS = 300;

/** Who waits, on which server, and for how long. */
export interface CommandDeadline {
  /** producer, consumer, subscriber, admin… */
  role: string;
  redactedUrl: string;
  timeoutMs: number;
  /** Once this aborts, the command waits at most INTERRUPTED_CLEANUP_TIMEOUT_MS more (from then, or from its start). */
  interruption?: AbortSignal;
}

/** A Redis command failed for want of an answer or a connection (not an error reply). */
export class RedisCommandError extends Error {
  override readonly name = 'RedisCommandError';
}

/**
 * Awaits `reply` for at most `deadline.timeoutMs + extraMs` (extraMs: time the command is meant
 * to wait, such as XREAD BLOCK). `command` is the command's name, for the message.
 */
export function awaitReply<T>(reply: Promise<T>, deadline: CommandDeadline, command: string, extraMs = 0): Promise<T> {
  const { interruption } = deadline;
  const limitMs = interruption?.aborted ? Math.min(INTERRUPTED_CLEANUP_TIMEOUT_MS, deadline.timeoutMs + extraMs) : deadline.timeoutMs + extraMs;
  const name = command.toUpperCase();
  return new Promise<T>((resolve, reject) => {
    const overdue = (waitedMs: number, interrupted: boolean) => () => {
      reject(
        new RedisCommandError(
          `Redis ${deadline.role}: ${name} got no reply from ${deadline.redactedUrl} within ${waitedMs} ms ` +
            (interrupted
              ? '(after an interruption, cleanup waits briefly; keys left expire with their TTL)'
              : '(the server is paused, overloaded or unreachable; broker.commandTimeoutMs sets this deadline)'),
        ),
      );
    };
    let timer = setTimeout(overdue(limitMs, interruption?.aborted ?? false), limitMs);
    // Interrupted while waiting: the rest of the wait shrinks to the cleanup's short deadline.
    const startedMs = monotonicNowMs();
    const onInterruption = () => {
      const elapsedMs = monotonicNowMs() - startedMs;
      if (limitMs - elapsedMs <= INTERRUPTED_CLEANUP_TIMEOUT_MS) return;
      clearTimeout(timer);
      timer = setTimeout(overdue(Math.round(elapsedMs + INTERRUPTED_CLEANUP_TIMEOUT_MS), true), INTERRUPTED_CLEANUP_TIMEOUT_MS);
    };
    if (interruption && !interruption.aborted) interruption.addEventListener('abort', onInterruption, { once: true });
    const settle = () => {
      clearTimeout(timer);
      interruption?.removeEventListener('abort', onInterruption);
    };
    reply.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(namedFailure(error, deadline, name));
      },
    );
  });
}

/** A reply error unchanged; anything else (a closed connection…) named with role, command and URL. */
export function namedFailure(error: unknown, deadline: CommandDeadline, name: string): unknown {
  if (error instanceof ReplyError || error instanceof RedisCommandError) return error;
  const cause = error instanceof Error ? error.message : String(error);
  return new RedisCommandError(`Redis ${deadline.role}: ${name} to ${deadline.redactedUrl} failed: ${cause}`);
}

/** What a connection watched by ConnectionDeadline needs: to be closed when a reply is overdue. */
interface Disconnectable {
  disconnect(): void;
}

/**
 * The deadline of every command on one connection, at a fraction of the cost of a timer per
 * command (this is the hot path: two to three commands per token). Redis answers a
 * connection's commands in the order they were sent, so the oldest unanswered command is the
 * one to watch: each command records the tick of a coarse per-connection clock by which its
 * reply is due (no clock read per command), each reply settles the oldest, and the
 * connection's one timer advances the tick and checks the oldest. When it is overdue the
 * connection is closed, which fails every pending command, and each failure is reported as
 * the timeout of the command that waited longest. A reply is declared overdue between its
 * deadline and one tick (a fifth of the deadline, at most 1 s) later. Not for a Cluster client
 * (its commands go over several node connections): awaitReply there.
 */
export class ConnectionDeadline {
  private readonly dueTicks: number[] = [];
  private readonly names: string[] = [];
  private readonly limits: number[] = [];
  private head = 0;
  private tick = 0;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | null = null;
  /** Set once a reply was overdue: the message every failure on this connection reports. */
  private overdue: RedisCommandError | null = null;

  constructor(
    private readonly connection: Disconnectable,
    private readonly deadline: CommandDeadline,
  ) {
    this.tickMs = Math.max(20, Math.min(1000, deadline.timeoutMs / 5));
  }

  /** The error the connection was closed for (its replies overdue), or null. */
  get expired(): RedisCommandError | null {
    return this.overdue;
  }

  /** Watches `reply` of `command`, sent just now, which may take `extraMs` on purpose (XREAD BLOCK). */
  track<T>(reply: Promise<T>, command: string, extraMs = 0): Promise<T> {
    const limitMs = this.deadline.timeoutMs + extraMs;
    // +1: the tick in progress has partly elapsed already.
    this.dueTicks.push(this.tick + Math.ceil(limitMs / this.tickMs) + 1);
    this.names.push(command);
    this.limits.push(limitMs);
    this.timer ??= setInterval(this.check, this.tickMs).unref();
    return reply.then(this.settled, (error: unknown) => {
      this.settled(undefined);
      throw this.overdue ?? namedFailure(error, this.deadline, command.toUpperCase());
    }) as Promise<T>;
  }

  /** Stops watching (the connection is being closed). */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private readonly settled = <T>(value: T): T => {
    this.head++;
    if (this.head === this.dueTicks.length) {
      this.dueTicks.length = 0;
      this.names.length = 0;
      this.limits.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.dueTicks.splice(0, this.head);
      this.names.splice(0, this.head);
      this.limits.splice(0, this.head);
      this.head = 0;
    }
    return value;
  };

  private readonly check = (): void => {
    this.tick++;
    if (this.head === this.dueTicks.length || this.overdue !== null) return;
    if (this.tick <= this.dueTicks[this.head]!) return;
    this.overdue = new RedisCommandError(
      `Redis ${this.deadline.role}: ${this.names[this.head]!.toUpperCase()} got no reply from ${this.deadline.redactedUrl} ` +
        `within ${this.limits[this.head]} ms (the server is paused, overloaded or unreachable; broker.commandTimeoutMs sets this deadline)`,
    );
    this.stop();
    this.connection.disconnect();
  };
}
