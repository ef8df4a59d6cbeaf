/**
 * What a source reported about the upstream server during one stream: time to first byte
 * and first event, malformed lines, the server's usage, and how tokens were counted. The
 * runner hands one to `source.open()` as its observer and keeps it in the stream's trace.
 */
import type { SourceObserver, TokenCountMethod, UpstreamUsage } from '../sources/types.js';

/** Records the observer calls of one stream (first call wins for the timings). */
export class UpstreamRecord implements SourceObserver {
  firstByteAtMs: number | null = null;
  firstEventAtMs: number | null = null;
  malformedLines = 0;
  usageReport: UpstreamUsage | null = null;
  tokenCountMethod: TokenCountMethod | null = null;
  reasoningTokens = 0;
  /** True once the source reported anything: it talks to a server (http), so upstream counters apply. */
  observed = false;
  /** A planned source (synthetic, replay): how late its latest chunk was against the plan, in ms; null for other sources. */
  scheduleLagMaxMs: number | null = null;

  scheduleLag(lateMs: number): void {
    // The source's own pace, not a server's: it does not make the stream an upstream one.
    this.scheduleLagMaxMs = Math.max(this.scheduleLagMaxMs ?? 0, lateMs);
  }

  firstByte(atMs: number): void {
    this.observed = true;
    this.firstByteAtMs ??= atMs;
  }

  firstEvent(atMs: number): void {
    this.observed = true;
    this.firstEventAtMs ??= atMs;
  }

  malformedLine(): void {
    this.observed = true;
    this.malformedLines++;
  }

  usage(usage: UpstreamUsage): void {
    this.observed = true;
    this.usageReport = usage;
  }

  tokenCount(report: { method: TokenCountMethod; reasoningTokens: number }): void {
    this.observed = true;
    this.tokenCountMethod = report.method;
    this.reasoningTokens = report.reasoningTokens;
  }
}
