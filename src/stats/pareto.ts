/**
 * The Pareto front of sweep points over objectives to minimise (token latency p99, events per
 * token, CPU per token), and the recommendation among them. Pure functions.
 */

/** A point with its objective values (all to minimise). */
export interface ParetoPoint {
  id: string;
  objectives: readonly number[];
}

/** True when `a` is no worse than `b` everywhere and better somewhere. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) better = true;
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
  cpuUsPerToken: number;
}

/** The recommended point and why. */
export interface Recommendation {
  id: string;
  reason: string;
}

/** How far from the best token latency p99 a recommendation may be: a fraction of the best or an amount in ms. */
export interface LatencyBudget {
  value: number;
  relative: boolean;
}

/**
 * Among the front, the points whose token latency p99 is within `budget` of the best; of those
 * the fewest events per token (each event is a write, a read and a frame), then the least CPU.
 * Latency first because it is what users see; cost decides among settings users cannot tell apart.
 */
export function recommend(outcomes: readonly SweepOutcome[], budget: LatencyBudget, format: (value: number) => string = String): Recommendation | null {
  if (outcomes.length === 0) return null;
  const front = new Set(paretoFront(outcomes.map((outcome) => ({ id: outcome.id, objectives: [outcome.tokenLatencyP99Ms, outcome.eventsPerToken, outcome.cpuUsPerToken] }))));
  const best = outcomes.reduce((a, b) => (b.tokenLatencyP99Ms < a.tokenLatencyP99Ms ? b : a));
  const limit = budget.relative ? best.tokenLatencyP99Ms * (1 + budget.value / 100) : best.tokenLatencyP99Ms + budget.value;
  const candidates = outcomes.filter((outcome) => front.has(outcome.id) && outcome.tokenLatencyP99Ms <= limit);
  const chosen = [...candidates].sort((a, b) => a.eventsPerToken - b.eventsPerToken || a.cpuUsPerToken - b.cpuUsPerToken || a.tokenLatencyP99Ms - b.tokenLatencyP99Ms)[0];
  const budgetText = budget.relative ? `${budget.value}%` : `${budget.value} ms`;
  const reason =
    chosen.id === best.id
      ? `the lowest token latency p99 (${format(chosen.tokenLatencyP99Ms)} ms) and the fewest events per token (${format(chosen.eventsPerToken)}) among settings within ${budgetText} of it; CPU ${format(chosen.cpuUsPerToken)} µs/token`
      : `token latency p99 ${format(chosen.tokenLatencyP99Ms)} ms, within ${budgetText} of the best (${format(best.tokenLatencyP99Ms)} ms at ${best.id}), with ${format(chosen.eventsPerToken)} events per token instead of ${format(best.eventsPerToken)} and CPU ${format(chosen.cpuUsPerToken)} µs/token instead of ${format(best.cpuUsPerToken)}`;
  return { id: chosen.id, reason };
}
