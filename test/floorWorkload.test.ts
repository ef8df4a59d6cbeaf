/** The floor workload bench:floor runs, and the shape options its probe takes it apart with. */
import { describe, expect, it } from 'vitest';
import { floorScenario, heldPlan, rampSeconds, type ProbeResult } from '../src/bench/floor/floorWorkload.js';

describe('the floor scenario', () => {
  it('is the corrected relay over SSE at 50 tokens/s, started over the floor ramp, when no shape is given', () => {
    const scenario = floorScenario(450, 150);
    const config = scenario.configs[0]!;
    expect(scenario.source).toMatchObject({ type: 'synthetic', tokens: 150, ttftMs: 100, gapMs: 20 });
    expect(config.pipeline.delivery).toMatchObject({ type: 'sse' });
    expect(config.pipeline.broker).toMatchObject({ type: 'redis-list', connections: 'shared' });
    expect(config.load).toMatchObject({ concurrency: 450, streams: 450, rampS: rampSeconds(450) });
  });

  it("takes a probe's first-token delay, ramp and pipeline settings over the floor's", () => {
    const scenario = floorScenario(450, 20, { ttftMs: 1200, rampS: 0.5, workers: 1, pipeline: { delivery: { type: 'direct' } } });
    const config = scenario.configs[0]!;
    expect(scenario.source).toMatchObject({ tokens: 20, ttftMs: 1200 });
    expect(config.load).toMatchObject({ rampS: 0.5, workers: 1 });
    expect(config.pipeline.delivery).toMatchObject({ type: 'direct' });
    expect(config.pipeline.broker).toMatchObject({ connections: 'shared' });
  });

  it("leaves processes to streambench unless a probe pins it (bench:floor's CPU and memory rows pin one process)", () => {
    expect(floorScenario(300, 150).configs[0]!.pipeline.processes).toBeUndefined();
    expect(floorScenario(300, 150, { pipeline: { processes: 'single' } }).configs[0]!.pipeline.processes).toBe('single');
  });

  it('refuses a pipeline setting the scenario schema does not know, naming it', () => {
    expect(() => floorScenario(10, 3, { pipeline: { delivery: { type: 'bogus' } } })).toThrow(/pipeline\.delivery/);
  });
});

describe('held on plan', () => {
  const probe: ProbeResult = {
    tool: 'streambench',
    streams: 300,
    failedStreams: 0,
    failures: [],
    deliveredTokens: 45_000,
    durationMs: 4_000,
    cpuUsPerToken: 80,
    cpuCores: 0.9,
    rssBeforeMB: 100,
    rssPeakMB: 160,
    tpotP50Ms: 20,
    sourceLagP99Ms: 49,
    eventLoopDelayP99Ms: 12,
    threads: 1,
    split: false,
    warnings: [],
  };

  it('needs TPOT p50 within 5 % of plan, source lag p99 under 50 ms and no failed stream; the loop delay is reported, not judged', () => {
    expect(heldPlan(probe)).toBe(true);
    expect(heldPlan({ ...probe, eventLoopDelayP99Ms: 500 })).toBe(true);
    expect(heldPlan({ ...probe, sourceLagP99Ms: 50 })).toBe(false);
    expect(heldPlan({ ...probe, tpotP50Ms: 21.5 })).toBe(false);
    expect(heldPlan({ ...probe, failedStreams: 1 })).toBe(false);
  });
});
