/**
 * `--redis auto` falls back (private redis-server, then the memory broker) only when nothing
 * was configured; a REDIS_URL that does not answer is an error. Nothing here touches the shared
 * Redis on 6379: the default address is moved to a closed port.
 */
import { describe, expect, it } from 'vitest';
import { RedisSetupError, resolveRedis } from '../src/pipeline/brokers/redis/connection.js';
import { planBroker } from '../src/run/memoryFallback.js';
import { loadScenarioFile } from '../src/scenario/loadScenario.js';

const CLOSED = 'redis://127.0.0.1:1';

describe('resolveRedis auto', () => {
  it('with nothing configured and nothing found, says noneFound (the memory broker may step in)', async () => {
    const resolution = await resolveRedis('auto', { PATH: '/nonexistent', STREAMBENCH_DEFAULT_REDIS_URL: CLOSED });
    expect(resolution).toEqual({
      skipped: expect.stringMatching(/^Redis configs skipped: nothing answered at redis:\/\/127\.0\.0\.1:1 and redis-server is not on PATH\./),
      noneFound: true,
    });
  });

  it('refuses a REDIS_URL that does not answer, naming REDIS_URL and the fix', async () => {
    const error = await resolveRedis('auto', { PATH: '/nonexistent', REDIS_URL: CLOSED }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RedisSetupError);
    expect((error as Error).message).toMatch(/^REDIS_URL \(redis:\/\/127\.0\.0\.1:1\) did not answer \(.+\)\. Start that Redis or correct REDIS_URL; or unset it/);
  });

  it('refuses a malformed STREAMBENCH_DEFAULT_REDIS_URL', async () => {
    await expect(resolveRedis('auto', { STREAMBENCH_DEFAULT_REDIS_URL: 'localhost:1' })).rejects.toThrow(/^STREAMBENCH_DEFAULT_REDIS_URL must be a redis:\/\//);
  });
});

describe('planBroker', () => {
  it('moves the redis configs to the memory broker only for noneFound, not for --redis off', async () => {
    const scenario = await loadScenarioFile('test/fixtures/tiny.yaml');
    const fallback = planBroker(scenario.configs, 'auto', { skipped: 'Redis configs skipped: nothing answered at x. Provide one…', noneFound: true });
    expect(fallback.context).toMatchObject({ broker: 'memory' });
    expect(fallback.configs.map((config) => ('skipped' in config ? 'skipped' : config.pipeline.broker.type))).toEqual(['memory', 'memory']);
    const off = planBroker(scenario.configs, 'auto', { skipped: 'Redis configs skipped: --redis off.' });
    expect(off.context).toBeUndefined();
    expect(off.redis).toEqual({ skipped: 'Redis configs skipped: --redis off.' });
  });
});
