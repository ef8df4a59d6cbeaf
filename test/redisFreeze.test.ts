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
      // Pause the server once the stream is under way; resume it after the run ended.
      const pause = setTimeout(() => process.kill(server!.pid, 'SIGSTOP'), 400);
      try {
        const document = await runScenario(scenario, { redis: server.url });
        const config = firstOf(document.configs, 'document.configs');
        expect(config.state).toBe('errored');
        expect(config.message).toMatch(/^stream 1: Redis (shared )?(producer|consumer|subscriber): [A-Z]+ got no reply from redis:\/\/127\.0\.0\.1:\d+ within \d+ ms/);
      } finally {
        clearTimeout(pause);
        process.kill(server.pid, 'SIGCONT');
      }
    },
    20_000,
  );
});
