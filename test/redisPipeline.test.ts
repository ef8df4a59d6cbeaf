import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../src/run/runScenario.js';
import { loadScenarioFile } from '../src/scenario/loadScenario.js';
import { runCliInProcess } from './helpers/cli.js';
import { redisUrlForTests } from './helpers/redisUrl.js';
import { firstOf } from './helpers/indexed.js';

const url = await redisUrlForTests();

/** Keys left under a run's prefix. */
async function keysOfRun(redis: Redis, runId: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `streambench:${runId}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

describe.skipIf(url === null)('pipelines through a real Redis', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(url!);
  });
  afterAll(() => redis.quit());

  it('runs every preset through Redis with exact text and leaves no key behind', async () => {
    const document = await runScenario(await loadScenarioFile('test/fixtures/redis-presets.yaml'), { redis: url! });
    expect(document.configs.map((config) => [config.name, config.state, config.message])).toEqual([
      ['field-baseline', 'completed', undefined],
      ['seed-proposed', 'completed', undefined],
      ['seed-corrected', 'completed', undefined],
      ['stream', 'completed', undefined],
    ]);
    const fieldBaseline = firstOf(document.configs, 'document.configs').metrics!.counters;
    // Per message: RPUSH + PUBLISH + one LRANGE per signal, plus per stream EXPIRE, SUBSCRIBE,
    // the catch-up LRANGE and the end item's RPUSH, PUBLISH, LRANGE and control PUBLISH.
    expect(fieldBaseline.redisCommandsPerToken).toBeGreaterThan(3);
    expect(fieldBaseline.redisCommandsPerToken).toBeLessThan(3.2);
    expect(await keysOfRun(redis, document.runId)).toEqual([]);
  });

  it('--redis with an unreachable URL exits 2 with a clear message and no stack trace', async () => {
    const result = await runCliInProcess(['run', 'test/fixtures/redis-presets.yaml', '--no-save', '--redis', 'redis://:hunter2@127.0.0.1:1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^streambench: --redis: .*127\.0\.0\.1:1/m);
    expect(result.stderr).not.toMatch(/hunter2|\n\s+at /);
  });

  it('--redis off skips the Redis configs with a message, and a run that measured nothing exits 3', async () => {
    const result = await runCliInProcess(['run', 'test/fixtures/redis-presets.yaml', '--no-save', '--json', '--redis', 'off']);
    // Every config needs Redis: nothing was measured, which is not a success.
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/nothing was measured in \S+: no config completed/);
    const document = JSON.parse(result.stdout);
    expect(document.configs.every((config: { state: string }) => config.state === 'skipped')).toBe(true);
    expect(document.configs[0].message).toMatch(/--redis off/);
  });

  it('SIGINT stops the run, saves a valid partial file marked interrupted, and deletes every key', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'streambench-sigint-'));
    const out = join(folder, 'partial.json');
    const child = spawn(process.execPath, ['dist/cli.js', 'run', 'test/fixtures/slow-redis.yaml', '--out', out, '--redis', url!], {
      stdio: 'ignore',
    });
    // Interrupt once the first config is done (its partial file is written) and the second is under way.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (existsSync(out)) {
          clearInterval(timer);
          setTimeout(resolve, 100);
        }
      }, 20);
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    const document = JSON.parse(readFileSync(out, 'utf8'));
    expect(document.interrupted).toBe(true);
    expect(document.configs[0].name).toBe('first');
    expect(document.configs[0].iterations).toHaveLength(3);
    expect(await keysOfRun(redis, document.runId)).toEqual([]);
  });
});
