/**
 * The statistical gate: decides, per config and gate, whether head improved, stayed the same,
 * regressed, or cannot be told apart from noise — with the reason. Time metrics are decided
 * from their per-stream samples by a bootstrap CI of the difference of medians; counters
 * exactly, unless they moved with timing from stream to stream. Pure: documents in, verdicts out.
 * A verdict says why as data (a cause code and its figures); report/gateWording.ts words it.
 */
import type { CompletedConfig, ConfigResult, ResultDocument } from '../result/resultSchema.js';
import { deriveSeed } from '../sources/random.js';
import { bootstrapMedianDifference, DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES } from './bootstrap.js';
import { comparableConfig, type Pairing, streamPairing } from './comparability.js';
import { DEFAULT_COUNTER_INCREASE, DEFAULT_TIME_INCREASE, formatThreshold, type Gate, isCounterMetric, type IterationMetric, MEASURED_COUNTERS, type Threshold } from './gates.js';
import { coefficientOfVariation, madOutliers, median } from './sampleStats.js';
import { DISTURBING_STALL_MS } from '../probes/disturbingStall.js';

/** The four outcomes. Only `regressed` fails a gate. */
export type Verdict = 'improved' | 'unchanged' | 'regressed' | 'inconclusive';

/** How a verdict was reached. */
export type Method = 'bootstrap-paired' | 'bootstrap' | 'exact' | 'state';

/** What set a statistical comparison apart, said before its outcome. */
export type GateQualifier =
  /** A counter measured with a clock (CPU time), compared like a time metric. */
  | { code: 'measuredCounter' }
  /** A counter that moved with timing from stream to stream, compared like a time metric. */
  | { code: 'varyingCounter' }
  /** Streams left out because the tool's own event loop stalled during them for at least `thresholdMs`. */
  | { code: 'stalledStreamsLeftOut'; base: number; head: number; thresholdMs: number };

/** The allowed band of a statistical verdict: ±allowed, `relative` to base, perhaps raised to the minimum effect. */
export interface AllowedBand {
  relative: boolean;
  /** The minimum effect (ms) the allowance was raised to, or null when the gate's own allowance held. */
  raisedToMinEffectMs: number | null;
}

/** Why a verdict is what it is, as data: a code and the figures its wording needs beyond the verdict's own numbers. */
export type GateCause =
  | { code: 'stateNotCompared'; base: { state: string; message?: string }; head: { state: string; message?: string } }
  | { code: 'headErrored'; message: string | null }
  | { code: 'baseErrored' }
  | { code: 'notMeasured'; side: 'base' | 'head' }
  /** Exact: head counted more than allowed (`above`), less than allowed (`below`), the same, or a change within the allowance. */
  | { code: 'counted'; outcome: 'above' | 'below' | 'same' | 'within' }
  | { code: 'tooFewSamples'; qualifiers: GateQualifier[]; minSamples: number }
  /** Statistical: where the CI of the change lies against ±allowed. */
  | { code: 'interval'; qualifiers: GateQualifier[]; band: AllowedBand; position: 'above' | 'below' | 'within' | 'belowIncrease' | 'straddlesIncrease' | 'straddlesDecrease' }
  /** The run was disturbed: the verdict `wouldBe`, for `cause`, became inconclusive. */
  | { code: 'disturbedRun'; disturbance: Disturbance; wouldBe: Verdict; cause: GateCause };

/** A noise warning of a verdict, as data. */
export type GateNote =
  | { code: 'outliers'; sides: { side: 'base' | 'head'; count: number; of: number }[] }
  /** The CI reaches across the allowed increase; about `streamsNeeded` streams per config would narrow it. */
  | { code: 'likelyToFlap'; streamsNeeded: number }
  | { code: 'disturbedRun'; disturbance: Disturbance };

/** One config × metric decision. */
export interface GateDecision {
  config: string;
  /** Gate metric (`tokenLatencyP99Ms`, `counters.eventsPerToken`), or `state` for a config that did not complete. */
  metric: string;
  verdict: Verdict;
  cause: GateCause;
  method: Method;
  /** Median over streams (statistical) or the config's value (exact); null when missing. */
  base: number | null;
  head: number | null;
  /** head − base (difference of medians for statistical verdicts). */
  change: number | null;
  /** change ÷ |base|; null when base is 0 or missing. */
  relativeChange: number | null;
  /** Confidence interval of `change`; null for exact verdicts. */
  interval: { low: number; high: number; confidence: number } | null;
  /** The allowed increase in the metric's unit, after the minimum effect. */
  allowed: number | null;
  /** The gate's allowance as written (`10%`, `0`). */
  gate: string;
  samples: { base: number; head: number };
  /** Spread of the per-stream samples (sample stddev ÷ mean), null when not computed. */
  cv: { base: number | null; head: number | null };
  /** Streams whose value lies more than 3.5 MADs from the median. */
  outliers: { base: number; head: number };
  /** Noise warnings: outliers, a gate likely to flap, a disturbed run. */
  notes: GateNote[];
}

/** Per-stream tail metrics: their minimum effect is `tailMinEffectMs`. */
const TAIL_METRICS = new Set<string>(['tokenLatencyP99Ms', 'renderLatencyP99Ms', 'stalenessP99Ms']);

/** Per-stream metrics one stall can move by its whole length (a single moment, or a stream's worst tokens). */
const STALL_SENSITIVE_METRICS = new Set<string>(['ttftMs', 'e2eMs', ...TAIL_METRICS]);

/** Default allowance of a counter that moves with timing from stream to stream. */
export const VARYING_COUNTER_INCREASE: Threshold = { value: 5, relative: true };

/** Knobs of the decision. */
export interface GateOptions {
  /** Smallest change of a time metric, in ms, ever counted as a change (timer and scheduler jitter). */
  minEffectMs: number;
  /**
   * The same for per-stream p99 metrics. A stream's p99 over ~100 tokens is nearly its worst
   * token, which a GC or scheduler pause moves by several ms between runs of the same code.
   */
  tailMinEffectMs: number;
  /** Fewest samples per side for a statistical verdict. */
  minSamples: number;
  resamples: number;
  confidence: number;
}

export const DEFAULT_GATE_OPTIONS: GateOptions = {
  minEffectMs: 1,
  // Between quiet runs of the same code, the default scenario's smallest p99 (field-baseline
  // token latency, ~9 ms) moved by up to 4.8 ms (lower CI bound; docs/ci.md).
  tailMinEffectMs: 5,
  minSamples: 5,
  resamples: DEFAULT_RESAMPLES,
  confidence: DEFAULT_CONFIDENCE,
};

/** Everything the gate decided. */
export interface GateReport {
  verdicts: GateDecision[];
  pairing: Pairing;
  /** Gates (metric names) that no config of either document has a value for. */
  unknownMetrics: string[];
  /** Verdicts of informational gates (`gate.informational` on each): shown apart, never counted. */
  informational: (GateDecision & { informational: string })[];
}

/** Counts how many verdicts of each kind a report holds. */
export function countVerdicts(verdicts: readonly { verdict: Verdict }[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { improved: 0, unchanged: 0, regressed: 0, inconclusive: 0 };
  for (const verdict of verdicts) counts[verdict.verdict]++;
  return counts;
}

/** Applies every gate to every config present in both documents (callers check comparability first). */
export function evaluateGates(base: ResultDocument, head: ResultDocument, gates: readonly Gate[], options: GateOptions = DEFAULT_GATE_OPTIONS): GateReport {
  const pairing = streamPairing(base, head);
  const headByName = new Map(head.configs.map((config) => [config.name, config]));
  const verdicts: GateDecision[] = [];
  const informational: GateReport['informational'] = [];
  const seen = new Set<string>();
  const known = new Set<string>();
  let pairsCompared = 0;
  for (const baseConfig of base.configs) {
    const headConfig = headByName.get(baseConfig.name);
    if (!headConfig) continue;
    if (!comparableConfig(baseConfig) || !comparableConfig(headConfig)) {
      verdicts.push(decideState(baseConfig, headConfig));
      continue;
    }
    pairsCompared++;
    for (const gate of gates) {
      if (gate.configs && !gate.configs.includes(baseConfig.name)) continue;
      // A metric gated twice is decided once, by the gate listed first (a --gate before the scenario's).
      const key = JSON.stringify([baseConfig.name, gate.metric]);
      if (seen.has(key)) continue;
      seen.add(key);
      const verdict = decideGate(baseConfig, headConfig, gate, pairing, options);
      if (verdict && verdict.method !== 'exact') discountDisturbedRun(verdict, harnessDisturbance(baseConfig, headConfig));
      if (verdict) {
        known.add(gate.metric);
        if (gate.informational === undefined) verdicts.push(verdict);
        else informational.push({ ...verdict, informational: gate.informational });
      }
    }
  }
  // A metric is unknown only where configs were compared: none compared says nothing about the names.
  const unknownMetrics = pairsCompared === 0 ? [] : [...new Set(gates.filter((gate) => gate.origin !== 'default' && !known.has(gate.metric)).map((gate) => gate.metric))];
  return { verdicts, pairing, unknownMetrics, informational };
}

/** How much more the harness's own event loop was held up in one run than in the other. */
export interface Disturbance {
  side: 'base' | 'head';
  baseP99Ms: number;
  headP99Ms: number;
}

/**
 * The run whose event-loop delay p99 is at least 1.5× the other's and 5 ms (the probe's
 * resolution) more, or null. Such a run was held up by something besides the pipeline (another
 * process, a GC storm): its time metrics say more about the machine than about the code.
 */
export function harnessDisturbance(base: ConfigResult, head: ConfigResult): Disturbance | null {
  const baseP99 = base.metrics?.eventLoopDelayMs?.p99;
  const headP99 = head.metrics?.eventLoopDelayMs?.p99;
  if (baseP99 === undefined || headP99 === undefined) return null;
  const disturbed = (a: number, b: number) => a >= 1.5 * b && a - b >= 5;
  if (disturbed(headP99, baseP99)) return { side: 'head', baseP99Ms: baseP99, headP99Ms: headP99 };
  if (disturbed(baseP99, headP99)) return { side: 'base', baseP99Ms: baseP99, headP99Ms: headP99 };
  return null;
}

/**
 * A slower disturbed head (or a faster head against a disturbed base) is no evidence about the
 * code: such verdicts become inconclusive. Code that really blocks the event loop still shows in
 * the exact counters and in CPU per token of a quiet re-run.
 */
function discountDisturbedRun(verdict: GateDecision, disturbance: Disturbance | null): void {
  if (!disturbance) return;
  const suspect = (verdict.verdict === 'regressed' && disturbance.side === 'head') || (verdict.verdict === 'improved' && disturbance.side === 'base');
  if (suspect) {
    verdict.cause = { code: 'disturbedRun', disturbance, wouldBe: verdict.verdict, cause: verdict.cause };
    verdict.verdict = 'inconclusive';
  } else {
    verdict.notes.push({ code: 'disturbedRun', disturbance });
  }
}

/** A verdict on the config itself, when it did not complete on one side. */
function decideState(base: ConfigResult, head: ConfigResult): GateDecision {
  const measured = (config: ConfigResult) => config.state === 'completed';
  const stateOf = (config: ConfigResult) => ({ state: config.state, ...(config.message && { message: config.message }) });
  let verdict: Verdict = 'inconclusive';
  let cause: GateCause = { code: 'stateNotCompared', base: stateOf(base), head: stateOf(head) };
  if (measured(base) && head.state === 'errored') {
    verdict = 'regressed';
    cause = { code: 'headErrored', message: head.message ?? null };
  } else if (base.state === 'errored' && measured(head)) {
    verdict = 'improved';
    cause = { code: 'baseErrored' };
  }
  return {
    ...emptyVerdict(base.name, 'state', 'state'),
    verdict,
    cause,
  };
}

function emptyVerdict(config: string, metric: string, method: Method): GateDecision {
  return {
    config,
    metric,
    verdict: 'inconclusive',
    // Replaced by every caller; a placeholder that reads as what it is if one ever is not.
    cause: { code: 'notMeasured', side: 'base' },
    method,
    base: null,
    head: null,
    change: null,
    relativeChange: null,
    interval: null,
    allowed: null,
    gate: '',
    samples: { base: 0, head: 0 },
    cv: { base: null, head: null },
    outliers: { base: 0, head: 0 },
    notes: [],
  };
}

/** Per-stream values of a metric: the time field, or the counter from each stream's counters. */
function streamValues(config: ConfigResult, metric: string): (number | null)[] | null {
  if (isCounterMetric(metric)) {
    const name = metric.slice('counters.'.length);
    if (config.iterations.length === 0 || config.iterations.some((sample) => sample.counters === undefined)) return null;
    return config.iterations.map((sample) => sample.counters?.[name] ?? null);
  }
  return config.iterations.map((sample) => sample[metric as IterationMetric] ?? null);
}

/** The config-level value of a counter, or undefined when the config has none. */
function counterValue(config: CompletedConfig, metric: string): number | undefined {
  const counters = config.metrics.counters;
  const name = metric.slice('counters.'.length);
  return Object.hasOwn(counters, name) ? counters[name] : undefined;
}

/** Decides one gate for one config; null when neither side measured the metric. */
function decideGate(base: CompletedConfig, head: CompletedConfig, gate: Gate, pairing: Pairing, options: GateOptions): GateDecision | null {
  const counter = isCounterMetric(gate.metric);
  const threshold = gate.maxIncrease ?? (counter ? DEFAULT_COUNTER_INCREASE : DEFAULT_TIME_INCREASE);
  if (counter) {
    const baseValue = counterValue(base, gate.metric);
    const headValue = counterValue(head, gate.metric);
    if (baseValue === undefined && headValue === undefined) return null;
    if (baseValue === undefined || headValue === undefined) return missingOnOneSide(base.name, gate, threshold, baseValue === undefined ? 'base' : 'head');
    const baseStreams = streamValues(base, gate.metric);
    const headStreams = streamValues(head, gate.metric);
    const measuredCounter = MEASURED_COUNTERS.has(gate.metric.slice('counters.'.length));
    const shift = baseStreams !== null && headStreams !== null ? uniformShift(baseStreams, headStreams, pairing.paired) : undefined;
    if (!measuredCounter && shift !== null) {
      // Runs of different lengths average different streams: compare the paired per-stream shift instead.
      const differentLengths = pairing.paired && baseStreams !== null && headStreams !== null && baseStreams.length !== headStreams.length;
      return decideExact(base.name, gate, threshold, baseValue, differentLengths && shift !== undefined ? baseValue + shift : headValue);
    }
    if (baseStreams === null || headStreams === null) return decideExact(base.name, gate, threshold, baseValue, headValue);
    const qualifier: GateQualifier = measuredCounter ? { code: 'measuredCounter' } : { code: 'varyingCounter' };
    // A counter that moves with timing cannot be held to "no increase at all": unless the gate
    // says otherwise, changes within 5 % of base count as timing noise.
    const allowance = gate.maxIncrease ?? VARYING_COUNTER_INCREASE;
    return decideStatistically(base.name, gate, allowance, baseStreams, headStreams, pairing, options, { minEffect: 0, qualifiers: [qualifier] });
  }
  const baseStreams = streamValues(base, gate.metric) ?? [];
  const headStreams = streamValues(head, gate.metric) ?? [];
  const baseHas = baseStreams.some((value) => value !== null);
  const headHas = headStreams.some((value) => value !== null);
  if (!baseHas && !headHas) return null;
  if (!baseHas || !headHas) return missingOnOneSide(base.name, gate, threshold, baseHas ? 'head' : 'base');
  const minEffect = TAIL_METRICS.has(gate.metric) ? Math.max(options.minEffectMs, options.tailMinEffectMs) : options.minEffectMs;
  // A stall moves the few timestamps taken during it: a stream's TTFT, e2e or p99 can move by the
  // whole stall, its p50s hardly. Only the former leave stalled streams out.
  const stalls = STALL_SENSITIVE_METRICS.has(gate.metric)
    ? { base: base.iterations.map((sample) => sample.toolStallMs ?? 0), head: head.iterations.map((sample) => sample.toolStallMs ?? 0) }
    : undefined;
  return decideStatistically(base.name, gate, threshold, baseStreams, headStreams, pairing, options, { minEffect, qualifiers: [], stalls });
}

/**
 * The streams the tool's own event-loop stalls disturbed for a metric: a stall at least as long
 * as the change the gate allows could alone move the stream's value past it. Their values become
 * null (paired: the partner stream is then left out too); returns how many on each side.
 */
function leaveOutStalledStreams(
  values: { base: (number | null)[]; head: (number | null)[] },
  stalls: { base: number[]; head: number[] },
  allowed: number,
): { base: number; head: number } {
  const count = { base: 0, head: 0 };
  for (const side of ['base', 'head'] as const) {
    values[side] = values[side].map((value, index) => {
      if (value === null || (stalls[side][index] ?? 0) < Math.max(allowed, DISTURBING_STALL_MS)) return value;
      count[side]++;
      return null;
    });
  }
  return count;
}

function missingOnOneSide(config: string, gate: Gate, threshold: Threshold, side: 'base' | 'head'): GateDecision {
  return {
    ...emptyVerdict(config, gate.metric, isCounterMetric(gate.metric) ? 'exact' : 'bootstrap'),
    gate: formatThreshold(threshold),
    cause: { code: 'notMeasured', side },
  };
}

/**
 * The amount every paired stream changed by, when it is the same for all (zero included): the
 * counter is then a pure function of the stream, so it can be compared exactly. Unpaired, 0 when
 * neither side varies between streams. Null when the counter moves with timing.
 */
function uniformShift(base: (number | null)[], head: (number | null)[], paired: boolean): number | null {
  const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  if (paired) {
    let shift: number | undefined;
    let pairs = 0;
    for (let i = 0; i < Math.min(base.length, head.length); i++) {
      const b = base[i];
      const h = head[i];
      if (b === null || h === null || b === undefined || h === undefined) continue;
      pairs++;
      if (shift === undefined) shift = h - b;
      else if (!same(shift, h - b)) return null;
    }
    // One pair that moved cannot tell a changed count from one that moves with timing: decide
    // it statistically (too few samples), not exactly.
    if (pairs < 2 && shift !== undefined && !same(shift, 0)) return null;
    return shift ?? 0;
  }
  const constant = (values: (number | null)[]) => {
    const present = values.filter((value): value is number => value !== null);
    const [first] = present;
    return first === undefined || present.every((value) => same(value, first));
  };
  return constant(base) && constant(head) ? 0 : null;
}

/** The allowance in the metric's unit. */
function allowedChange(threshold: Threshold, baseValue: number): number {
  return threshold.relative ? (Math.abs(baseValue) * threshold.value) / 100 : threshold.value;
}

/** Exact comparison of a counted value. */
function decideExact(config: string, gate: Gate, threshold: Threshold, base: number, head: number): GateDecision {
  const change = head - base;
  const allowed = allowedChange(threshold, base);
  // Below one part in 10⁹ is floating-point noise from dividing counts, not a change.
  const noise = 1e-9 * Math.max(1, Math.abs(base), Math.abs(head));
  const relative = base === 0 ? null : change / Math.abs(base);
  let verdict: Verdict;
  let outcome: 'above' | 'below' | 'same' | 'within';
  if (change > allowed + noise) {
    verdict = 'regressed';
    outcome = 'above';
  } else if (change < -(allowed + noise)) {
    verdict = 'improved';
    outcome = 'below';
  } else if (Math.abs(change) <= noise) {
    verdict = 'unchanged';
    outcome = 'same';
  } else {
    verdict = 'unchanged';
    outcome = 'within';
  }
  return {
    ...emptyVerdict(config, gate.metric, 'exact'),
    verdict,
    cause: { code: 'counted', outcome },
    base,
    head,
    change,
    relativeChange: relative,
    allowed,
    gate: formatThreshold(threshold),
    samples: { base: 1, head: 1 },
  };
}

/** Bootstrap CI of the difference of medians against the allowed band ±allowed. */
function decideStatistically(
  config: string,
  gate: Gate,
  threshold: Threshold,
  baseStreamsIn: (number | null)[],
  headStreamsIn: (number | null)[],
  pairing: Pairing,
  options: GateOptions,
  extra: { minEffect: number; qualifiers: GateQualifier[]; stalls?: { base: number[]; head: number[] } },
): GateDecision {
  const paired = pairing.paired;
  let baseStreams = baseStreamsIn;
  let headStreams = headStreamsIn;
  if (extra.stalls) {
    // The allowance from every stream's median, then the streams a stall that long disturbed are left out.
    const present = (values: (number | null)[]) => values.filter((value): value is number => value !== null);
    const allowedBefore = Math.max(allowedChange(threshold, present(baseStreams).length > 0 ? median(present(baseStreams)) : 0), extra.minEffect);
    const values = { base: baseStreams, head: headStreams };
    const stalled = leaveOutStalledStreams(values, extra.stalls, allowedBefore);
    baseStreams = values.base;
    headStreams = values.head;
    if (stalled.base + stalled.head > 0) {
      extra = { ...extra, qualifiers: [...extra.qualifiers, { code: 'stalledStreamsLeftOut', ...stalled, thresholdMs: Math.max(allowedBefore, DISTURBING_STALL_MS) }] };
    }
  }
  let baseValues: number[];
  let headValues: number[];
  if (paired) {
    const length = Math.min(baseStreams.length, headStreams.length);
    const keep = (index: number) => index < length && baseStreams[index] !== null && headStreams[index] !== null;
    baseValues = baseStreams.filter((_, index) => keep(index)) as number[];
    headValues = headStreams.filter((_, index) => keep(index)) as number[];
  } else {
    baseValues = baseStreams.filter((value): value is number => value !== null);
    headValues = headStreams.filter((value): value is number => value !== null);
  }
  const baseMedian = median(baseValues);
  const headMedian = median(headValues);
  const change = headMedian - baseMedian;
  const relative = baseMedian === 0 ? null : change / Math.abs(baseMedian);
  const allowed = Math.max(allowedChange(threshold, baseMedian), extra.minEffect);
  const outlierCount = { base: madOutliers(baseValues).length, head: madOutliers(headValues).length };
  const verdict: GateDecision = {
    ...emptyVerdict(config, gate.metric, paired ? 'bootstrap-paired' : 'bootstrap'),
    base: baseMedian,
    head: headMedian,
    change,
    relativeChange: relative,
    allowed,
    gate: formatThreshold(threshold),
    samples: { base: baseValues.length, head: headValues.length },
    cv: { base: coefficientOfVariation(baseValues), head: coefficientOfVariation(headValues) },
    outliers: outlierCount,
  };
  const qualifiers = extra.qualifiers;
  // Outliers of a time metric hint at a busy machine (hyperfine's advice); a counter's are just its steps.
  const outlierSides = (['base', 'head'] as const).filter((side) => outlierCount[side] > 0);
  if (!isCounterMetric(gate.metric) && outlierSides.length > 0) {
    verdict.notes.push({ code: 'outliers', sides: outlierSides.map((side) => ({ side, count: outlierCount[side], of: side === 'base' ? baseValues.length : headValues.length })) });
  }
  const fewest = Math.min(baseValues.length, headValues.length);
  if (fewest < options.minSamples) {
    verdict.cause = { code: 'tooFewSamples', qualifiers, minSamples: options.minSamples };
    return verdict;
  }
  const interval = bootstrapMedianDifference(baseValues, headValues, {
    paired,
    seed: deriveSeed(1, config, gate.metric),
    resamples: options.resamples,
    confidence: options.confidence,
  });
  verdict.interval = { low: interval.low, high: interval.high, confidence: interval.confidence };
  const band: AllowedBand = { relative: threshold.relative, raisedToMinEffectMs: allowed === extra.minEffect && extra.minEffect > 0 ? extra.minEffect : null };
  const decided = (verdictOf: Verdict, position: Extract<GateCause, { code: 'interval' }>['position']) => {
    verdict.verdict = verdictOf;
    verdict.cause = { code: 'interval', qualifiers, band, position };
  };
  if (interval.low > allowed) decided('regressed', 'above');
  else if (interval.high < -allowed) decided('improved', 'below');
  else if (interval.low >= -allowed && interval.high <= allowed) decided('unchanged', 'within');
  // No increase beyond the allowance is possible at this confidence: decided for a regression
  // gate, even though an improvement that large is not proven either.
  else if (interval.high <= allowed) decided('unchanged', 'belowIncrease');
  else decided('inconclusive', interval.high > allowed ? 'straddlesIncrease' : 'straddlesDecrease');
  // A gate flaps when its CI reaches across the allowed increase: the same code could pass on one
  // run and fail on the next. Say so, with what would make it steady.
  const width = interval.high - interval.low;
  const nearEdge = verdict.verdict === 'regressed' ? interval.low < allowed * 1.25 : interval.high > allowed;
  if (allowed > 0 && nearEdge) {
    const halfWidth = width / 2;
    const needed = Math.ceil(fewest * (halfWidth / (allowed / 2)) ** 2);
    verdict.notes.push({ code: 'likelyToFlap', streamsNeeded: Math.max(needed, fewest + 1) });
  }
  return verdict;
}
