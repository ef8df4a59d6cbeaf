/**
 * The plain verdict on what an app does to the stream — it buffers (most text arrives together
 * at the end), it delays (a steady added latency per token above a threshold), it streams
 * through, or the data cannot decide — always with the evidence. Pure.
 */

/** The verdict's kind. */
export type VerdictKind = 'buffers' | 'delays' | 'streams-through' | 'undecided';

/** What the verdict is decided from (over a config's measured streams). */
export interface VerdictEvidence {
  streams: number;
  /** Median over streams of the share of text that arrived in the last 10 % of the stream. */
  lastTenthTextShareMedian: number | null;
  /** Median over streams of the upstream's first → last content write, ms. */
  upstreamSpanMsMedian: number | null;
  upstreamChunksPerClientEvent: number | null;
  /** Median over streams of the upstream's content chunks. */
  upstreamChunksMedian: number | null;
  /** Added latency per token (client receive − upstream write) percentiles, ms. */
  addedLatencyP10Ms: number | null;
  addedLatencyP50Ms: number | null;
  addedLatencyP99Ms: number | null;
}

/** The thresholds a scenario sets (target.verdict). */
export interface VerdictThresholds {
  delayThresholdMs: number;
  bufferShare: number;
}

/** A verdict and the sentences that justify it. */
export interface Verdict {
  kind: VerdictKind;
  evidence: string[];
}

// Below this the stream is too short to tell buffering from a fast stream.
const MIN_SPAN_MS = 50;
const MIN_CHUNKS = 5;
// How near a threshold a figure must be for the evidence to call the verdict borderline.
const BORDERLINE_SHARE = 0.25;
const BORDERLINE_BUFFER_SHARE = 0.1;

const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
const percent = (share: number) => `${(share * 100).toFixed(0)} %`;

/** Decides the verdict from the evidence. */
export function decideVerdict(evidence: VerdictEvidence, thresholds: VerdictThresholds): Verdict {
  const lines: string[] = [];
  const { lastTenthTextShareMedian: share, upstreamSpanMsMedian: span, addedLatencyP10Ms: p10, addedLatencyP50Ms: p50, addedLatencyP99Ms: p99 } = evidence;
  if (evidence.streams === 0 || share === null || p50 === null || p10 === null || p99 === null) {
    return { kind: 'undecided', evidence: ['no measured stream delivered text: nothing to decide from'] };
  }
  lines.push(`${percent(share)} of the text arrived in the last 10 % of the stream (median of ${evidence.streams} streams)`);
  if (evidence.upstreamChunksPerClientEvent !== null) lines.push(`${evidence.upstreamChunksPerClientEvent.toFixed(2)} upstream chunks per client event`);
  lines.push(`added latency per token p10 ${ms(p10)}, p50 ${ms(p50)}, p99 ${ms(p99)}`);
  const spanLongEnough = span !== null && span >= MIN_SPAN_MS && (evidence.upstreamChunksMedian ?? 0) >= MIN_CHUNKS;
  if (share >= thresholds.bufferShare) {
    if (!spanLongEnough) {
      lines.push(`the upstream wrote its text within ${ms(span ?? 0)}: too short to tell buffering from a fast stream (needs ≥ ${MIN_SPAN_MS} ms and ≥ ${MIN_CHUNKS} chunks)`);
      return { kind: 'undecided', evidence: lines };
    }
    lines.push(`at least ${percent(thresholds.bufferShare)} at the end while the upstream spread it over ${ms(span!)}: the app holds the answer back`);
    return { kind: 'buffers', evidence: lines };
  }
  // A p10 or share near its threshold can fall either side on another run: say so rather than sound sure.
  const borderline: string[] = [];
  if (Math.abs(p10 - thresholds.delayThresholdMs) <= thresholds.delayThresholdMs * BORDERLINE_SHARE) {
    borderline.push(
      `borderline: p10 ${ms(p10)} is within ${percent(BORDERLINE_SHARE)} of the ${ms(thresholds.delayThresholdMs)} delay threshold, another run may decide the other way`,
    );
  }
  if (thresholds.bufferShare - share <= BORDERLINE_BUFFER_SHARE) {
    borderline.push(`borderline: ${percent(share)} at the end is close to the ${percent(thresholds.bufferShare)} buffering threshold`);
  }
  if (p10 >= thresholds.delayThresholdMs) {
    lines.push(`even the fastest 10 % of tokens were ${ms(p10)} late (threshold ${ms(thresholds.delayThresholdMs)}): a steady delay per token`);
    return { kind: 'delays', evidence: [...lines, ...borderline] };
  }
  lines.push(
    `text arrives as the upstream writes it (p10 below the ${ms(thresholds.delayThresholdMs)} delay threshold, the last 10 % holds less than ${percent(thresholds.bufferShare)})`,
  );
  return { kind: 'streams-through', evidence: [...lines, ...borderline] };
}
