import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { outcomeOf } from '../src/report/decisionSummary.js';
import { decisionExitCode, decisionJson } from '../src/cli/gateOutput.js';
import { parseRules } from '../src/stats/rules.js';
import { renderComparisonMarkdown } from '../src/report/markdown.js';
import { renderVerdictTable } from '../src/report/verdictTable.js';
import { verdictsToCsv } from '../src/report/csv.js';
import { bootstrapMedianDifference } from '../src/stats/bootstrap.js';
import { comparabilityProblem, streamPairing } from '../src/stats/comparability.js';
import { ComparisonInputError, decideComparison } from '../src/stats/decideComparison.js';
import { gateSchema } from '../src/stats/gateSchema.js';
import { checkGateInputs, defaultGates, GateSyntaxError, parseGateFlags, parseThreshold } from '../src/stats/gates.js';
import { evaluateGates, type GateDecision } from '../src/stats/gateVerdicts.js';
import { type MetricVerdict, wordDecision, wordVerdict } from '../src/report/gateWording.js';
import { coefficientOfVariation, madOutliers, median, medianAbsoluteDeviation } from '../src/stats/sampleStats.js';
import { configWithStreams, outcomeLine, runOf, type StreamShape, unwrapped } from './helpers/gateFixtures.js';
import { summaryOf } from './helpers/resultFixtures.js';
import { scenarioFrom } from './helpers/scenario.js';
import { firstOf, itemAt } from './helpers/indexed.js';

const SHAPE: StreamShape = { streams: 12, p99Ms: 30, spreadMs: 10, jitterMs: 1, runSeed: 1, counters: { jsonOpsPerToken: 2, eventsPerToken: 1.0125 } };

/** Two runs of the same code: the same streams, different run-to-run jitter. */
function sameCodeRuns(shape: Partial<StreamShape> = {}) {
  const base = runOf([configWithStreams('a', { ...SHAPE, ...shape, runSeed: 1 }), configWithStreams('b', { ...SHAPE, ...shape, p99Ms: 60, runSeed: 2 })], 'base');
  const head = runOf([configWithStreams('a', { ...SHAPE, ...shape, runSeed: 3 }), configWithStreams('b', { ...SHAPE, ...shape, p99Ms: 60, runSeed: 4 })], 'head');
  return { base, head };
}

/** The verdict of `config` × `metric`, worded as compare prints it. */
const find = (verdicts: GateDecision[], config: string, metric: string): MetricVerdict => {
  const found = verdicts.find((verdict) => verdict.config === config && verdict.metric === metric);
  if (!found) throw new Error(`no verdict for ${config} ${metric}`);
  return wordVerdict(found);
};

describe('sample statistics', () => {
  it('median, MAD, CV and MAD outliers on known values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(medianAbsoluteDeviation([1, 2, 3, 4, 100])).toBe(1);
    expect(madOutliers([10, 11, 9, 10, 12, 10, 50])).toEqual([6]);
    expect(madOutliers([7, 7, 7, 8])).toEqual([3]); // MAD 0: anything off the median stands out
    expect(coefficientOfVariation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138 / 5, 3);
    expect(coefficientOfVariation([0, 0])).toBeNull();
  });
});

describe('bootstrap CI of the difference of medians', () => {
  const base = [10, 12, 11, 13, 9, 10, 12, 11];
  it('is deterministic for a seed and brackets a known shift', () => {
    const head = base.map((value) => value + 5);
    const first = bootstrapMedianDifference(base, head, { paired: true, seed: 7 });
    expect(bootstrapMedianDifference(base, head, { paired: true, seed: 7 })).toEqual(first);
    // Paired and shifted by exactly 5: every resample's difference is 5.
    expect([first.estimate, first.low, first.high]).toEqual([5, 5, 5]);
    const unpaired = bootstrapMedianDifference(base, head, { paired: false, seed: 7 });
    expect(unpaired.low).toBeLessThan(5);
    expect(unpaired.high).toBeGreaterThan(5);
    expect(unpaired.estimate).toBe(5);
  });

  it('refuses paired samples of different lengths', () => {
    expect(() => bootstrapMedianDifference([1, 2], [1], { paired: true, seed: 1 })).toThrow(/equal lengths/);
  });
});

describe('gates', () => {
  it('parses allowances and --gate flags, and names the fix for bad ones', () => {
    expect(parseThreshold('10%')).toEqual({ value: 10, relative: true });
    expect(parseThreshold('+2.5%')).toEqual({ value: 2.5, relative: true });
    expect(parseThreshold('5ms')).toEqual({ value: 5, relative: false });
    expect(parseThreshold(3)).toEqual({ value: 3, relative: false });
    expect(() => parseThreshold('lots')).toThrow(/percentage of the base value \(10%\)/);
    expect(parseGateFlags('tokenLatencyP99Ms:15%,counters.eventsPerToken')).toEqual([
      { metric: 'tokenLatencyP99Ms', maxIncrease: { value: 15, relative: true }, configs: null, origin: 'flag' },
      { metric: 'counters.eventsPerToken', maxIncrease: null, configs: null, origin: 'flag' },
    ]);
    expect(() => parseGateFlags('tokenLatencyP99:10%')).toThrow(GateSyntaxError);
    expect(() => parseGateFlags('tokenLatencyP99:10%')).toThrow(/--gate "tokenLatencyP99:10%": expected METRIC\[:MAX_INCREASE\]/);
    expect(gateSchema.safeParse({ metric: 'tokenLatencyP99Ms', maxIncrease: '10%' }).success).toBe(true);
    expect(gateSchema.safeParse({ metric: 'latency', maxIncrease: '10%' }).success).toBe(false);
    expect(gateSchema.safeParse({ metric: 'e2eMs', maxIncrase: '10%' }).success).toBe(false);
  });

  it("a result file's recorded gates are checked without zod by the same rules as gateSchema", () => {
    const lists: unknown[] = [
      [],
      [{ metric: 'tokenLatencyP99Ms', maxIncrease: '10%' }, { metric: 'counters.jsonOpsPerToken' }],
      [{ metric: 'e2eMs', maxIncrease: 5, configs: ['a', 'b'] }],
      [
        { metric: 'e2eMs', maxIncrease: '+2.5%' },
        { metric: 'ttftMs', maxIncrease: '5ms' },
        { metric: 'ttftMs', maxIncrease: '.5' },
      ],
      [{ metric: 'latency' }],
      [{ metric: 'e2eMs', maxIncrase: '10%' }],
      [{ metric: 'e2eMs', maxIncrease: 'ten' }],
      [{ metric: 'e2eMs', maxIncrease: -1 }],
      [{ metric: 'e2eMs', configs: [] }],
      [{ metric: 'e2eMs', configs: [1] }],
      [{ metric: 'e2eMs', configs: 'a' }],
      [{ metric: 5 }],
      [{}],
      [null],
      [['e2eMs']],
      { metric: 'e2eMs' },
      'e2eMs',
    ];
    for (const list of lists) {
      const checked = checkGateInputs(list);
      expect('gates' in checked, JSON.stringify(list)).toBe(gateSchema.array().safeParse(list).success);
    }
    expect(checkGateInputs([{ metric: 'e2eMs' }, { metric: 'e2eMs', maxIncrease: 'ten' }])).toEqual({
      problem: 'gates[1].maxIncrease: write a percentage (10%) or an amount (5, 5ms)',
    });
    expect(checkGateInputs([{ metric: 'p99' }])).toEqual({ problem: expect.stringMatching(/^gates\[0\]\.metric: not a gate metric: use one of ttftMs, /) });
  });

  it('a scenario may carry gates; a bad one is an error naming the field', () => {
    const scenario = scenarioFrom({ gates: [{ metric: 'tokenLatencyP99Ms', maxIncrease: '10%' }, { metric: 'counters.jsonOpsPerToken' }] });
    expect(scenario.gates).toEqual([{ metric: 'tokenLatencyP99Ms', maxIncrease: '10%' }, { metric: 'counters.jsonOpsPerToken' }]);
    expect(() => scenarioFrom({ gates: [{ metric: 'tokenLatencyP99Ms', maxIncrease: 'ten' }] })).toThrow(/test\.yaml: gates\[0\]\.maxIncrease: /);
    expect(() => scenarioFrom({ gates: [{ metric: 'p99' }] })).toThrow(/test\.yaml: gates\[0\]\.metric: not a gate metric: use one of ttftMs, /);
  });

  it('default gates leave out counters that are not costs', () => {
    const metrics = defaultGates(['eventsPerToken', 'tokensPerStream', 'cpuUsPerToken']).map((gate) => gate.metric);
    expect(metrics).not.toContain('counters.cpuUsPerToken');
    expect(metrics).toContain('counters.eventsPerToken');
    expect(metrics).toContain('tokenLatencyP99Ms');
    expect(metrics).not.toContain('counters.tokensPerStream');
  });
});

describe('statistical gate', () => {
  it('two runs of the same code compare as unchanged on every gate', () => {
    const { base, head } = sameCodeRuns();
    const decision = decideComparison(base, head, { flagGates: [], rules: [] });
    expect(decision.report.pairing.paired).toBe(true);
    expect(decision.regressed).toBe(false);
    const verdicts = decision.report.verdicts;
    expect(verdicts.length).toBe(2 * (5 + 2)); // 5 time metrics with samples (render ones are null) + 2 counters, per config
    expect(verdicts.filter((verdict) => verdict.verdict !== 'unchanged')).toEqual([]);
    expect(find(verdicts, 'a', 'counters.jsonOpsPerToken').reason).toBe('counted 2 in both runs');
  });

  it('flags an injected 8 ms slowdown on the token-latency metrics of the slowed config only', () => {
    const { base } = sameCodeRuns();
    const head = runOf([configWithStreams('a', { ...SHAPE, runSeed: 3, slowdownMs: 8 }), configWithStreams('b', { ...SHAPE, p99Ms: 60, runSeed: 4 })], 'head');
    const decision = decideComparison(base, head, { flagGates: parseGateFlags('tokenLatencyP99Ms:10%,ttftMs:10%'), rules: [] });
    const verdicts = decision.report.verdicts;
    const slowed = find(verdicts, 'a', 'tokenLatencyP99Ms');
    expect(slowed.verdict).toBe('regressed');
    expect(slowed.change).toBeGreaterThan(7);
    expect(slowed.change).toBeLessThan(9);
    expect(slowed.interval!.low).toBeGreaterThan(slowed.allowed!);
    // 10 % of a 30 ms p99 is 3 ms, below the 5 ms floor for tail metrics.
    expect(slowed.allowed).toBe(5);
    expect(slowed.reason).toMatch(/lies above the allowed ±5\.00 \(10% of base, raised to the 5\.00 ms minimum effect\)$/);
    // 8 ms on a 300 ms TTFT is under its 10 %: not a regression there.
    expect(find(verdicts, 'a', 'ttftMs').verdict).toBe('unchanged');
    expect(find(verdicts, 'b', 'tokenLatencyP99Ms').verdict).toBe('unchanged');
    expect(decision.regressed).toBe(true);
    expect(verdicts.filter((verdict) => verdict.verdict === 'regressed').map((verdict) => `${verdict.config} ${verdict.metric}`)).toEqual(['a tokenLatencyP99Ms']);
  });

  it('flags a counter change exactly, with the counted values in the reason', () => {
    const { base } = sameCodeRuns();
    const head = runOf(
      [configWithStreams('a', { ...SHAPE, runSeed: 3, counters: { jsonOpsPerToken: 3, eventsPerToken: 1.0125 } }), configWithStreams('b', { ...SHAPE, p99Ms: 60, runSeed: 4 })],
      'head',
    );
    const verdicts = decideComparison(base, head, { flagGates: [], rules: [] }).report.verdicts;
    const jsonOps = find(verdicts, 'a', 'counters.jsonOpsPerToken');
    expect(jsonOps).toMatchObject({ verdict: 'regressed', method: 'exact', base: 2, head: 3, change: 1, relativeChange: 0.5, allowed: 0 });
    expect(jsonOps.reason).toBe('counted 2 → 3 (+1, +50.0%): more than the allowed increase of 0');
    expect(find(verdicts, 'a', 'counters.eventsPerToken').verdict).toBe('unchanged');
    expect(find(verdicts, 'b', 'counters.jsonOpsPerToken').verdict).toBe('unchanged');
  });

  it('decides a counter that moves with timing statistically, not exactly', () => {
    const timing = { eventsPerToken: [0.4, 0.3875, 0.4, 0.4, 0.4125, 0.4, 0.3875, 0.4, 0.4, 0.4125, 0.4, 0.4] };
    const shuffled = { eventsPerToken: [0.4, 0.4, 0.3875, 0.4, 0.4, 0.4125, 0.4, 0.4, 0.3875, 0.4, 0.4125, 0.4] };
    const base = runOf([configWithStreams('a', { ...SHAPE, varyingCounters: timing })], 'base');
    const head = runOf([configWithStreams('a', { ...SHAPE, runSeed: 2, varyingCounters: shuffled })], 'head');
    const verdict = find(evaluateGates(base, head, parseGateFlags('counters.eventsPerToken')).verdicts, 'a', 'counters.eventsPerToken');
    expect(verdict.method).toBe('bootstrap-paired');
    // The streams differ between runs, but the medians agree; a timing counter is allowed 5 % unless the gate says.
    expect(verdict.verdict).toBe('unchanged');
    expect(verdict.reason).toMatch(
      /^moves with timing from stream to stream \(timer batching, renders\); median 0\.400 → 0\.400 \(0, 0\.0%\); 95% CI \[0, 0\] within ±0\.0200 \(5% of base\)$/,
    );
    const strict = find(evaluateGates(base, head, parseGateFlags('counters.eventsPerToken:0')).verdicts, 'a', 'counters.eventsPerToken');
    expect(strict).toMatchObject({ verdict: 'unchanged', allowed: 0 });
  });

  it('is inconclusive with too few samples, or when the CI straddles the allowed change', () => {
    const few = sameCodeRuns({ streams: 3 });
    const tooFew = find(evaluateGates(few.base, few.head, parseGateFlags('tokenLatencyP99Ms')).verdicts, 'a', 'tokenLatencyP99Ms');
    expect(tooFew.verdict).toBe('inconclusive');
    expect(tooFew.reason).toBe('too few samples (base 3, head 3; at least 5 needed): run with --streams 10');
    // Jitter far above the allowance: a 3 ms slowdown on a 15 ms metric with a 10 % gate cannot be told apart.
    const base = runOf([configWithStreams('a', { ...SHAPE, jitterMs: 12 })], 'base');
    const head = runOf([configWithStreams('a', { ...SHAPE, jitterMs: 12, runSeed: 9, slowdownMs: 3 })], 'head');
    const noisy = find(evaluateGates(base, head, parseGateFlags('tokenLatencyP50Ms')).verdicts, 'a', 'tokenLatencyP50Ms');
    expect(noisy.verdict).toBe('inconclusive');
    expect(noisy.reason).toMatch(/straddles the allowed increase \+1\.\d+: too noisy to tell$/);
    expect(noisy.warnings.some((warning) => warning.startsWith('likely to flap'))).toBe(true);
  });

  it('does not blame the code for a slowdown in a run whose own event loop was held up', () => {
    const { base } = sameCodeRuns();
    const head = runOf([configWithStreams('a', { ...SHAPE, runSeed: 3, slowdownMs: 8 }), configWithStreams('b', { ...SHAPE, p99Ms: 60, runSeed: 4 })], 'head');
    firstOf(base.configs, 'base.configs').metrics!.eventLoopDelayMs = summaryOf(5.2, { p99: 10.8 });
    firstOf(head.configs, 'head.configs').metrics!.eventLoopDelayMs = summaryOf(5.2, { p99: 45.9 });
    const verdict = find(evaluateGates(base, head, parseGateFlags('tokenLatencyP99Ms')).verdicts, 'a', 'tokenLatencyP99Ms');
    expect(verdict.verdict).toBe('inconclusive');
    expect(verdict.reason).toMatch(
      /^the head run was disturbed \(event-loop delay p99 45\.9 ms in head vs 10\.8 ms in base\): would be regressed, but the machine, not the code, may explain it; re-run on a quiet machine\. median /,
    );
    // 1.5× but under the probe's 5 ms resolution: not a disturbance.
    firstOf(base.configs, 'base.configs').metrics!.eventLoopDelayMs = summaryOf(5.2, { p99: 6 });
    firstOf(head.configs, 'head.configs').metrics!.eventLoopDelayMs = summaryOf(5.2, { p99: 10 });
    expect(find(evaluateGates(base, head, parseGateFlags('tokenLatencyP99Ms')).verdicts, 'a', 'tokenLatencyP99Ms').verdict).toBe('regressed');
  });

  it("the default scenario's debounced render p99s are shown as informational, and the rest of the quick start's comparison decides", () => {
    // Same code twice: the debounced field baseline's per-stream render p99s flap by tens of ms
    // (its worst wait hinges on whether a ~16 ms gap beat the debounce), the other config's hold.
    const flapping = { base: [120, 180, 95, 210, 140, 160], head: [190, 100, 170, 120, 230, 105] };
    const shape = { ...SHAPE, streams: 6 };
    const run = (side: 'base' | 'head', runSeed: number) => {
      const field = configWithStreams('field-baseline', { ...shape, runSeed });
      field.iterations.forEach((sample, index) => {
        sample.renderLatencyP99Ms = itemAt(flapping[side], index, 'flapping');
        sample.stalenessP99Ms = itemAt(flapping[side], index, 'flapping') - 1;
      });
      // The seed's 50 ms debounce flaps the same way.
      const proposed = configWithStreams('seed-proposed', { ...shape, runSeed: runSeed + 5 });
      proposed.iterations.forEach((sample, index) => {
        sample.renderLatencyP99Ms = itemAt(flapping[side], index, 'flapping') + 30;
        sample.stalenessP99Ms = itemAt(flapping[side], index, 'flapping') + 29;
      });
      const corrected = configWithStreams('seed-corrected', { ...shape, runSeed: runSeed + 10 });
      corrected.iterations.forEach((sample) => {
        sample.renderLatencyP99Ms = 40;
        sample.stalenessP99Ms = 17;
      });
      return runOf([field, proposed, corrected], side);
    };
    const base = run('base', 1);
    const head = run('head', 2);
    const defaultScenario = parseYaml(readFileSync(new URL('../scenarios/default.yaml', import.meta.url), 'utf8')) as { gates: unknown[] };
    head.scenario.settings.gates = defaultScenario.gates;
    const decision = decideComparison(base, head, { flagGates: [], rules: [] });
    // The data cannot decide them: they stay inconclusive, shown apart with the reason.
    expect(decision.report.informational.map((verdict) => [verdict.config, verdict.metric, verdict.verdict])).toEqual([
      ['field-baseline', 'renderLatencyP99Ms', 'inconclusive'],
      ['field-baseline', 'stalenessP99Ms', 'inconclusive'],
      ['seed-proposed', 'renderLatencyP99Ms', 'inconclusive'],
      ['seed-proposed', 'stalenessP99Ms', 'inconclusive'],
    ]);
    // Everything else keeps the default gates, the other config's render p99s included.
    expect(decision.report.verdicts.some((verdict) => verdict.config === 'field-baseline' && verdict.metric === 'renderLatencyP99Ms')).toBe(false);
    expect(find(decision.report.verdicts, 'field-baseline', 'tokenLatencyP99Ms').verdict).toBe('unchanged');
    expect(find(decision.report.verdicts, 'seed-corrected', 'renderLatencyP99Ms').verdict).toBe('unchanged');
    expect(decision.report.verdicts.some((verdict) => verdict.metric === 'counters.jsonOpsPerToken')).toBe(true);
    expect(outcomeOf(wordDecision(decision)).mark).toBe('✓');
    const text = renderVerdictTable(decision, { width: 200 });
    expect(text).toContain('i informational, not gated: field-baseline renderLatencyP99Ms inconclusive, field-baseline stalenessP99Ms inconclusive — a trailing 16 ms debounce');
    expect(text).toContain('i informational, not gated: seed-proposed renderLatencyP99Ms inconclusive, seed-proposed stalenessP99Ms inconclusive — a trailing 50 ms debounce');
    expect(outcomeLine(text)).toMatch(/^✓ no regression: 23 unchanged; 4 informational verdicts not gated \(above\) \(/);
    expect(renderComparisonMarkdown(decision, { base: 'a.json', head: 'b.json' })).toContain('- ℹ informational, not gated: field-baseline renderLatencyP99Ms inconclusive');
    // A --gate on the metric decides it after all (and here the data cannot).
    const flagged = decideComparison(base, head, { flagGates: parseGateFlags('renderLatencyP99Ms'), rules: [] });
    expect(find(flagged.report.verdicts, 'field-baseline', 'renderLatencyP99Ms').verdict).toBe('inconclusive');
    expect(outcomeOf(wordDecision(flagged)).mark).toBe('?');
  });

  it('treats a config that errored in head as a regression', () => {
    const { base, head } = sameCodeRuns();
    head.configs[1] = { ...itemAt(head.configs, 1, 'head.configs'), state: 'errored', message: 'text mismatch at 12', metrics: null };
    const decision = decideComparison(base, head, { flagGates: [], rules: [] });
    expect(find(decision.report.verdicts, 'b', 'state')).toMatchObject({ verdict: 'regressed', reason: 'head errored: text mismatch at 12' });
    expect(decision.regressed).toBe(true);
  });

  it('refuses documents that do not match, saying which configs', () => {
    const { base, head } = sameCodeRuns();
    head.configs = [firstOf(head.configs, 'head.configs')];
    expect(comparabilityProblem(base, head, { base: 'a.json', head: 'b.json' })).toBe(
      'the configs do not match (only in a.json: b); compare runs of the same scenario version, or re-run the baseline',
    );
    expect(() => decideComparison(base, head, { flagGates: [], rules: [] })).toThrow(ComparisonInputError);
    const other = sameCodeRuns().head;
    other.scenario.name = 'other';
    expect(comparabilityProblem(base, other)).toMatch(/base is a run of scenario "fixture" but head of "other"/);
    expect(() => decideComparison(base, sameCodeRuns().head, { flagGates: parseGateFlags('counters.nope'), rules: [] })).toThrow(
      /no config in either file measured "counters.nope"/,
    );
  });

  it('pairs streams only when seed, warm-up and source agree', () => {
    const { base, head } = sameCodeRuns();
    expect(streamPairing(base, head).paired).toBe(true);
    head.scenario.settings.seed = 43;
    expect(streamPairing(base, head)).toEqual({ paired: false, reason: 'streams not paired: seed differ between the runs, so stream i is not the same stream in both' });
  });

  it('uses the gates recorded in the head run before the defaults', () => {
    const { base, head } = sameCodeRuns();
    head.scenario.settings.gates = [{ metric: 'e2eMs', maxIncrease: '5%', configs: ['a'] }];
    const decision = decideComparison(base, head, { flagGates: [], rules: [] });
    expect(decision.report.verdicts.map((verdict) => `${verdict.config} ${verdict.metric} ${verdict.gate}`)).toEqual(['a e2eMs 5%']);
  });
});

describe('comparison output', () => {
  it('markdown matches the fixture', () => {
    const { base } = sameCodeRuns();
    const head = runOf(
      [
        configWithStreams('a', { ...SHAPE, runSeed: 3, slowdownMs: 8, counters: { jsonOpsPerToken: 3, eventsPerToken: 1.0125 } }),
        configWithStreams('b', { ...SHAPE, p99Ms: 60, runSeed: 4 }),
      ],
      'head',
    );
    const decision = decideComparison(base, head, { flagGates: parseGateFlags('tokenLatencyP99Ms:10%,counters.jsonOpsPerToken'), rules: [] });
    const markdown = renderComparisonMarkdown(decision, { base: 'base.json', head: 'head.json' });
    // UPDATE_FIXTURES=1 rewrites the fixture after a deliberate change of the format; review its diff.
    if (process.env.UPDATE_FIXTURES === '1') writeFileSync('test/fixtures/compare.md', markdown);
    expect(markdown).toBe(readFileSync('test/fixtures/compare.md', 'utf8'));
    const csv = verdictsToCsv(decision.report.verdicts).split('\r\n');
    expect(csv[0]).toBe('config,metric,verdict,method,base,head,change,relativeChange,ciLow,ciHigh,allowed,gate,baseSamples,headSamples,baseCv,headCv,reason,warnings');
    expect(csv[2]).toMatch(/^a,counters\.jsonOpsPerToken,regressed,exact,2,3,1,0\.5,,,0,0,1,1,,,"counted 2 → 3 \(\+1, \+50\.0%\): more than the allowed increase of 0",$/);
  });
});

describe('compare --allow-partial: a partial head run', () => {
  const shape = { streams: 10, p99Ms: 30, spreadMs: 10, jitterMs: 1, counters: { jsonOpsPerToken: 2 } };
  const base = runOf([configWithStreams('a', { ...shape, runSeed: 1 }), configWithStreams('b', { ...shape, runSeed: 2 })], 'base');
  // Interrupted during config a: b never ran.
  const cut = { ...configWithStreams('a', { ...shape, runSeed: 3 }), state: 'interrupted' as const, message: 'interrupted after 10 measured streams' };
  const head = { ...runOf([cut], 'head'), interrupted: true };

  it('compares the streams the partial config measured, and names the config it never reached without a check mark', () => {
    const decision = decideComparison(base, head, { flagGates: [], rules: [], names: { base: 'base.json', head: 'head.json' } });
    expect(decision.report.verdicts.filter((verdict) => verdict.config === 'a' && verdict.metric !== 'state').length).toBeGreaterThan(0);
    const text = renderVerdictTable(decision);
    expect(unwrapped(text)).toContain('! not compared, only in base: b');
    expect(outcomeLine(text)).toMatch(/^\? undecided: 1 config not compared \(in one run only\); decided: \d+ \(\d+ unchanged\), no regression among them/);
  });

  it('never passes by rules alone over a config it did not compare, and --fail-on-inconclusive fails then; --json names it', () => {
    const rulesOnly = decideComparison(base, head, { flagGates: [], rules: parseRules('counters.jsonOpsPerToken>+200%'), defaultGates: false });
    expect(outcomeLine(renderVerdictTable(rulesOnly))).toMatch(/^\? undecided/);
    const gated = decideComparison(base, head, { flagGates: [], rules: [] });
    expect(decisionExitCode(gated, true)).toBe(1);
    expect(decisionJson(gated)).toMatchObject({ onlyInBase: ['b'], onlyInHead: [] });
  });

  it('still refuses configs missing from a whole run', () => {
    expect(() => decideComparison(base, { ...head, interrupted: false }, { flagGates: [], rules: [] })).toThrow(/the configs do not match \(only in base: b\)/);
  });
});
