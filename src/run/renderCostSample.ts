/**
 * Which streams measure the client's render cost. Under load (overlapping streams) the lean
 * client's markdown work is the simulated browser's, not the relay's: 1 measured stream in a
 * stride lexes on every render (its incremental paths hit as they would in a browser, so its
 * render costs are true per-render costs); the others keep and verify the text but do no
 * markdown work. The stride is 8, or more for loads of over 128 streams in flight, so that about
 * 16 streams lex at once whatever the load: the sample stays large enough to read while the
 * simulated browsers' work stops growing with the load. Alone (no overlap) and in warm-up,
 * every stream measures.
 */

/** Under load, 1 measured stream in at least this many measures the client's render cost. */
export const RENDER_COST_STREAM_SAMPLE = 8;

/** Under load, about this many of the streams in flight at once measure their render cost (when the stride is over 8). */
export const RENDER_COST_STREAMS_IN_FLIGHT = 16;

/** The stride of the render-cost sample for a load of `streamsInFlight` streams at once (the whole run's, over all shards and workers). */
export function renderCostStride(streamsInFlight: number): number {
  return Math.max(RENDER_COST_STREAM_SAMPLE, Math.ceil(streamsInFlight / RENDER_COST_STREAMS_IN_FLIGHT));
}

/**
 * Whether stream `streamIndex` (warm-up streams first, then the measured ones) measures its
 * render cost: always when streams do not overlap or in warm-up; under load, measured streams
 * 0, N, 2N, … (N = `stride`, counted over the whole run, all shards and workers).
 */
export function measuresRenderCost(streamIndex: number, warmupStreams: number, streamsOverlap: boolean, stride = RENDER_COST_STREAM_SAMPLE): boolean {
  if (!streamsOverlap || streamIndex < warmupStreams) return true;
  return (streamIndex - warmupStreams) % stride === 0;
}
