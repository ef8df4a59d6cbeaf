import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedisServer, type PrivateRedisServer } from '../src/pipeline/brokers/redis/privateServer.js';
import { runScenario } from '../src/run/runScenario.js';
import { scenarioFrom } from './helpers/scenario.js';
import { firstOf } from './helpers/indexed.js';

// A Redis that stops answering without closing its sockets (SIGSTOP on a private server this
// file starts; never the shared one): every awaited command has a deadline, so the run ends.
let server: PrivateRedisServer | null = null;
beforeAll(async () => {
  server = await startPrivateRedisServer();
  if (!server && process.env.CI === 'true') throw new Error('CI needs redis-server on PATH for the frozen-Redis test');
});
afterAll(async () => {
  if (server) process.kill(server.pid, 'SIGCONT');
  await server?.stop();
});

const brokers = [
  { type: 'redis-list', write: 'fire-and-forget' },
  { type: 'redis-list', write: 'awaited', read: 'window-catchup' },
  { type: 'redis-stream', blockMs: 200 },
  { type: 'redis-pubsub' },
  { type: 'redis-list', connections: 'shared' },
];

describe('a Redis that stops answering', () => {
  it.each(brokers)(
    'fails the stream naming role, command and URL, and ends the run (%o)',
    async (broker) => {
      if (!server) return;
      const scenario = scenarioFrom({
        iterations: 1,
        warmup: 0,
        source: { type: 'synthetic', tokens: 400, ttftMs: 5, gapMs: 4 },
        variants: [{ name: 'frozen', pipeline: { broker: { ...broker, commandTimeoutMs: 300 } } }],
      });
      // Pause the server once the stream is under way (the run has sent a few commands; a fixed delay
      // could fire before a busy machine's run even connected); resume it after the run ended.
      const pause = pauseOnceBusy(server);
      try {
        const document = await runScenario(scenario, { redis: server.url });
        const config = firstOf(document.configs, 'document.configs');
        expect(config.state).toBe('errored');
        expect(config.message).toMatch(/^stream 1: Redis (shared )?(producer|consumer|subscriber): [A-Z]+ got no reply from redis:\/\/127\.0\.0\.1:\d+ within \d+ ms/);
      } finally {
        await pause.stop();
        process.kill(server.pid, 'SIGCONT');
      }
    },
    20_000,
  );
});

/** SIGSTOPs `redis` once clients other than this watcher have sent 10 commands (polled every 10 ms, for at most 10 s). */
function pauseOnceBusy(redis: PrivateRedisServer): { stop(): Promise<void> } {
  const watcher = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  let polls = 0;
  let baseline: number | null = null;
  let done = false;
  const processed = async () => Number(/total_commands_processed:(\d+)/.exec(await watcher.info('stats'))?.[1] ?? 0);
  const watching = (async () => {
    const deadline = Date.now() + 10_000;
    while (!done && Date.now() < deadline) {
      const total = await processed();
      polls++;
      baseline ??= total;
      // Each poll is itself one command.
      if (total - baseline - polls >= 10) {
        process.kill(redis.pid, 'SIGSTOP');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      done = true;
      process.kill(redis.pid, 'SIGCONT');
      await watching.catch(() => {});
      watcher.disconnect();
    },
  };
}
