/**
 * The Pareto front of sweep points over objectives to minimise (token latency p99 and events per
 * token), and the recommendation among them — made only when the points differ by more than
 * their stream-to-stream spread. CPU per token is shown but decides nothing: measured with a
 * process clock, it moved by 40 % and more between runs of the same code on a shared machine
 * (docs/reports.md). Pure functions.
 */

/** A point with its objective values (all to minimise). */
export interface ParetoPoint {
  id: string;
  objectives: readonly number[];
}

/** True when `a` is no worse than `b` everywhere and better somewhere. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (const [i, value] of a.entries()) {
    const other = b[i] ?? Number.NaN; // a missing objective compares as neither worse nor better, as before
    if (value > other) return false;
    if (value < other) better = true;
  }
  return better;
}

/** Ids of the points no other point dominates, in input order. */
export function paretoFront(points: readonly ParetoPoint[]): string[] {
  return points.filter((point) => !points.some((other) => other !== point && dominates(other.objectives, point.objectives))).map((point) => point.id);
}

/** A sweep point's numbers, for the recommendation. */
export interface SweepOutcome {
  id: string;
  tokenLatencyP99Ms: number;
  eventsPerToken: number;
  /** Shown beside the others; never decides (see the file comment). */
  cpuUsPerToken: number;
  /** Lowest and highest per-stream value of each objective, and the streams behind them. */
  spread?: { streams: number; tokenLatencyP99Ms: [number, number]; eventsPerToken: [number, number] };
}

/** The recommended point and why. */
export interface Recommendation {
  id: string;
  reason: string;
}

/** The objectives the front and the recommendation decide on. */
export function objectivesOf(outcome: SweepOutcome): number[] {
  return [outcome.tokenLatencyP99Ms, outcome.eventsPerToken];
}

/**
 * Whether two points differ beyond noise on one objective: the ranges of their per-stream values
 * do not overlap. Without per-stream spreads nothing can be told apart.
 */
function distinct(a: SweepOutcome, b: SweepOutcome, objective: 'tokenLatencyP99Ms' | 'eventsPerToken'): boolean {
  if (!a.spread || !b.spread) return false;
  const [aLow, aHigh] = a.spread[objective];
  const [bLow, bHigh] = b.spread[objective];
  return aHigh < bLow || bHigh < aLow;
}

/** Ids of the points `chosen` cannot be told apart from on any objective. */
export function indistinguishable(chosen: SweepOutcome, outcomes: readonly SweepOutcome[]): string[] {
  return outcomes.filter((other) => other.id !== chosen.id && !distinct(chosen, other, 'tokenLatencyP99Ms') && !distinct(chosen, other, 'eventsPerToken')).map((other) => other.id);
}

/**
 * Why no recommendation can be made on these outcomes' noise, or null when one can: every point
 * needs at least two streams (one stream shows no spread), and some pair of points must differ
 * by more than their spread on some objective.
 */
export function noiseProblem(outcomes: readonly SweepOutcome[]): string | null {
  if (outcomes.length < 2) return null;
  const fewest = Math.min(...outcomes.map((outcome) => outcome.spread?.streams ?? 0));
  if (fewest < 2)
    return `${fewest} measured stream${fewest === 1 ? '' : 's'} per point shows no stream-to-stream spread to judge differences against: at least 2 are needed, and more show a truer spread (--streams 3 or more)`;
  const anyDistinct = outcomes.some((a) => outcomes.some((b) => a !== b && (distinct(a, b, 'tokenLatencyP99Ms') || distinct(a, b, 'eventsPerToken'))));
  if (!anyDistinct) {
    return 'no point differs from another by more than the stream-to-stream spread (the per-stream ranges of token latency p99 and of events per token overlap): the swept values make no difference a run this short can show; sweep values further apart or run more --streams';
  }
  return null;
}

/** How far from the best token latency p99 a recommendation may be: a fraction of the best or an amount in ms. */
export interface LatencyBudget {
  value: number;
  relative: boolean;
}

/**
 * Among the front, the points whose token latency p99 is within `budget` of the best; of those
 * the fewest events per token (each event is a write, a read and a frame), then the lower latency.
 * Latency first because it is what users see; cost decides among settings users cannot tell apart.
 * With per-stream spreads, a point beats the lowest latency on cost only with fewer events per
 * token beyond the spread (else the lowest latency stays the pick), and the reason names the
 * points the pick cannot be told apart from.
 */
export function recommend(outcomes: readonly SweepOutcome[], budget: LatencyBudget, format: (value: number) => string = String): Recommendation | null {
  if (outcomes.length === 0) return null;
  const front = new Set(paretoFront(outcomes.map((outcome) => ({ id: outcome.id, objectives: objectivesOf(outcome) }))));
  // The lowest latency; on a tie, the fewer events (so the best is never dominated).
  const best = outcomes.reduce((a, b) =>
    b.tokenLatencyP99Ms < a.tokenLatencyP99Ms || (b.tokenLatencyP99Ms === a.tokenLatencyP99Ms && b.eventsPerToken < a.eventsPerToken) ? b : a,
  );
  const limit = budget.relative ? best.tokenLatencyP99Ms * (1 + budget.value / 100) : best.tokenLatencyP99Ms + budget.value;
  // Cheaper than the lowest latency only when the run can tell: fewer events per token beyond the stream-to-stream spread.
  const leaner = (outcome: SweepOutcome) => outcome.eventsPerToken < best.eventsPerToken && (!outcome.spread || !best.spread || distinct(outcome, best, 'eventsPerToken'));
  // Never empty: the lowest latency, or a point that dominates it, is on the front and within the budget.
  const candidates = outcomes.filter((outcome) => front.has(outcome.id) && outcome.tokenLatencyP99Ms <= limit);
  const byCost = (a: SweepOutcome, b: SweepOutcome) => a.eventsPerToken - b.eventsPerToken || a.tokenLatencyP99Ms - b.tokenLatencyP99Ms;
  const byLatency = (a: SweepOutcome, b: SweepOutcome) => a.tokenLatencyP99Ms - b.tokenLatencyP99Ms || a.eventsPerToken - b.eventsPerToken;
  const chosen = candidates.filter(leaner).sort(byCost)[0] ?? [...candidates].sort(byLatency)[0] ?? best;
  const ties = chosen.spread ? indistinguishable(chosen, outcomes) : [];
  const tieText = ties.length > 0 ? `; not told apart from ${ties.join(', ')} within the stream-to-stream spread` : '';
  const budgetText = budget.relative ? `${budget.value}%` : `${budget.value} ms`;
  const reason =
    chosen.id === best.id
      ? `the lowest token latency p99 (${format(chosen.tokenLatencyP99Ms)} ms), with ${format(chosen.eventsPerToken)} events per token: no setting within ${budgetText} of it sends fewer${best.spread ? ' beyond the stream-to-stream spread' : ''}`
      : `token latency p99 ${format(chosen.tokenLatencyP99Ms)} ms, within ${budgetText} of the best (${format(best.tokenLatencyP99Ms)} ms at ${best.id}), with ${format(chosen.eventsPerToken)} events per token instead of ${format(best.eventsPerToken)}${best.spread && leaner(chosen) ? ' (fewer beyond the stream-to-stream spread)' : ''}`;
  return { id: chosen.id, reason: `${reason}${tieText}` };
}
