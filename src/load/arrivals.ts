import type { Random } from '../sources/random.js';

/**
 * Open-loop arrival times, in ms from the start of the load: `count` arrivals at `perSecond`
 * (constant spacing, or Poisson), the rate rising linearly from 0 over `rampMs`. Arrivals
 * are placed on the cumulative intensity Λ(t): arrival k is where Λ reaches k (constant) or
 * the k-th point of a unit-rate Poisson process (time rescaling). Pure and seeded.
 */
export function planArrivals(options: { count: number; perSecond: number; arrivals: 'constant' | 'poisson'; rampMs: number; durationMs?: number; random: Random }): number[] {
  const { count, perSecond, arrivals, rampMs, durationMs, random } = options;
  const perMs = perSecond / 1000;
  // Λ(t) = perMs · t²/(2·ramp) during the ramp, then grows by perMs per ms.
  const rampArrivals = (perMs * rampMs) / 2;
  const timeOfCumulative = (cumulative: number) => (cumulative <= rampArrivals ? Math.sqrt((2 * cumulative * rampMs) / perMs) : rampMs + (cumulative - rampArrivals) / perMs);

  const offsets: number[] = [];
  let cumulative = 0;
  for (let index = 0; index < count; index++) {
    if (arrivals === 'poisson') cumulative += -Math.log(1 - random.next());
    else if (index > 0) cumulative += 1;
    const atMs = timeOfCumulative(cumulative);
    if (durationMs !== undefined && atMs > durationMs) break;
    offsets.push(atMs);
  }
  return offsets;
}
