/**
 * Accumulates target mode's per-stream samples of one config into its `target` result block
 * and its exact counters. Pure: samples in, summaries out.
 */
import type { Summary, TargetResult } from '../report/resultSchema.js';
import { Distribution } from '../stats/distribution.js';
import type { TargetStreamSample } from './targetStream.js';
import { decideVerdict, type VerdictThresholds } from './verdicts.js';

/** The parts of the block that come from outside the samples. */
export interface TargetContextFacts {
  url: string;
  format: string;
  upstreamUrl: string;
  app: TargetResult['app'];
  unmatchedUpstreamRequests: number;
  thresholds: VerdictThresholds;
  /** Added latency per token (the config's token latency), for the verdict. */
  addedLatency: Distribution;
  /** The app's Redis calls by command over the measured streams, with the Redis's redacted URL. */
  redis: { url: string; calls: Record<string, number>; writeLatencyMs?: Summary | null } | null;
}

// Calls that run a script: one round trip each, whatever the script does inside.
const SCRIPT_COMMANDS = ['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro'];

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Target samples of a config's measured streams. */
export class TargetMeasurements {
  private readonly samples: TargetStreamSample[] = [];
  private readonly ttftAdded = new Distribution();
  private readonly appUpstreamRequest = new Distribution();
  private tokens = 0;

  /** Adds one measured stream's sample and its token count. */
  add(sample: TargetStreamSample, tokens: number): void {
    this.samples.push(sample);
    this.tokens += tokens;
    // Negative only when the client saw text before the upstream's stamp (it cannot): clamp at 0 for the histogram.
    if (sample.ttftAddedMs !== null) this.ttftAdded.record(Math.max(0, sample.ttftAddedMs));
    this.appUpstreamRequest.record(Math.max(0, sample.appUpstreamRequestMs));
  }

  /** Tokens of the measured streams added. */
  get tokenCount(): number {
    return this.tokens;
  }

  /** One stream's own counters (same names as counters()), for the gates' per-stream statistics. */
  static streamCounters(sample: TargetStreamSample): Record<string, number> {
    return {
      upstreamChunksPerClientEvent: sample.clientContentEvents > 0 ? sample.upstreamChunks / sample.clientContentEvents : 0,
      missingCharsPerStream: sample.integrity.missingChars,
      duplicatedCharsPerStream: sample.integrity.duplicatedChars,
      foreignCharsPerStream: sample.integrity.foreignChars,
    };
  }

  /** Exact counters for metrics.counters (gated exactly by `compare`). */
  counters(redisCalls: Record<string, number> | null): Record<string, number> {
    const streams = this.samples.length;
    if (streams === 0) return {};
    const sum = (pick: (sample: TargetStreamSample) => number) => this.samples.reduce((total, sample) => total + pick(sample), 0);
    const clientEvents = sum((sample) => sample.clientContentEvents);
    const counters: Record<string, number> = {
      upstreamChunksPerClientEvent: clientEvents > 0 ? sum((sample) => sample.upstreamChunks) / clientEvents : 0,
      missingCharsPerStream: sum((sample) => sample.integrity.missingChars) / streams,
      duplicatedCharsPerStream: sum((sample) => sample.integrity.duplicatedChars) / streams,
      foreignCharsPerStream: sum((sample) => sample.integrity.foreignChars) / streams,
    };
    if (redisCalls && this.tokens > 0) {
      counters.appRedisCommandsPerToken = Object.values(redisCalls).reduce((total, calls) => total + calls, 0) / this.tokens;
      // Gate metric names allow letters, digits and "_" (client|setname → client_setname).
      for (const [command, calls] of Object.entries(redisCalls)) counters[`appRedis_${command.replace(/[^A-Za-z0-9]/g, '_')}PerToken`] = calls / this.tokens;
    }
    return counters;
  }

  /** The config's `target` block. */
  toResult(facts: TargetContextFacts): TargetResult {
    const samples = this.samples;
    const sum = (pick: (sample: TargetStreamSample) => number) => samples.reduce((total, sample) => total + pick(sample), 0);
    const clientEvents = sum((sample) => sample.clientContentEvents);
    const wireBytes = sum((sample) => sample.wireBytes);
    const shares = samples.map((sample) => sample.lastTenthTextShare).filter((share): share is number => share !== null);
    const upstreamChunksPerClientEvent = clientEvents > 0 ? sum((sample) => sample.upstreamChunks) / clientEvents : null;
    const latency = facts.addedLatency;
    const byArrivalOrder = samples.filter((sample) => sample.matchedBy === 'arrival-order').length;
    const verdict = decideVerdict(
      {
        streams: samples.length,
        lastTenthTextShareMedian: median(shares),
        upstreamSpanMsMedian: median(samples.map((sample) => sample.upstreamSpanMs)),
        upstreamChunksMedian: median(samples.map((sample) => sample.upstreamChunks)),
        upstreamChunksPerClientEvent,
        addedLatencyP10Ms: latency.count > 0 ? latency.percentile(10) : null,
        addedLatencyP50Ms: latency.count > 0 ? latency.percentile(50) : null,
        addedLatencyP99Ms: latency.count > 0 ? latency.percentile(99) : null,
      },
      facts.thresholds,
    );
    const result: TargetResult = {
      url: facts.url,
      format: facts.format,
      upstreamUrl: facts.upstreamUrl,
      app: facts.app,
      matching: {
        byMarker: samples.length - byArrivalOrder,
        byArrivalOrder,
        unmatchedUpstreamRequests: facts.unmatchedUpstreamRequests,
        ...(byArrivalOrder > 0 && {
          note: `${byArrivalOrder} upstream requests did not carry the client's marker (the app rewrote or dropped the prompt) and were matched by arrival order: exact one stream at a time, a guess under load`,
        }),
      },
      verdict: { ...verdict, delayThresholdMs: facts.thresholds.delayThresholdMs, bufferShare: facts.thresholds.bufferShare },
      ttftAddedMs: this.ttftAdded.summary(),
      appUpstreamRequestMs: this.appUpstreamRequest.summary(),
      lastTenthTextShare: shares.length > 0 ? { median: median(shares)!, max: Math.max(...shares) } : null,
      upstreamChunksPerClientEvent,
      framingOverheadShare: wireBytes > 0 ? (wireBytes - sum((sample) => sample.contentBytes)) / wireBytes : null,
      integrity: {
        streams: samples.length,
        exactStreams: samples.filter((sample) => sample.integrity.exact).length,
        missingChars: sum((sample) => sample.integrity.missingChars),
        duplicatedChars: sum((sample) => sample.integrity.duplicatedChars),
        reorderedEvents: sum((sample) => sample.integrity.reorderedEvents),
        foreignChars: sum((sample) => sample.integrity.foreignChars),
        streamsWithoutEndMarker: samples.filter((sample) => !sample.endMarkerSeen).length,
      },
    };
    if (facts.redis) {
      const total = Object.values(facts.redis.calls).reduce((sum, calls) => sum + calls, 0);
      result.redis = {
        url: facts.redis.url,
        exactness:
          "INFO commandstats deltas over the measured streams: exact only when nothing else uses this Redis during the run (streambench's own INFO calls are left out); commands run inside scripts are counted under their own names as well",
        commandsPerToken: this.tokens > 0 ? total / this.tokens : 0,
        scriptCallsPerToken: this.tokens > 0 ? SCRIPT_COMMANDS.reduce((sum, command) => sum + (facts.redis!.calls[command] ?? 0), 0) / this.tokens : 0,
        commandsByType: Object.fromEntries(Object.entries(facts.redis.calls).map(([command, calls]) => [command, this.tokens > 0 ? calls / this.tokens : 0])),
        ...(facts.redis.writeLatencyMs !== undefined && { writeLatencyMs: facts.redis.writeLatencyMs }),
      };
    }
    return result;
  }
}
