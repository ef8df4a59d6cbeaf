import { describe, expect, it } from 'vitest';
import { dominates, paretoFront, recommend } from '../src/stats/pareto.js';
import { gridPoints, parseParamFlag, parseRawScenario, planSweep, pointName } from '../src/sweep/sweepGrid.js';
import { ScenarioError } from '../src/input/scenarioError.js';

const SCENARIO = `
name: grid
source: { type: synthetic, profile: zero-delay, tokens: 20 }
pipeline: { batch: { mode: timer, size: 5, timeoutMs: 25 } }
variants:
  - name: plain
  - name: sse
    pipeline: { delivery: { type: sse } }
sweep:
  params: { batch.size: [1, 5], client.render.strategy: [every, frame] }
`;

describe('sweep grid', () => {
  it('parses --param values as numbers, booleans or strings', () => {
    expect(parseParamFlag('batch.size=1, 2,5')).toEqual({ path: 'batch.size', values: [1, 2, 5] });
    expect(parseParamFlag('batch.merge=true,false')).toEqual({ path: 'batch.merge', values: [true, false] });
    expect(parseParamFlag('batch.mode=seed,timer')).toEqual({ path: 'batch.mode', values: ['seed', 'timer'] });
    expect(() => parseParamFlag('size=1')).toThrow(/expected a pipeline field path and values, e\.g\. --param batch\.size=1,2,5,10/);
  });

  it('builds every combination, the first parameter varying slowest, with readable names', () => {
    const params = [parseParamFlag('batch.size=1,2'), parseParamFlag('batch.timeoutMs=10,25')];
    expect(gridPoints(params)).toEqual([
      { 'batch.size': 1, 'batch.timeoutMs': 10 },
      { 'batch.size': 1, 'batch.timeoutMs': 25 },
      { 'batch.size': 2, 'batch.timeoutMs': 10 },
      { 'batch.size': 2, 'batch.timeoutMs': 25 },
    ]);
    expect(pointName({ 'batch.size': 1, 'batch.timeoutMs': 10 })).toBe('size-1_timeoutMs-10');
    expect(pointName({ 'client.render.intervalMs': 16.7, 'batch.intervalMs': 5 })).toBe('client.render.intervalMs-16.7_batch.intervalMs-5');
  });

  it('applies the sweep: block to the base pipeline, or flags to a variant, validated like the scenario', () => {
    const raw = parseRawScenario(SCENARIO, 'grid.yaml');
    const fromBlock = planSweep(raw, 'grid.yaml', 'hash', []);
    expect(fromBlock.scenario.name).toBe('grid-sweep');
    expect(fromBlock.scenario.configs.map((config) => [config.name, config.pipeline.batch.size, config.pipeline.client.render.strategy, config.pipeline.delivery.type])).toEqual([
      ['size-1_strategy-every', 1, 'every', 'direct'],
      ['size-1_strategy-frame', 1, 'frame', 'direct'],
      ['size-5_strategy-every', 5, 'every', 'direct'],
      ['size-5_strategy-frame', 5, 'frame', 'direct'],
    ]);
    const fromVariant = planSweep(raw, 'grid.yaml', 'hash', [parseParamFlag('batch.timeoutMs=10,50')], 'sse');
    expect(fromVariant.scenario.configs.map((config) => [config.pipeline.batch.timeoutMs, config.pipeline.batch.mode, config.pipeline.delivery.type])).toEqual([
      [10, 'timer', 'sse'],
      [50, 'timer', 'sse'],
    ]);
  });

  it('sweeps load fields too (a concurrency sweep), keeping the rest of the load block', () => {
    const raw = parseRawScenario(
      `${SCENARIO.replace('sweep:\n  params: { batch.size: [1, 5], client.render.strategy: [every, frame] }\n', '')}load: { concurrency: 2, streams: 8, rampS: 1 }\n`,
      'grid.yaml',
    );
    const plan = planSweep(raw, 'grid.yaml', 'hash', [parseParamFlag('load.concurrency=1,4,8')]);
    expect(plan.scenario.configs.map((config) => [config.name, config.load])).toEqual([
      ['concurrency-1', expect.objectContaining({ concurrency: 1, streams: 8, rampS: 1 })],
      ['concurrency-4', expect.objectContaining({ concurrency: 4, streams: 8, rampS: 1 })],
      ['concurrency-8', expect.objectContaining({ concurrency: 8, streams: 8, rampS: 1 })],
    ]);
    expect(() => planSweep(raw, 'grid.yaml', 'hash', [parseParamFlag('load.concurrency=0')])).toThrow(/^--param load\.concurrency=0: load\.concurrency: /);
    expect(() => planSweep(raw, 'grid.yaml', 'hash', [parseParamFlag('load.mode=a')])).toThrow(
      '--param load.mode: "mode" is not a load field a sweep can vary; fields: concurrency, streams, durationS, rampS, workers',
    );
    const noLoad = parseRawScenario(SCENARIO, 'grid.yaml');
    expect(() => planSweep(noLoad, 'grid.yaml', 'hash', [parseParamFlag('load.concurrency=1,2')])).toThrow(/has no load block; add one/);
  });

  it('rejects unknown paths, groups, bad values and unknown variants with the fix', () => {
    const raw = parseRawScenario(SCENARIO, 'grid.yaml');
    const fails = (params: string[], variant?: string) => () => planSweep(raw, 'grid.yaml', 'hash', params.map(parseParamFlag), variant);
    expect(fails(['client.render.strategy=every,sometimes'])).toThrow(ScenarioError);
    expect(fails(['client.render.strategy=every,sometimes'])).toThrow(/^--param client\.render\.strategy=sometimes: client\.render\.strategy: /);
    expect(fails(['batch=1'])).toThrow('--param "batch=1": expected a pipeline field path and values, e.g. --param batch.size=1,2,5,10');
    expect(fails(['client.render=1'])).toThrow(
      '--param client.render: names a group of fields (strategy, intervalMs), not one value; sweep one of them, e.g. client.render.strategy',
    );
    expect(fails(['batch.size=1'], 'nope')).toThrow('grid.yaml: no variant named "nope" to sweep from; variants: plain, sse');
    expect(fails(['batch.size=1', 'batch.size=2'])).toThrow('--param batch.size is given twice; list all its values in one --param');
    expect(fails(['batch.size=1,0'])).toThrow(/^--param batch\.size=0: batch\.size: Too small: expected number to be >=1/);
    const withoutBlock = { ...raw, sweep: undefined };
    expect(() => planSweep(withoutBlock, 'grid.yaml', 'hash', [])).toThrow(
      'grid.yaml: nothing to sweep: pass --param PATH=V1,V2 (e.g. --param batch.size=1,2,5,10) or add a sweep: block to the scenario',
    );
  });
});

describe('Pareto front and recommendation', () => {
  const outcomes = [
    { id: 'fast-chatty', tokenLatencyP99Ms: 10, eventsPerToken: 1, cpuUsPerToken: 30 },
    { id: 'near-fast-lean', tokenLatencyP99Ms: 10.8, eventsPerToken: 0.3, cpuUsPerToken: 12 },
    { id: 'slow-leanest', tokenLatencyP99Ms: 40, eventsPerToken: 0.2, cpuUsPerToken: 10 },
    { id: 'dominated', tokenLatencyP99Ms: 41, eventsPerToken: 0.5, cpuUsPerToken: 20 },
  ];

  it('keeps the points nothing beats on all three objectives', () => {
    expect(dominates([1, 1, 1], [1, 2, 1])).toBe(true);
    expect(dominates([1, 1, 1], [1, 1, 1])).toBe(false);
    expect(paretoFront(outcomes.map((o) => ({ id: o.id, objectives: [o.tokenLatencyP99Ms, o.eventsPerToken, o.cpuUsPerToken] })))).toEqual([
      'fast-chatty',
      'near-fast-lean',
      'slow-leanest',
    ]);
  });

  it('recommends the cheapest front point within the latency budget, and says why', () => {
    expect(recommend(outcomes, { value: 10, relative: true })).toEqual({
      id: 'near-fast-lean',
      reason: 'token latency p99 10.8 ms, within 10% of the best (10 ms at fast-chatty), with 0.3 events per token instead of 1',
    });
    expect(recommend(outcomes, { value: 5, relative: true })!.id).toBe('fast-chatty');
    expect(recommend(outcomes, { value: 50, relative: false })!.id).toBe('slow-leanest');
    expect(recommend([], { value: 10, relative: true })).toBeNull();
  });

  it('keeps the lowest latency when a cheaper point is cheaper only within the stream-to-stream spread', () => {
    // As measured: size 10 clearly faster (per-stream p99 11.09–11.14 against 11.35–13.5 ms), its events per token not told apart.
    const size5 = {
      id: 'size-5',
      tokenLatencyP99Ms: 11.6,
      eventsPerToken: 0.762,
      cpuUsPerToken: 1,
      spread: { streams: 2, tokenLatencyP99Ms: [11.35, 13.5] as [number, number], eventsPerToken: [0.75, 0.775] as [number, number] },
    };
    const size10 = {
      id: 'size-10',
      tokenLatencyP99Ms: 11.1,
      eventsPerToken: 0.775,
      cpuUsPerToken: 1,
      spread: { streams: 2, tokenLatencyP99Ms: [11.09, 11.14] as [number, number], eventsPerToken: [0.75, 0.8] as [number, number] },
    };
    const pick = recommend([size5, size10], { value: 10, relative: true })!;
    expect(pick.id).toBe('size-10');
    expect(pick.reason).toMatch(
      /^the lowest token latency p99 \(11\.1 ms\), with 0\.775 events per token: no setting within 10% of it sends fewer beyond the stream-to-stream spread/,
    );
    // Fewer events beyond the spread: then the cheaper point is the pick.
    const leaner = { ...size5, eventsPerToken: 0.5, spread: { ...size5.spread, eventsPerToken: [0.45, 0.55] as [number, number] } };
    expect(recommend([leaner, size10], { value: 10, relative: true })!.id).toBe('size-5');
    // Tied on latency: the fewer events is the best itself, and no "beyond the spread" is claimed for a difference within it.
    const tied = recommend(
      [
        { ...size10, id: 'first' },
        { ...size10, id: 'second', eventsPerToken: 0.76 },
      ],
      { value: 10, relative: true },
    )!;
    expect(tied.id).toBe('second');
    expect(tied.reason).not.toMatch(/fewer beyond the stream-to-stream spread\)/);
  });
});
