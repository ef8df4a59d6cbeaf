/**
 * What target mode measures about one stream (the sample target/targetStream.ts records and
 * stats/targetMeasurements.ts accumulates): types only, here below target/ so that stats and
 * merge read samples without importing the runner.
 */

/** How an upstream request was tied to its client stream. */
export type MatchMethod = 'marker' | 'arrival-order';

/** How the client's text relates to the upstream's. */
export interface TextIntegrity {
  /** Characters the upstream sent that never reached the client. */
  missingChars: number;
  /** Characters the client received more than once. */
  duplicatedChars: number;
  /** Client events whose text belongs before text already received (and was not received before). */
  reorderedEvents: number;
  /** Characters the client received that the upstream never sent. */
  foreignChars: number;
  /** The client's text equals the upstream's exactly. */
  exact: boolean;
}

/** What target mode measured about one stream, beside its trace. */
export interface TargetStreamSample {
  matchedBy: MatchMethod;
  /** Client request start → the app's upstream request arrived. */
  appUpstreamRequestMs: number;
  /** Client TTFT − upstream TTFT (first content written), or null without content at the client. */
  ttftAddedMs: number | null;
  /** Share of the text (characters) that reached the client in the last 10 % of the stream (upstream's first content write → client's last content). */
  lastTenthTextShare: number | null;
  /** First → last content write of the upstream, ms. */
  upstreamSpanMs: number;
  upstreamChunks: number;
  clientContentEvents: number;
  contentBytes: number;
  wireBytes: number;
  integrity: TextIntegrity;
  endMarkerSeen: boolean;
}
