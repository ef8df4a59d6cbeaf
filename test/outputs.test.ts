/**
 * Outputs a user can act on: tables that fit the terminal, warnings grouped by kind, a compare
 * outcome that never shows a check mark over undecided verdicts, stalled streams left out,
 * sweeps that refuse inert fields and recommend only beyond the noise, axes that reach past
 * their data, and the small things (plurals, Anthropic base URLs, the Redis line).
 */
import { describe, expect, it } from 'vitest';
import { linearTicks } from '../src/report/charts/svg.js';
import { fitTable } from '../src/report/fitTable.js';
import { redisNote } from '../src/report/redisNote.js';
import type { ConfigResult, ResultDocument } from '../src/result/resultSchema.js';
import { collectWarnings } from '../src/stats/runWarnings.js';
import { renderWarningBlock } from '../src/report/warningBlock.js';
import { renderSummaryTable, renderScenarioCountersTable } from '../src/report/tables.js';
import { terminalWidth } from '../src/report/terminalWidth.js';
import { renderVerdictTable } from '../src/report/verdictTable.js';
import { renderComparisonMarkdown } from '../src/report/markdown.js';
import { undecidedLines } from '../src/report/decisionSummary.js';
import { type MetricVerdict, wordVerdict } from '../src/report/gateWording.js';
import { StallMonitor } from '../src/probes/stallMonitor.js';
import { onMemoryBroker } from '../src/run/memoryFallback.js';
import { loadScenarioFile } from '../src/scenario/loadScenario.js';
import { ScenarioError } from '../src/input/scenarioError.js';
import { endpointUrl } from '../src/sources/http/upstreamRequest.js';
import { decideComparison } from '../src/stats/decideComparison.js';
import { parseGateFlags } from '../src/stats/gates.js';
import { noiseProblem, recommend, type SweepOutcome } from '../src/stats/pareto.js';
import { parseRules } from '../src/stats/rules.js';
import { parseRawScenario, planSweep } from '../src/sweep/sweepGrid.js';
import { ProgressLog, type ProgressState } from '../src/cli/progress.js';
import { readFileSync } from 'node:fs';
import { configWithStreams, outcomeLine, runOf } from './helpers/gateFixtures.js';
import { completedConfig, failedConfig, metricsOf, resultDocument, summaryOf } from './helpers/resultFixtures.js';
import { firstOf, itemAt } from './helpers/indexed.js';

/** The widest line of a text. */
const widest = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));

const wideDoc = resultDocument([
  completedConfig(
    'a-rather-long-config-name',
    metricsOf({
      ttftMs: summaryOf(465.2),
      tokenLatencyMs: summaryOf(0.953),
      itlMs: summaryOf(11.3),
      e2eMs: summaryOf(1419),
      stalenessMs: summaryOf(143),
      counters: { eventsPerToken: 1.01, bytesPerToken: 320.4, jsonOpsPerToken: 11.1, cpuUsPerToken: 1567.8, rendersPerStream: 21.3 },
    }),
  ),
  failedConfig('skipped-one', 'skipped', 'Redis configs skipped: nothing answered at redis://127.0.0.1:6379 and redis-server is not on PATH'),
]);

describe('tables that fit', () => {
  it('fit 120 columns by default, say which columns they hid, and show everything with --wide', () => {
    const wide = renderSummaryTable(wideDoc, { wide: true });
    expect(widest(wide)).toBeGreaterThan(120); // the old default
    const fitted = renderSummaryTable(wideDoc);
    expect(widest(fitted)).toBeLessThanOrEqual(120);
    expect(fitted).toMatch(/\(4 columns hidden to fit 120 columns: state, ITL p50 \(ms\), e2e p50 \(ms\), CPU µs \/token; --wide shows all\)$/);
    // The headline numbers stay; the skipped config still shows its state in its message.
    expect(fitted).toContain('465');
    expect(fitted).toContain('skipped: Redis configs skipped');
    const narrow = renderSummaryTable(wideDoc, { width: 80 });
    expect(widest(narrow)).toBeLessThanOrEqual(80);
  });

  it('hides nothing and adds no note when the table fits', () => {
    const table = fitTable(
      [
        { head: 'a', align: 'left' },
        { head: 'b', align: 'right', dropOrder: 1 },
      ],
      [['x', '1']],
      { width: 120 },
    );
    expect(table).not.toContain('hidden');
    expect(table.split('\n')[1]).toBe('│ a │ b │');
  });

  it('takes the width from COLUMNS, else the terminal, else 120', () => {
    expect(terminalWidth({ isTTY: true, columns: 90 }, { COLUMNS: '100' })).toBe(100);
    expect(terminalWidth({ isTTY: true, columns: 90 }, {})).toBe(90);
    expect(terminalWidth({ isTTY: false }, {})).toBe(120);
  });

  it('prints the counters a scenario names in columns:, a dash where a config has none', () => {
    const doc: ResultDocument = { ...wideDoc, scenario: { ...wideDoc.scenario, settings: { columns: ['jsonOpsPerToken', 'jsonCacheEntries'] } } };
    const table = renderScenarioCountersTable(doc);
    // A counter's name breaks before its unit: narrower columns.
    expect(table.split('\n')[1]).toMatch(/│ config\s+│\s+jsonOps │\s+jsonCacheEntries │/);
    expect(table.split('\n')[2]).toMatch(/│\s+│\s+PerToken │\s+│/);
    expect(table).toMatch(/a-rather-long-config-name │\s+11\.1 │\s+— │/);
    expect(renderScenarioCountersTable(wideDoc)).toBe('');
    // Many counters fit the width by hiding the rightmost ones, and say so.
    const many = [
      'redisCommandsPerToken',
      'redisRoundTripsPerToken',
      'redisBytesWrittenPerToken',
      'redisBytesReadPerToken',
      'brokerSignalsPerToken',
      'brokerItemsReadPerToken',
      'jsonOpsPerToken',
      'eventsPerToken',
      'bytesPerToken',
    ];
    const crowded = renderScenarioCountersTable({ ...wideDoc, scenario: { ...wideDoc.scenario, settings: { columns: many } } }, { width: 80 });
    expect(Math.max(...crowded.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
    expect(crowded).toMatch(/redisCommands/);
  });
});

describe('warnings', () => {
  const noisy = (name: string, values: number[]): ConfigResult => ({
    ...completedConfig(name, metricsOf()),
    iterations: values.map((value) => ({ ttftMs: value, e2eMs: 1000, tokenLatencyP50Ms: 1, tokenLatencyP99Ms: 5, itlP50Ms: 10, tokens: 80 })),
    warnings: [`the tool's event loop stalled for up to ${values.length * 10} ms during measured stream 1 (of 3, the longest in stream 1): …`],
  });
  const doc = resultDocument([noisy('one', [100, 300, 900]), noisy('two', [100, 500, 1000]), noisy('three', [100, 110, 120])]);

  it('print one line per kind with its count and worst instance; --verbose prints each', () => {
    const warnings = collectWarnings(doc);
    const kinds = new Set(warnings.map((warning) => warning.kind));
    expect(kinds).toEqual(new Set(['tool stall', 'noisy metric', 'too few streams for compare']));
    const block = renderWarningBlock(warnings, { width: 200 });
    const lines = block.split('\n');
    expect(lines[0]).toBe(`warnings: ${warnings.length} in 3 kinds (--verbose lists each; all are in the result file's "warnings")`);
    expect(lines).toHaveLength(4);
    expect(block).toMatch(/! noisy metric ×2 \(2 configs\), worst: one ttftMs: CV 96% over 3 streams/);
    expect(block).toMatch(/! tool stall ×3 \(3 configs\), worst: one the tool's event loop stalled for up to 30 ms/);
    const verbose = renderWarningBlock(warnings, { width: 200, verbose: true });
    expect(verbose.split('\n')).toHaveLength(warnings.length + 1);
  });
});

describe("compare's outcome", () => {
  const shape = { p99Ms: 20, spreadMs: 4, jitterMs: 0.5, counters: { eventsPerToken: 1 } };

  it('is "undecided" with its cause, never a check mark, when nothing was decided; one line per cause', () => {
    const base = runOf([configWithStreams('a', { ...shape, streams: 3, runSeed: 1 }), configWithStreams('b', { ...shape, streams: 3, runSeed: 2 })], 'base');
    const head = runOf([configWithStreams('a', { ...shape, streams: 3, runSeed: 3 }), configWithStreams('b', { ...shape, streams: 3, runSeed: 4 })], 'head');
    const decision = decideComparison(base, head, { flagGates: [], rules: [], defaultGates: true });
    const text = renderVerdictTable(decision, { width: 160 });
    expect(text).not.toContain('✓');
    const undecided = text.split('\n').filter((line) => line.startsWith('? undecided ('));
    expect(undecided).toHaveLength(1);
    expect(undecided[0]).toMatch(
      /^\? undecided \(too few streams\): 10 verdicts — a, b × ttftMs, tokenLatencyP50Ms, tokenLatencyP99Ms and 2 more — base 3, head 3 streams per config, at least 5/,
    );
    // The decided are counted apart: the undecided never read as if among them.
    expect(outcomeLine(text)).toMatch(/^\? undecided: 10 of 12 verdicts \(too few streams\); decided: 2 \(2 unchanged\), no regression among them \(/);
    expect(renderComparisonMarkdown(decision, { base: 'b.json', head: 'h.json' })).toMatch(/^### streambench compare: \? undecided: 10 of 12 verdicts/);
  });

  it('names counts that move with timing as a cause of their own, apart from noisy timings', () => {
    const verdict = (config: string, metric: string): MetricVerdict =>
      ({
        config,
        metric,
        verdict: 'inconclusive',
        reason: `${metric.startsWith('counters.') ? 'moves with timing from stream to stream (timer batching, renders); ' : ''}median 0.725 → 0.725 (0, 0.0%); 95% CI [0, +0.0375] straddles the allowed increase +0.0363: too noisy to tell`,
        method: 'bootstrap',
        base: 0.725,
        head: 0.725,
        change: 0,
        relativeChange: 0,
        interval: { low: 0, high: 0.0375, confidence: 0.95 },
        allowed: 0.0363,
        gate: '5%',
        samples: { base: 5, head: 5 },
        cv: { base: 0.05, head: 0.05 },
        outliers: { base: 0, head: 0 },
        warnings: [],
      }) as MetricVerdict;
    const lines = undecidedLines([
      verdict('seed-proposed', 'counters.redisCommandsPerToken'),
      verdict('seed-proposed', 'counters.eventsPerToken'),
      verdict('seed-proposed', 'tokenLatencyP50Ms'),
    ]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^undecided \(counts that move with timing\): 2 verdicts — seed-proposed × counters\.redisCommandsPerToken, counters\.eventsPerToken — the same streams gave different counts in the two runs \(batches closed by timers\)/,
    );
    expect(lines[0]).toContain('(--gate counters.<name>:10%)');
    expect(lines[1]).toMatch(/^undecided \(too noisy\): 1 verdict — seed-proposed × tokenLatencyP50Ms — the confidence interval straddles/);
  });

  it('shows the check mark only when every verdict was decided', () => {
    const base = runOf([configWithStreams('a', { ...shape, streams: 10, runSeed: 1 })], 'base');
    const head = runOf([configWithStreams('a', { ...shape, streams: 10, runSeed: 2 })], 'head');
    const text = renderVerdictTable(decideComparison(base, head, { flagGates: [], rules: [], defaultGates: true }));
    expect(outcomeLine(text)).toMatch(/^✓ no regression: 6 unchanged/);
  });

  it('does not call a counter that moved in a single stream pair a regression: one pair cannot tell timing from a change', () => {
    const one = (runSeed: number, events: number) =>
      runOf([configWithStreams('a', { ...shape, streams: 1, runSeed, counters: {}, varyingCounters: { eventsPerToken: [events] } })], `run-${runSeed}`);
    const decision = decideComparison(one(1, 0.225), one(2, 0.2375), { flagGates: parseGateFlags('counters.eventsPerToken'), rules: [] });
    expect(decision.regressed).toBe(false);
    expect(decision.report.verdicts[0]).toMatchObject({ verdict: 'inconclusive' });
    expect(wordVerdict(firstOf(decision.report.verdicts, 'verdicts')).reason).toMatch(/too few samples \(base 1, head 1/);
  });

  it("leaves out of TTFT, e2e and p99 verdicts the streams the tool's own stalls disturbed, and says so", () => {
    const base = runOf([configWithStreams('a', { ...shape, streams: 6, runSeed: 1 })], 'base');
    const head = runOf([configWithStreams('a', { ...shape, streams: 6, runSeed: 2 })], 'head');
    // A 200 ms stall during head's stream 2 moved its TTFT by 70 ms: a false alarm before.
    const headIterations = firstOf(head.configs, 'head.configs').iterations;
    itemAt(headIterations, 1, 'head iterations').ttftMs! += 70;
    itemAt(headIterations, 1, 'head iterations').toolStallMs = 200;
    itemAt(headIterations, 2, 'head iterations').ttftMs! += 70;
    itemAt(headIterations, 2, 'head iterations').toolStallMs = 200;
    itemAt(headIterations, 3, 'head iterations').ttftMs! += 70;
    itemAt(headIterations, 3, 'head iterations').toolStallMs = 200;
    const gated = decideComparison(base, head, { flagGates: parseGateFlags('ttftMs,tokenLatencyP50Ms'), rules: [] });
    const ttft = wordVerdict(gated.report.verdicts.find((verdict) => verdict.metric === 'ttftMs')!);
    expect(ttft.samples).toEqual({ base: 3, head: 3 });
    expect(ttft.reason).toMatch(
      /^3 streams left out: the tool's own event loop stalled during them for at least the allowed change \([\d.]+ ms; 0 in base, 3 in head\); too few samples/,
    );
    // A p50 is hardly moved by one stall: its streams all stay.
    expect(gated.report.verdicts.find((verdict) => verdict.metric === 'tokenLatencyP50Ms')!.samples).toEqual({ base: 6, head: 6 });
  });
});

describe('the stall probe', () => {
  it('reports the longest stall overlapping a stream, 0 when none', () => {
    let now = 0;
    const monitor = new StallMonitor(() => now);
    monitor.stop(); // ticks are driven by hand here
    for (const at of [5, 10, 15, 220, 225, 230]) monitor.tick((now = at));
    expect(monitor.longestStallMs(0, 300)).toBeCloseTo(200, 5); // 20 → 220
    expect(monitor.longestStallMs(100, 300)).toBeCloseTo(120, 5); // only the overlap counts
    expect(monitor.longestStallMs(226, 300)).toBe(0);
  });
});

describe('sweep', () => {
  const defaultText = readFileSync('scenarios/default.yaml', 'utf8');
  const plan = (params: { path: string; values: (number | string)[] }[], variant?: string) =>
    planSweep(parseRawScenario(defaultText, 'scenarios/default.yaml'), 'scenarios/default.yaml', 'x', params, variant);

  it('refuses a swept field that changes nothing, naming the variants where it matters', () => {
    const error = (() => {
      try {
        plan([{ path: 'batch.size', values: [1, 5, 10] }]);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toBe(
      '--param batch.size changes nothing: in the base pipeline (no --variant), batch.mode is none (no batching), so every point would run the same pipeline; it matters for variants seed-proposed, seed-corrected: start from one with --variant seed-proposed (or variant: in the sweep: block)',
    );
    expect(plan([{ path: 'batch.size', values: [1, 5] }], 'seed-corrected').points).toHaveLength(2);
  });

  const outcome = (id: string, latency: [number, number], events: [number, number]): SweepOutcome => ({
    id,
    tokenLatencyP99Ms: (latency[0] + latency[1]) / 2,
    eventsPerToken: (events[0] + events[1]) / 2,
    cpuUsPerToken: id === 'a' ? 1 : 1000,
    spread: { streams: 3, tokenLatencyP99Ms: latency, eventsPerToken: events },
  });

  it('recommends nothing when the points differ by less than their stream-to-stream spread', () => {
    const same = [outcome('a', [10, 14], [1, 1]), outcome('b', [11, 15], [1, 1])];
    expect(noiseProblem(same)).toMatch(/^no point differs from another by more than the stream-to-stream spread/);
    const apart = [outcome('a', [10, 14], [1, 1]), outcome('b', [30, 35], [0.2, 0.2])];
    expect(noiseProblem(apart)).toBeNull();
  });

  it('does not decide on CPU per token', () => {
    // Same latency and events: CPU (1 vs 1000 µs) no longer picks a winner or a front.
    const tied = [outcome('b', [10, 12], [1, 1]), outcome('a', [10, 12], [1, 1])];
    expect(recommend(tied, { value: 10, relative: true })!.id).toBe('b');
  });
});

describe('small things', () => {
  it("the stage chart's axis reaches past its largest value", () => {
    for (const max of [0.37, 4.2, 17.3, 99, 101, 1419]) expect(linearTicks(max).at(-1)!).toBeGreaterThanOrEqual(max);
  });

  it('an Anthropic base URL works with or without /v1', () => {
    expect(endpointUrl('http://127.0.0.1:8400', 'anthropic')).toBe('http://127.0.0.1:8400/v1/messages');
    expect(endpointUrl('http://127.0.0.1:8400/v1', 'anthropic')).toBe('http://127.0.0.1:8400/v1/messages');
    expect(endpointUrl('http://127.0.0.1:8400/v1', 'openai-chat')).toBe('http://127.0.0.1:8400/v1/chat/completions');
  });

  it('plural rules: "1 rule breached"', () => {
    const base = runOf([configWithStreams('a', { p99Ms: 20, spreadMs: 4, jitterMs: 0.5, streams: 5, runSeed: 1, counters: { jsonOpsPerToken: 1 } })], 'base');
    const head = runOf([configWithStreams('a', { p99Ms: 20, spreadMs: 4, jitterMs: 0.5, streams: 5, runSeed: 2, counters: { jsonOpsPerToken: 2 } })], 'head');
    const decision = decideComparison(base, head, { flagGates: [], rules: parseRules('counters.jsonOpsPerToken>0'), defaultGates: false });
    expect(outcomeLine(renderVerdictTable(decision))).toMatch(/^✗ regression: nothing compared, 1 rule breached/);
    // Rules alone, all checked and none breached, pass by their thresholds (not "undecided: nothing was compared").
    const passing = decideComparison(base, head, { flagGates: [], rules: parseRules('counters.jsonOpsPerToken>+200%'), defaultGates: false });
    expect(outcomeLine(renderVerdictTable(passing))).toMatch(/^✓ no rule breached \(1 rule check; no statistical gate ran\) \(streams/);
  });

  it('says which Redis was used, or what ran instead and how to get Redis', () => {
    const withRedis = {
      ...wideDoc,
      context: { ...wideDoc.context, redis: { broker: 'redis' as const, origin: 'private' as const, url: 'redis://127.0.0.1:40000', version: '7.0.15' } },
    };
    expect(redisNote(withRedis)).toBe('Redis: redis://127.0.0.1:40000 (a private redis-server started for this run and stopped after it), Redis 7.0.15');
    const memory = {
      ...wideDoc,
      context: {
        ...wideDoc.context,
        redis: {
          broker: 'memory' as const,
          note: 'nothing answered at redis://127.0.0.1:6379 and redis-server is not on PATH: the redis-* configs ran on the in-process memory broker',
        },
      },
    };
    expect(redisNote(memory)).toMatch(/^broker: nothing answered .* memory broker\. To measure Redis too: start one on 127\.0\.0\.1:6379, set REDIS_URL/);
    expect(redisNote(wideDoc)).toBeNull();
  });

  it('moves a Redis config to the memory broker, keeping its read strategy; split producers cannot move', async () => {
    const scenario = await loadScenarioFile('scenarios/default.yaml');
    const proposed = scenario.configs.find((config) => config.name === 'seed-proposed')!;
    const moved = onMemoryBroker(proposed);
    expect('config' in moved && moved.config.pipeline.broker).toEqual({ type: 'memory', read: 'window', window: 10 });
    expect(onMemoryBroker({ ...proposed, pipeline: { ...proposed.pipeline, processes: 'split' } })).toHaveProperty('skipped');
  });

  it('logs progress when stderr is not a terminal: nothing in a short run, then a line every few seconds', () => {
    const lines: string[] = [];
    const log = new ProgressLog({ write: (text) => lines.push(text) > 0 }, 5000, 10_000);
    const state = (elapsedMs: number): ProgressState => ({
      scenario: 's',
      config: 1,
      configs: 1,
      configName: 'c',
      streamsDone: 1,
      streamsTotal: 4,
      configStreamsDone: 1,
      configStreams: 4,
      elapsedMs,
    });
    for (const ms of [1000, 9000, 10_500, 12_000, 15_600, 16_000]) log.update(state(ms));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^progress: s \[.{10}\] 25% config 1\/1 c, stream 1\/4 · 11s, ETA \d+s\n$/);
  });
});
