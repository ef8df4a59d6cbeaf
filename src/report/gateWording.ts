/**
 * The gate's verdicts in words: the reason and warning sentences of each decision
 * (stats/gateVerdicts.ts decides; this says why, with its numbers formatted). Pure. The worded
 * verdict keeps the shape `compare --format json` and the CSV have always printed.
 */
import type { ComparisonDecision } from '../stats/decideComparison.js';
import type { AllowedBand, GateCause, GateDecision, GateNote, GateQualifier } from '../stats/gateVerdicts.js';
import { formatCount, formatNumber, formatPercent } from './format.js';

/** One config × metric verdict with its reason and warnings in words (the JSON and CSV row): the decision, its cause and notes worded. */
export type MetricVerdict = Omit<GateDecision, 'cause' | 'notes'> & {
  /** Why, in words, with the figures. */
  reason: string;
  /** Noise warnings in words. */
  warnings: string[];
};

/** A comparison decision whose verdicts are worded, for the renderers. */
export type WordedDecision = Omit<ComparisonDecision, 'report'> & { report: Omit<ComparisonDecision['report'], 'verdicts'> & { verdicts: MetricVerdict[] } };

/** A decision with its reason and warnings in words, fields in the order the JSON output has always had. */
export function wordVerdict(decision: GateDecision): MetricVerdict {
  const { config, metric, verdict, method, base, head, change, relativeChange, interval, allowed, gate, samples, cv, outliers } = decision;
  return {
    config,
    metric,
    verdict,
    reason: reasonText(decision, decision.cause),
    method,
    base,
    head,
    change,
    relativeChange,
    interval,
    allowed,
    gate,
    samples,
    cv,
    outliers,
    warnings: decision.notes.map((note) => noteText(decision, note)),
  };
}

/** Every verdict of a comparison worded (idempotent: worded verdicts are kept as they are). */
export function wordDecision(decision: ComparisonDecision | WordedDecision): WordedDecision {
  return { ...decision, report: { ...decision.report, verdicts: wordVerdicts(decision.report.verdicts) } };
}

/** Verdicts worded; ones already worded are kept as they are. */
export function wordVerdicts(verdicts: readonly (GateDecision | MetricVerdict)[]): MetricVerdict[] {
  return verdicts.map((verdict) => ('cause' in verdict ? wordVerdict(verdict) : verdict));
}

/** Signed number in the metric's unit, 3 significant digits. */
function signed(value: number): string {
  const text = formatNumber(value);
  return value > 0 ? `+${text}` : text;
}

/** Signed count: integers exactly, fractions to 3 significant digits. */
function signedCount(value: number): string {
  const text = formatCount(value);
  return value > 0 ? `+${text}` : text;
}

/** `event-loop delay p99 45.9 ms in head vs 10.8 ms in base`. */
function disturbanceText(disturbance: { baseP99Ms: number; headP99Ms: number }): string {
  return `event-loop delay p99 ${formatNumber(disturbance.headP99Ms)} ms in head vs ${formatNumber(disturbance.baseP99Ms)} ms in base`;
}

/** What set a statistical comparison apart, in words. */
function qualifierText(qualifier: GateQualifier): string {
  switch (qualifier.code) {
    case 'measuredCounter':
      return 'measured with a clock, not counted';
    case 'varyingCounter':
      return 'moves with timing from stream to stream (timer batching, renders)';
    case 'stalledStreamsLeftOut': {
      const total = qualifier.base + qualifier.head;
      return `${total} stream${total === 1 ? '' : 's'} left out: the tool's own event loop stalled during ${total === 1 ? 'it' : 'them'} for at least the allowed change (${formatNumber(qualifier.thresholdMs)} ms; ${qualifier.base} in base, ${qualifier.head} in head)`;
    }
  }
}

/** The qualifiers as the reason's lead (`…; `), or nothing. */
function prefixOf(qualifiers: readonly GateQualifier[]): string {
  return qualifiers.length > 0 ? `${qualifiers.map(qualifierText).join('; ')}; ` : '';
}

/** `±5.00 (10% of base, raised to the 5.00 ms minimum effect)`. */
function bandText(allowed: number, gate: string, band: AllowedBand): string {
  const raised = band.raisedToMinEffectMs !== null ? `, raised to the ${formatNumber(band.raisedToMinEffectMs)} ms minimum effect` : '';
  return `±${formatNumber(allowed)}${band.relative ? ` (${gate} of base${raised})` : ''}`;
}

/** `95% CI [+1.20, +3.40]`. */
function intervalText(interval: { low: number; high: number; confidence: number }): string {
  return `${Math.round(interval.confidence * 100)}% CI [${signed(interval.low)}, ${signed(interval.high)}]`;
}

/** Why a decision is what it is, in words. */
export function reasonText(decision: GateDecision, cause: GateCause): string {
  const describe = (side: { state: string; message?: string }) => (side.message ? `${side.state} (${side.message})` : side.state);
  switch (cause.code) {
    case 'stateNotCompared':
      return `not compared: base ${describe(cause.base)}, head ${describe(cause.head)}`;
    case 'headErrored':
      return `head errored: ${cause.message ?? 'no message'}`;
    case 'baseErrored':
      return `base errored, head completed`;
    case 'notMeasured':
      return `not measured in ${cause.side}: the runs measured different things (a changed pipeline or an older result file)`;
    case 'counted': {
      const base = decision.base ?? 0;
      const head = decision.head ?? 0;
      const allowed = decision.allowed ?? 0;
      const relative = decision.relativeChange;
      const changeText = `${formatCount(base)} → ${formatCount(head)} (${signedCount(decision.change ?? 0)}${relative === null ? '' : `, ${formatPercent(relative)}`})`;
      switch (cause.outcome) {
        case 'above':
          return `counted ${changeText}: more than the allowed increase of ${formatCount(allowed)}`;
        case 'below':
          return `counted ${changeText}`;
        case 'same':
          return `counted ${formatCount(base)} in both runs`;
        case 'within':
          return `counted ${changeText}: within the allowed ${formatCount(allowed)}`;
      }
      break;
    }
    case 'tooFewSamples':
      return `${prefixOf(cause.qualifiers)}too few samples (base ${decision.samples.base}, head ${decision.samples.head}; at least ${cause.minSamples} needed): run with --streams ${Math.max(10, cause.minSamples)}`;
    case 'interval': {
      const allowed = decision.allowed ?? 0;
      const relative = decision.relativeChange;
      const medians = `median ${formatNumber(decision.base)} → ${formatNumber(decision.head)} (${signed(decision.change ?? 0)}${relative === null ? '' : `, ${formatPercent(relative)}`})`;
      const ci = decision.interval ? intervalText(decision.interval) : '';
      const band = bandText(allowed, decision.gate, cause.band);
      const lead = `${prefixOf(cause.qualifiers)}${medians}; ${ci}`;
      switch (cause.position) {
        case 'above':
          return `${lead} lies above the allowed ${band}`;
        case 'below':
          return `${lead} lies below -${formatNumber(allowed)}`;
        case 'within':
          return `${lead} within ${band}`;
        case 'belowIncrease':
          return `${lead} stays below the allowed increase +${formatNumber(allowed)} (an improvement beyond -${formatNumber(allowed)} is possible but not shown)`;
        case 'straddlesIncrease':
          return `${lead} straddles the allowed increase +${formatNumber(allowed)}: too noisy to tell`;
        case 'straddlesDecrease':
          return `${lead} straddles -${formatNumber(allowed)} (maybe an improvement): too noisy to tell`;
      }
      break;
    }
    case 'disturbedRun':
      return `the ${cause.disturbance.side} run was disturbed (${disturbanceText(cause.disturbance)}): would be ${cause.wouldBe}, but the machine, not the code, may explain it; re-run on a quiet machine. ${reasonText(decision, cause.cause)}`;
  }
  throw new Error(`no wording for the gate cause ${JSON.stringify(cause)}`);
}

/** A noise warning, in words. */
export function noteText(decision: GateDecision, note: GateNote): string {
  switch (note.code) {
    case 'outliers': {
      const text = note.sides.map((side) => `${side.count} of ${side.of} streams in ${side.side}`).join(', ');
      return `outliers (more than 3.5 MADs from the median): ${text}; the median is robust to them, but a quiet machine gives steadier verdicts`;
    }
    case 'likelyToFlap': {
      const interval = decision.interval ?? { low: 0, high: 0, confidence: 0 };
      return `likely to flap: the ${Math.round(interval.confidence * 100)}% CI [${signed(interval.low)}, ${signed(interval.high)}] reaches across the allowed increase +${formatNumber(decision.allowed ?? 0)}; about ${note.streamsNeeded} streams per config (--streams) would narrow it, or allow more than ${decision.gate}`;
    }
    case 'disturbedRun':
      return `the ${note.disturbance.side} run was disturbed (${disturbanceText(note.disturbance)}): its timings are less trustworthy`;
  }
}
