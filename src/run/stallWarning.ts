/**
 * The run's warning about the tool's own event-loop stalls: how many measured streams they
 * disturbed, the longest and where, and a few of the streams. Every stream's stall stays in the
 * result (iterations[].toolStallMs), so the warning need not list them all.
 */
import { DISTURBING_STALL_MS } from '../probes/disturbingStall.js';
import { describeNumberRanges } from '../stats/numberRanges.js';

/** Ranges of disturbed streams the warning names before "and N more". */
const RANGES_SHOWN = 4;

/** A warning naming the measured streams the tool's own stalls disturbed, with the longest; none when no stream was. */
export function stallWarnings(iterations: readonly { stream?: number; toolStallMs?: number }[]): string[] {
  // Streams by their start-order number (iterations are in the order streams ended), as the tool's other messages name them.
  const disturbed = iterations
    .flatMap((sample, index) => ((sample.toolStallMs ?? 0) >= DISTURBING_STALL_MS ? [{ stream: sample.stream ?? index + 1, ms: sample.toolStallMs! }] : []))
    .sort((a, b) => a.stream - b.stream);
  const [first] = disturbed;
  if (first === undefined) return [];
  const worst = disturbed.reduce((a, b) => (b.ms > a.ms ? b : a), first);
  const during =
    disturbed.length === 1
      ? `measured stream ${worst.stream}`
      : `${disturbed.length} of ${iterations.length} measured streams (${describeNumberRanges(
          disturbed.map((entry) => entry.stream),
          RANGES_SHOWN,
        )}), the longest in stream ${worst.stream}`;
  // The worst stall is the first number: the grouped warning block ranks warnings by it.
  return [
    `the tool's event loop stalled for up to ${worst.ms.toFixed(0)} ms during ${during}: their timings may be late by that much; compare treats them as disturbed (every stream's stall: iterations[].toolStallMs)`,
  ];
}
