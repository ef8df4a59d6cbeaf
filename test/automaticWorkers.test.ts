import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { withAutomaticProducerProcess, withAutomaticWorkers, workersOfRun } from '../src/load/automaticWorkers.js';
import { harnessShare, loadThreadsOf, workersChoiceNote } from '../src/load/harnessWarnings.js';
import { automaticProducerProcess, automaticWorkers, concurrencyOfShare, plannedStream } from '../src/load/plannedLoad.js';
import { loadThreadsForCores } from '../src/load/threadsForCores.js';
import type { RunEnvironment } from '../src/run/buildPipeline.js';
import { resolveScenario } from '../src/scenario/loadScenario.js';
import { floorScenario, floorSplitsByItself } from '../src/bench/floor/floorWorkload.js';

const floor = (streams: number, workers?: number) => {
  const scenario = floorScenario(streams, 150);
  const config = scenario.configs[0]!;
  return { scenario, config: workers === undefined ? config : { ...config, load: { ...config.load!, workers } } };
};
const environmentOf = (scenario: ReturnType<typeof floorScenario>, overrides: Partial<RunEnvironment> = {}) =>
  ({ runId: 'r', seed: scenario.seed, clock: systemClock, source: null, sourceSettings: scenario.source, redis: null, ...overrides }) as unknown as RunEnvironment;

describe('the load a config plans', () => {
  it("reads a synthetic source's pace from its plans: 150 tokens in 3.08 s (100 ms, then 149 gaps of 20 ms)", () => {
    const stream = plannedStream(floor(1).scenario.source, 16)!;
    expect(stream.tokens).toBe(150);
    expect(stream.seconds).toBeCloseTo(3.08, 5);
  });

  it('counts streams in flight per share, never more than the streams to run', () => {
    const { config } = floor(300);
    expect(concurrencyOfShare(config.load!, { index: 0, count: 1 }, null)).toBe(300);
    expect(concurrencyOfShare(config.load!, { index: 0, count: 2 }, null)).toBe(150);
    expect(concurrencyOfShare({ ...config.load!, streams: 40 }, { index: 0, count: 1 }, null)).toBe(40);
    expect(concurrencyOfShare(undefined, { index: 0, count: 1 }, null)).toBe(1);
  });

  it('needs one thread per 10,000 planned tokens/s, at most one per 1.5 cores', () => {
    const stream = { tokens: 150, seconds: 3 };
    expect(automaticWorkers(floor(100).config.load!, stream, 1, 2)).toEqual({ workers: 1, plannedTokensPerSecond: 5000 });
    expect(automaticWorkers(floor(300).config.load!, stream, 1, 4)).toEqual({ workers: 2, plannedTokensPerSecond: 15000 });
    expect(automaticWorkers(floor(1000).config.load!, stream, 1, 8).workers).toBe(5);
    expect(automaticWorkers(floor(3000).config.load!, stream, 1, 8).workers).toBe(5);
    expect(automaticWorkers(floor(3000).config.load!, stream, 1, 16).workers).toBe(10);
    expect(automaticWorkers(floor(300).config.load!, null, 1, 2)).toEqual({ workers: 1, plannedTokensPerSecond: null });
  });

  it("never spreads by itself on 2 cores: the second core is what one thread's GC, compiler and Redis use", () => {
    const stream = { tokens: 150, seconds: 3 };
    expect(automaticWorkers(floor(300).config.load!, stream, 1, 2)).toEqual({ workers: 1, plannedTokensPerSecond: 15000 });
    expect(automaticWorkers(floor(1000).config.load!, stream, 1, 2).workers).toBe(1);
    expect([1, 2, 3, 4, 6, 8].map(loadThreadsForCores)).toEqual([1, 1, 2, 2, 4, 5]);
  });
});

describe('spreading over worker threads by itself', () => {
  it('spreads a load whose workers were not set and says why; keeps a load whose workers were set', () => {
    const { scenario, config } = floor(300);
    expect(withAutomaticWorkers(config, environmentOf(scenario), 2).choice).toBeNull();
    const chosen = withAutomaticWorkers(config, environmentOf(scenario), 4);
    expect(chosen.config.load!.workers).toBe(2);
    expect(chosen.choice).toEqual({ workersChosenBy: 'streambench', plannedTokensPerSecond: 14610 });
    const set = floor(300, 1);
    expect(withAutomaticWorkers(set.config, environmentOf(set.scenario), 2)).toEqual({ config: set.config, choice: null });
  });

  it('does not spread a light load, one core, a manual clock or a source without a planned pace', () => {
    const light = floor(100);
    expect(withAutomaticWorkers(light.config, environmentOf(light.scenario), 2).choice).toBeNull();
    const { scenario, config } = floor(300);
    expect(withAutomaticWorkers(config, environmentOf(scenario), 1).choice).toBeNull();
    expect(withAutomaticWorkers(config, environmentOf(scenario, { clock: { ...systemClock } }), 4).choice).toBeNull();
    const http = resolveScenario({ name: 'h', source: { type: 'http', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' }, load: { concurrency: 300, streams: 300 } }, 'test', '');
    expect(withAutomaticWorkers(http.configs[0]!, environmentOf(http), 4).choice).toBeNull();
  });

  it('counts the threads a run will use ahead (each warms up on its own): set, chosen or one', () => {
    const set = floor(300, 3);
    expect(workersOfRun(set.config, environmentOf(set.scenario))).toBe(3);
    const light = floor(100);
    expect(workersOfRun(light.config, environmentOf(light.scenario))).toBe(1);
  });

  it('the load table line says streambench chose the threads, and why', () => {
    expect(workersChoiceNote({ workers: 2, workersChosenBy: 'streambench', plannedTokensPerSecond: 14610 })).toBe(
      ' (spread over 2 worker threads by streambench: load.workers was not set and 14,610 tokens/s planned need more than one thread)',
    );
    expect(workersChoiceNote({ workers: 2 })).toBe('');
    expect(workersChoiceNote(undefined)).toBe('');
  });
});

describe('splitting the producer side off by itself', () => {
  it('on 2 cores splits a load that needs more than one thread, and says why', () => {
    const stream = { tokens: 150, seconds: 3 };
    expect(automaticProducerProcess(floor(300).config.load!, stream, 1, 2)).toEqual({ split: true, plannedTokensPerSecond: 15000 });
    const { scenario, config } = floor(300);
    const chosen = withAutomaticProducerProcess(config, environmentOf(scenario), 2);
    expect(chosen.config.pipeline.processes).toBe('split');
    expect(chosen.config.pipeline.broker).toEqual(config.pipeline.broker);
    expect(chosen.choice).toEqual({ processesChosenBy: 'streambench', plannedTokensPerSecond: 14610 });
  });

  it('does not split a light load, where worker threads can spread it, on one core, or without a planned pace', () => {
    const stream = { tokens: 150, seconds: 3 };
    expect(automaticProducerProcess(floor(200).config.load!, stream, 1, 2)).toEqual({ split: false, plannedTokensPerSecond: 10000 });
    expect(automaticProducerProcess(floor(300).config.load!, stream, 1, 4).split).toBe(false);
    expect(automaticProducerProcess(floor(300).config.load!, stream, 1, 1).split).toBe(false);
    expect(automaticProducerProcess(floor(300).config.load!, null, 1, 2)).toEqual({ split: false, plannedTokensPerSecond: null });
    // Sharded, each machine plans its own share.
    expect(automaticProducerProcess(floor(300).config.load!, stream, 2, 2).split).toBe(false);
  });

  it('keeps what the scenario set: processes, workers, a memory broker or a browser client', () => {
    const { scenario, config } = floor(300);
    const environment = environmentOf(scenario);
    for (const pinned of [
      { ...config, pipeline: { ...config.pipeline, processes: 'single' as const } },
      { ...config, load: { ...config.load!, workers: 1 } },
      { ...config, pipeline: { ...config.pipeline, broker: { type: 'memory' as const, read: 'from-index' as const, window: 10 } } },
      { ...config, pipeline: { ...config.pipeline, client: { ...config.pipeline.client, type: 'browser' as const } } },
    ]) {
      expect(withAutomaticProducerProcess(pinned, environment, 2)).toEqual({ config: pinned, choice: null });
    }
    expect(withAutomaticProducerProcess(config, environmentOf(scenario, { clock: { ...systemClock } }), 2).choice).toBeNull();
  });

  it('the load table line and the harness share say the producer side was split off, and why', () => {
    expect(workersChoiceNote({ processesChosenBy: 'streambench', plannedTokensPerSecond: 14610 })).toBe(
      " (producer side in a child process, split by streambench: load.workers and pipeline.processes were not set, 14,610 tokens/s planned need more than one thread, and this machine's cores carry one load thread)",
    );
    const split = { settings: { processes: 'split', load: { processesChosenBy: 'streambench' } } };
    expect(loadThreadsOf(split)).toBe(2);
    expect(loadThreadsOf({ settings: { processes: 'single' } })).toBe(1);
    expect(loadThreadsOf({ settings: { processes: 'split', load: { workers: 3 } } })).toBe(3);
    const load = { toolCpuShare: 1.5 } as Parameters<typeof harnessShare>[0];
    expect(harnessShare(load, 2, 2, true)).toBe("the tool's own share: 1.50 cores, 75 % of the 2 cores its thread and its producer process could use");
    expect(harnessShare(load, 1, 2)).toBe("the tool's own share: 1.50 cores, 150 % of the 1 core its 1 thread could use");
  });

  it('bench:floor knows where streambench splits by itself: above 200 streams of the floor on 2 cores, never on 4', () => {
    expect([100, 200, 250, 300].map((streams) => floorSplitsByItself(streams, 150, 2))).toEqual([false, false, true, true]);
    expect(floorSplitsByItself(300, 150, 4)).toBe(false);
  });
});
