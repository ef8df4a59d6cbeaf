/**
 * Which streams measure the client's render cost. Under load (overlapping streams) the lean
 * client's markdown work is the simulated browser's, not the relay's: 1 measured stream in
 * RENDER_COST_STREAM_SAMPLE lexes on every render (its incremental paths hit as they would in
 * a browser, so its render costs are true per-render costs); the others keep and verify the
 * text but do no markdown work. Alone (no overlap) and in warm-up, every stream measures.
 */

/** Under load, 1 measured stream in this many measures the client's render cost. */
export const RENDER_COST_STREAM_SAMPLE = 8;

/**
 * Whether stream `streamIndex` (warm-up streams first, then the measured ones) measures its
 * render cost: always when streams do not overlap or in warm-up; under load, measured streams
 * 0, N, 2N, … (N = RENDER_COST_STREAM_SAMPLE, counted over the whole run, all shards and workers).
 */
export function measuresRenderCost(streamIndex: number, warmupStreams: number, streamsOverlap: boolean): boolean {
  if (!streamsOverlap || streamIndex < warmupStreams) return true;
  return (streamIndex - warmupStreams) % RENDER_COST_STREAM_SAMPLE === 0;
}
