import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { loadScenarioFile } from '../src/scenario/loadScenario.js';
import { runScenario } from '../src/run/runScenario.js';
import { redisUrlForTests } from './helpers/redisUrl.js';
import { firstOf, itemAt, leadingOf } from './helpers/indexed.js';

// Worker threads run the built dist/load/loadWorker.js, which `npm test` builds first.
describe('load.workers', () => {
  it('spreads the streams over worker threads and merges them into the counts of one thread', async () => {
    const scenario = await loadScenarioFile('test/fixtures/load-workers.yaml');
    const document = await runScenario({ ...scenario, configs: scenario.configs.slice(0, 3) }, { redis: 'off' });
    const [oneThread, workers, openLoop] = leadingOf(document.configs, 3, 'document.configs');
    for (const config of [oneThread, workers, openLoop]) expect(config.state, config.message).toBe('completed');

    expect(workers.iterations).toHaveLength(12);
    expect(workers.load).toMatchObject({ mode: 'closed-loop', streamsStarted: 12, streamsFailed: 0 });
    expect(workers.settings.load).toMatchObject({ workers: 3, concurrency: 6 });
    // Every stream delivered exactly, and the same streams give the same exact counters.
    const countersOf = (config: typeof workers) => {
      const { cpuUsPerToken: _cpu, ...exact } = config.metrics!.counters;
      return exact;
    };
    expect(countersOf(workers)).toEqual(countersOf(oneThread));
    expect(workers.metrics!.counters.missingMessagesPerStream).toBe(0);
    expect(workers.metrics!.tokenLatencyMs!.n).toBe(oneThread.metrics!.tokenLatencyMs!.n);
    expect(workers.metrics!.ttftMs!.n).toBe(12);
    // Per-stream samples carry the stream's own counters, for the gate.
    expect(workers.iterations.every((sample) => sample.counters?.tokensPerStream === 30)).toBe(true);
    expect(workers.tokenLatencyPercentilesMs).toHaveLength(101);
    expect(workers).not.toHaveProperty('snapshot');

    expect(openLoop.iterations).toHaveLength(10);
    expect(openLoop.load!.startDelayMs!.n).toBe(10);
  });

  it('keeps each worker on its own Redis keys: warm-ups of the same stream index never mix, nothing is left behind', async () => {
    const url = await redisUrlForTests();
    if (url === null) return;
    const scenario = await loadScenarioFile('test/fixtures/load-workers.yaml');
    const document = await runScenario({ ...scenario, configs: [itemAt(scenario.configs, 3, 'scenario.configs')] }, { redis: url });
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state, config.message).toBe('completed');
    expect(config.iterations).toHaveLength(8);
    expect(config.metrics!.counters.redisCommandsPerToken).toBeGreaterThan(0);
    const redis = new Redis(url);
    try {
      expect(await redis.keys(`streambench:${document.runId}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('refuses a manual clock with a clear message', async () => {
    const scenario = await loadScenarioFile('test/fixtures/load-workers.yaml');
    const document = await runScenario({ ...scenario, configs: [itemAt(scenario.configs, 1, 'scenario.configs')] }, { clock: new ManualClock() });
    expect(document.configs[0]).toMatchObject({ state: 'errored', message: 'load.workers needs the system clock' });
  });
});
