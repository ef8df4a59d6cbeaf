import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { planArrivals } from '../src/load/arrivals.js';
import { loadSettingsSchema } from '../src/scenario/loadSettings.js';
import { runSchedule } from '../src/load/streamScheduler.js';
import { buildPipeline, type RunEnvironment } from '../src/run/buildPipeline.js';
import { runStream } from '../src/run/runStream.js';
import { createSource } from '../src/sources/sourceSettings.js';
import { scenarioFrom } from './helpers/scenario.js';
import { createRandom } from '../src/sources/random.js';
import { firstOf, itemAt, lastOf, leadingOf } from './helpers/indexed.js';

describe('planArrivals', () => {
  it('spaces constant arrivals evenly from 0', () => {
    expect(planArrivals({ count: 4, perSecond: 10, arrivals: 'constant', rampMs: 0, random: createRandom(1) })).toEqual([0, 100, 200, 300]);
  });

  it('draws Poisson gaps with the right mean, reproducibly', () => {
    const plan = () => planArrivals({ count: 5000, perSecond: 50, arrivals: 'poisson', rampMs: 0, random: createRandom(7) });
    const offsets = plan();
    expect(plan()).toEqual(offsets);
    const meanGapMs = lastOf(offsets, 'offsets') / offsets.length;
    expect(meanGapMs).toBeGreaterThan(19);
    expect(meanGapMs).toBeLessThan(21);
  });

  it('stops at the duration', () => {
    const offsets = planArrivals({ count: 100, perSecond: 10, arrivals: 'constant', rampMs: 0, durationMs: 450, random: createRandom(1) });
    expect(offsets).toEqual([0, 100, 200, 300, 400]);
  });

  it('ramps the rate up: early gaps are longer than late ones', () => {
    // 100/s reached after 200 ms: 10 arrivals during the ramp (Λ = 0.1·t²/400), then one per 10 ms.
    const offsets = planArrivals({ count: 50, perSecond: 100, arrivals: 'constant', rampMs: 200, random: createRandom(1) });
    expect(offsets[0]).toBe(0);
    expect(offsets[1]).toBeCloseTo(Math.sqrt(4000), 6);
    expect(offsets[10]).toBeCloseTo(200, 6);
    expect(itemAt(offsets, 49, 'offsets') - itemAt(offsets, 48, 'offsets')).toBeCloseTo(10, 6);
  });
});

describe('load settings', () => {
  it('needs exactly one of concurrency and rate', () => {
    expect(loadSettingsSchema.safeParse({ concurrency: 2 }).success).toBe(true);
    expect(loadSettingsSchema.safeParse({ rate: { perSecond: 5 } }).success).toBe(true);
    expect(loadSettingsSchema.safeParse({}).success).toBe(false);
    expect(loadSettingsSchema.safeParse({ concurrency: 2, rate: { perSecond: 5 } }).success).toBe(false);
  });
});

describe('runSchedule', () => {
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('keeps exactly `concurrency` streams in flight in a closed loop, and starts each index once', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const indexes: number[] = [];
    const outcome = await runSchedule({
      load: { concurrency: 4, rampS: 0 },
      streams: 20,
      firstIndex: 3,
      clock: systemClock,
      seed: 1,
      runOne: async ({ index }) => {
        indexes.push(index);
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await pause(2);
        inFlight--;
      },
    });
    expect(outcome.started).toBe(20);
    expect(mostInFlight).toBe(4);
    expect([...indexes].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index + 3));
  });

  it('runs one at a time without load settings', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    await runSchedule({
      load: null,
      streams: 5,
      firstIndex: 0,
      clock: systemClock,
      seed: 1,
      runOne: async () => {
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        await pause(1);
        inFlight--;
      },
    });
    expect(mostInFlight).toBe(1);
  });

  it('starts open-loop streams on schedule whatever is in flight, with their due time', async () => {
    const starts: { index: number; dueAtMs: number | null }[] = [];
    let mostInFlight = 0;
    let inFlight = 0;
    await runSchedule({
      load: { rate: { perSecond: 200, arrivals: 'constant' }, rampS: 0 },
      streams: 10,
      firstIndex: 0,
      clock: systemClock,
      seed: 1,
      runOne: async (start) => {
        starts.push(start);
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        await pause(30); // longer than the 5 ms between arrivals: streams overlap
        inFlight--;
      },
    });
    expect(starts.map((start) => start.index)).toEqual(Array.from({ length: 10 }, (_, index) => index));
    expect(itemAt(starts, 1, 'starts').dueAtMs! - firstOf(starts, 'starts').dueAtMs!).toBeCloseTo(5, 6);
    expect(mostInFlight).toBeGreaterThan(1);
  });

  it("starts a slot's next stream once its stream is released, while at most one stream per slot is still finishing", async () => {
    const finishTail: (() => void)[] = [];
    const started: number[] = [];
    let unfinished = 0;
    let mostUnfinished = 0;
    const schedule = runSchedule({
      load: { concurrency: 1, rampS: 0 },
      streams: 3,
      firstIndex: 0,
      clock: systemClock,
      seed: 1,
      runOne: async ({ index }, release) => {
        started.push(index);
        mostUnfinished = Math.max(mostUnfinished, ++unfinished);
        release(); // off the wire at once; its tail (final paint, summary) waits for the test
        await new Promise<void>((resolve) => finishTail.push(resolve));
        unfinished--;
      },
    });
    await pause(5);
    // Stream 1 took the released slot; stream 2 waits, because stream 0 is still finishing.
    expect(started).toEqual([0, 1]);
    itemAt(finishTail, 0, 'finishTail')();
    await pause(5);
    expect(started).toEqual([0, 1, 2]);
    itemAt(finishTail, 1, 'finishTail')();
    itemAt(finishTail, 2, 'finishTail')();
    const outcome = await schedule;
    expect(outcome.started).toBe(3);
    expect(mostUnfinished).toBe(2);
  });

  it('stops starting streams when aborted', async () => {
    const controller = new AbortController();
    const outcome = await runSchedule({
      load: { concurrency: 2, rampS: 0 },
      streams: 1000,
      firstIndex: 0,
      clock: systemClock,
      seed: 1,
      signal: controller.signal,
      runOne: async ({ index }) => {
        if (index === 5) controller.abort();
        await pause(1);
      },
    });
    expect(outcome.started).toBeLessThan(10);
  });
});

describe('a stream off the wire', () => {
  it('is released when its delivery is over, before the final paint and before runStream resolves', async () => {
    // A 300 ms trailing debounce paints the text 300 ms after its last token: long after the end
    // item, which follows the last token at once (a frame boundary could fall between the two).
    const scenario = scenarioFrom({
      source: { type: 'synthetic', profile: 'zero-delay', tokens: 20 },
      pipeline: { client: { type: 'lean', render: { strategy: 'debounce', intervalMs: 300 } } },
    });
    const environment: RunEnvironment = { runId: 'test-release', seed: scenario.seed, clock: systemClock, source: await createSource(scenario.source, scenario.seed), redis: null };
    const pipeline = await buildPipeline(firstOf(scenario.configs, 'scenario.configs').pipeline, environment);
    try {
      const releasedAtMs: number[] = [];
      const run = await runStream(pipeline, 0, 'released', undefined, { onDeliveryEnd: () => releasedAtMs.push(systemClock.nowMs()) });
      const resolvedAtMs = systemClock.nowMs();
      expect(run.counts.check.problem).toBeNull();
      expect(releasedAtMs).toHaveLength(1);
      expect(firstOf(releasedAtMs, 'releasedAtMs')).toBeLessThan(resolvedAtMs);
      expect(lastOf([...run.trace.stampsOf('render')].filter(Number.isFinite), 'render stamps')).toBeGreaterThan(firstOf(releasedAtMs, 'releasedAtMs'));
    } finally {
      await pipeline.close();
      await environment.source.close?.();
    }
  });
});

describe('a scenario under load', () => {
  it('runs the requested number of concurrent streams with exact text, and reports throughput', async () => {
    const { loadScenarioFile } = await import('../src/scenario/loadScenario.js');
    const { runScenario } = await import('../src/run/runScenario.js');
    const document = await runScenario(await loadScenarioFile('test/fixtures/load-closed.yaml'));
    const [closed, open] = leadingOf(document.configs, 2, 'document.configs');
    expect(closed.state).toBe('completed');
    expect(closed.iterations).toHaveLength(24);
    // Each measured stream keeps its start-order number (the tool's messages name streams by it), warm-ups apart.
    expect(closed.iterations.map((sample) => sample.stream).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 24 }, (_, index) => index + 1));
    expect(closed.load).toMatchObject({ mode: 'closed-loop', streamsStarted: 24, streamsFailed: 0 });
    expect(closed.load!.deliveredTokensPerSecond).toBeGreaterThan(0);
    expect(closed.metrics!.counters.tokensPerStream).toBe(40);
    expect(closed.metrics!.counters.duplicateEventsPerStream).toBe(0);
    // Render cost under load: measured streams 0, 8 and 16 (1 in 8) measure every render of theirs, the others none.
    expect(closed.metrics!.counters.rendersPerStream).toBe(41);
    expect(closed.metrics!.renderMs!.n).toBe(3 * 41);
    expect(open.state).toBe('completed');
    expect(open.iterations).toHaveLength(20);
    expect(open.load).toMatchObject({ mode: 'open-loop', streamsStarted: 20 });
    expect(open.load!.startDelayMs!.n).toBe(20);
  });
});

describe('endpoint faults under load', () => {
  it('counts 429s and malformed chunks per config and never crashes', async () => {
    const { loadScenarioFile } = await import('../src/scenario/loadScenario.js');
    const { runScenario } = await import('../src/run/runScenario.js');
    const document = await runScenario(await loadScenarioFile('test/fixtures/faults-under-load.yaml'));
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('errored');
    expect(config.load!.streamsStarted).toBe(30);
    // Every stream either failed with the 429 or completed with exact text (the delivery check passed).
    expect(config.load!.streamsFailed + config.iterations.length).toBe(30);
    expect(config.load!.streamsFailed).toBeGreaterThan(0);
    expect(config.iterations.length).toBeGreaterThan(0);
    expect(config.message).toMatch(/streams failed \(of 30 measured\): stream \d+: HTTP 429/);
    expect(config.metrics!.counters.malformedLinesPerStream).toBeGreaterThan(0);
  });
});
