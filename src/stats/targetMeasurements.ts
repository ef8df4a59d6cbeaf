/**
 * Accumulates target mode's per-stream samples of one config into its `target` result block
 * and its exact counters; as plain data (a snapshot) for shard runs, so that `merge` rebuilds
 * the block exactly from every shard's streams. Pure: samples in, summaries out.
 */
import type { Summary, TargetResult } from '../result/resultSchema.js';
import { Distribution } from './distribution.js';
import type { TargetStreamSample } from './targetSample.js';
import { decideVerdict, type VerdictThresholds } from './targetVerdicts.js';

/** The app's Redis calls over the measured streams (raw counts, not per token). */
export interface RedisCallCounts {
  /** Redacted URL. */
  url: string;
  /** INFO commandstats deltas: what Redis executed, a script's commands included. */
  executed: Record<string, number>;
  /** Commands clients sent (MONITOR, script lines left out), or null with sentNote. */
  sent: Record<string, number> | null;
  sentNote?: string;
}

/** The parts of the block that come from outside the samples. */
export interface TargetContextFacts {
  url: string;
  format: string;
  upstreamUrl: string;
  app: TargetResult['app'];
  thresholds: VerdictThresholds;
  /** Added latency per token (the config's token latency), for the verdict. */
  addedLatency: Distribution;
  /** Set when the block is merged from shards: what the merge could not make exact. */
  merged?: NonNullable<TargetResult['merged']>;
}

/** One stream's figures that the block needs, as kept in a snapshot. */
type StreamFigures = NonNullable<TargetResult['snapshot']>['streams'][number];

/** The block's exact state as plain data (shard runs), merged by `streambench merge`. */
export type TargetSnapshot = NonNullable<TargetResult['snapshot']>;

// Calls that run a script: one round trip each, whatever the script does inside.
const SCRIPT_COMMANDS = ['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro'];

const EXECUTED_EXACTNESS =
  "executed: INFO commandstats deltas over the measured streams, a script's own commands (redis.call) counted under their names; sent: MONITOR over the same interval, one per command a client sent (an EVALSHA is one, whatever its script runs); both exact only when nothing else uses this Redis during the run (streambench's own calls are left out)";

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  // Non-empty, so middle (and, length even, middle - 1) is in range.
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const total = (calls: Record<string, number>) => Object.values(calls).reduce((sum, value) => sum + value, 0);
const addCalls = (into: Record<string, number>, calls: Record<string, number>) => {
  for (const [command, count] of Object.entries(calls)) into[command] = (into[command] ?? 0) + count;
};
const perToken = (calls: Record<string, number>, tokens: number) => Object.fromEntries(Object.entries(calls).map(([command, count]) => [command, count / tokens]));

function figuresOf(sample: TargetStreamSample): StreamFigures {
  const { integrity } = sample;
  return {
    matchedBy: sample.matchedBy,
    lastTenthTextShare: sample.lastTenthTextShare,
    upstreamSpanMs: sample.upstreamSpanMs,
    upstreamChunks: sample.upstreamChunks,
    clientContentEvents: sample.clientContentEvents,
    contentBytes: sample.contentBytes,
    wireBytes: sample.wireBytes,
    exact: integrity.exact,
    missingChars: integrity.missingChars,
    duplicatedChars: integrity.duplicatedChars,
    reorderedEvents: integrity.reorderedEvents,
    foreignChars: integrity.foreignChars,
    endMarkerSeen: sample.endMarkerSeen,
  };
}

/** Target samples of a config's measured streams. */
export class TargetMeasurements {
  private readonly streams: StreamFigures[] = [];
  private readonly ttftAdded = new Distribution();
  private readonly appUpstreamRequest = new Distribution();
  private readonly writeLatency = new Distribution();
  private tokens = 0;
  private unmatchedUpstreamRequests = 0;
  private redis: RedisCallCounts | null = null;
  private writeLatencyTimed = false;

  /** Adds one measured stream's sample and its token count. */
  add(sample: TargetStreamSample, tokens: number): void {
    this.streams.push(figuresOf(sample));
    this.tokens += tokens;
    // Negative only when the client saw text before the upstream's stamp (it cannot): clamp at 0 for the histogram.
    if (sample.ttftAddedMs !== null) this.ttftAdded.record(Math.max(0, sample.ttftAddedMs));
    this.appUpstreamRequest.record(Math.max(0, sample.appUpstreamRequestMs));
  }

  /** Tokens of the measured streams added. */
  get tokenCount(): number {
    return this.tokens;
  }

  /** Upstream requests tied to no client stream, over the config. */
  setUnmatchedUpstreamRequests(count: number): void {
    this.unmatchedUpstreamRequests = count;
  }

  /** The app's Redis calls over the measured streams, and (keyspace notifications) its write times. */
  setRedis(calls: RedisCallCounts, writeLatency: Distribution | null): void {
    this.redis = calls;
    if (writeLatency) {
      this.writeLatencyTimed = true;
      this.writeLatency.merge(writeLatency);
    }
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

  private sum(pick: (figures: StreamFigures) => number): number {
    return this.streams.reduce((sum, figures) => sum + pick(figures), 0);
  }

  /**
   * Exact counters for metrics.counters (gated exactly by `compare`). Redis commands per token
   * are the commands the app SENT (the project's definition: an EVALSHA is one command, one
   * round trip), by type too; what Redis executed is `appRedisCommandsExecutedPerToken`.
   */
  counters(): Record<string, number> {
    const streams = this.streams.length;
    if (streams === 0) return {};
    const clientEvents = this.sum((figures) => figures.clientContentEvents);
    const counters: Record<string, number> = {
      upstreamChunksPerClientEvent: clientEvents > 0 ? this.sum((figures) => figures.upstreamChunks) / clientEvents : 0,
      missingCharsPerStream: this.sum((figures) => figures.missingChars) / streams,
      duplicatedCharsPerStream: this.sum((figures) => figures.duplicatedChars) / streams,
      foreignCharsPerStream: this.sum((figures) => figures.foreignChars) / streams,
    };
    const redis = this.redis;
    if (redis && this.tokens > 0) {
      counters.appRedisCommandsExecutedPerToken = total(redis.executed) / this.tokens;
      if (redis.sent) {
        counters.appRedisCommandsPerToken = total(redis.sent) / this.tokens;
        // Gate metric names allow letters, digits and "_" (client|setname → client_setname).
        for (const [command, calls] of Object.entries(redis.sent)) counters[`appRedis_${command.replace(/[^A-Za-z0-9]/g, '_')}PerToken`] = calls / this.tokens;
      }
    }
    return counters;
  }

  /** The exact state as plain data, for a shard result. */
  toSnapshot(): TargetSnapshot {
    return {
      streams: [...this.streams],
      tokens: this.tokens,
      ttftAddedMs: this.ttftAdded.count > 0 ? this.ttftAdded.toEncoded() : null,
      appUpstreamRequestMs: this.appUpstreamRequest.count > 0 ? this.appUpstreamRequest.toEncoded() : null,
      unmatchedUpstreamRequests: this.unmatchedUpstreamRequests,
      ...(this.redis && {
        redis: {
          ...this.redis,
          ...(this.writeLatencyTimed && { writeLatencyMs: this.writeLatency.count > 0 ? this.writeLatency.toEncoded() : null }),
        },
      }),
    };
  }

  /**
   * Adds a shard's snapshot. Redis counts add up: exact when each shard's app had a Redis of its
   * own (or the shards did not run at the same time), the caller says so in the merged block.
   */
  mergeSnapshot(snapshot: TargetSnapshot): void {
    this.streams.push(...snapshot.streams);
    this.tokens += snapshot.tokens;
    if (snapshot.ttftAddedMs) this.ttftAdded.merge(Distribution.fromEncoded(snapshot.ttftAddedMs));
    if (snapshot.appUpstreamRequestMs) this.appUpstreamRequest.merge(Distribution.fromEncoded(snapshot.appUpstreamRequestMs));
    this.unmatchedUpstreamRequests += snapshot.unmatchedUpstreamRequests;
    const redis = snapshot.redis;
    if (!redis) return;
    const mine = (this.redis ??= { url: redis.url, executed: {}, sent: {} });
    addCalls(mine.executed, redis.executed);
    // One shard without a sent count makes the sum unknown.
    if (mine.sent && redis.sent) addCalls(mine.sent, redis.sent);
    else {
      mine.sent = null;
      mine.sentNote ??= redis.sentNote ?? 'not counted in every shard';
    }
    if (redis.writeLatencyMs !== undefined) {
      this.writeLatencyTimed = true;
      if (redis.writeLatencyMs) this.writeLatency.merge(Distribution.fromEncoded(redis.writeLatencyMs));
    }
  }

  /** The config's `target` block. */
  toResult(facts: TargetContextFacts): TargetResult {
    const streams = this.streams;
    const clientEvents = this.sum((figures) => figures.clientContentEvents);
    const wireBytes = this.sum((figures) => figures.wireBytes);
    const shares = streams.map((figures) => figures.lastTenthTextShare).filter((share): share is number => share !== null);
    const upstreamChunksPerClientEvent = clientEvents > 0 ? this.sum((figures) => figures.upstreamChunks) / clientEvents : null;
    const latency = facts.addedLatency;
    const byArrivalOrder = streams.filter((figures) => figures.matchedBy === 'arrival-order').length;
    const verdict = decideVerdict(
      {
        streams: streams.length,
        lastTenthTextShareMedian: median(shares),
        upstreamSpanMsMedian: median(streams.map((figures) => figures.upstreamSpanMs)),
        upstreamChunksMedian: median(streams.map((figures) => figures.upstreamChunks)),
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
        byMarker: streams.length - byArrivalOrder,
        byArrivalOrder,
        unmatchedUpstreamRequests: this.unmatchedUpstreamRequests,
        ...(byArrivalOrder > 0 && {
          note: `${byArrivalOrder} upstream requests did not carry the client's marker (the app rewrote or dropped the prompt) and were matched by arrival order: exact one stream at a time, a guess under load`,
        }),
      },
      verdict: { ...verdict, delayThresholdMs: facts.thresholds.delayThresholdMs, bufferShare: facts.thresholds.bufferShare },
      ttftAddedMs: this.ttftAdded.summary(),
      appUpstreamRequestMs: this.appUpstreamRequest.summary(),
      lastTenthTextShare: shares.length > 0 ? { median: median(shares)!, max: Math.max(...shares) } : null,
      upstreamChunksPerClientEvent,
      framingOverheadShare: wireBytes > 0 ? (wireBytes - this.sum((figures) => figures.contentBytes)) / wireBytes : null,
      integrity: {
        streams: streams.length,
        exactStreams: streams.filter((figures) => figures.exact).length,
        missingChars: this.sum((figures) => figures.missingChars),
        duplicatedChars: this.sum((figures) => figures.duplicatedChars),
        reorderedEvents: this.sum((figures) => figures.reorderedEvents),
        foreignChars: this.sum((figures) => figures.foreignChars),
        streamsWithoutEndMarker: streams.filter((figures) => !figures.endMarkerSeen).length,
      },
      ...(facts.merged && { merged: facts.merged }),
    };
    const redis = this.redis;
    // No token measured, no per-token figure: "0 per token" would read as a measurement.
    if (redis && this.tokens > 0) {
      const tokens = this.tokens;
      const writeLatencyMs: Summary | null = this.writeLatency.summary();
      result.redis = {
        url: redis.url,
        exactness: EXECUTED_EXACTNESS,
        commandsSentPerToken: redis.sent ? total(redis.sent) / tokens : null,
        commandsSentByType: redis.sent ? perToken(redis.sent, tokens) : null,
        ...(redis.sent === null && { sentNote: redis.sentNote ?? 'not counted' }),
        commandsExecutedPerToken: total(redis.executed) / tokens,
        commandsExecutedByType: perToken(redis.executed, tokens),
        scriptCallsPerToken: SCRIPT_COMMANDS.reduce((sum, command) => sum + (redis.executed[command] ?? 0), 0) / tokens,
        ...(this.writeLatencyTimed && { writeLatencyMs }),
      };
    }
    return result;
  }
}
