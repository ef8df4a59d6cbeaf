/**
 * Turns stream traces into a config's metrics (DESIGN.md §4). Pure: traces and counts in,
 * summaries and per-token counters out. Time metrics of every measured stream of a config
 * are pooled in one histogram each; counters are summed and divided by tokens sent.
 */
import { STAGES, type StageName } from '../probes/stages.js';
import type { BrokerCounters, DeliveryCounters } from '../pipeline/types.js';
import type { MessageStage, StreamTrace } from '../probes/streamTrace.js';
import type { ConfigMetrics, IterationSample, Summary } from '../result/resultSchema.js';
import type { DeliveryCheck } from './deliveryCheck.js';
import { Distribution } from './distribution.js';
import { StreamSamples } from './streamSamples.js';

/** Counts gathered around one stream, beside its trace. */
export interface StreamCounts {
  delivery: DeliveryCounters;
  jsonStringifyCalls: number;
  jsonParseCalls: number;
  /** Process CPU time (user + system) while the stream ran, in µs; null when not sampled per stream (overlapping streams: the config measures CPU over the whole load). */
  cpuUs: number | null;
  broker: BrokerCounters;
  serializer: Record<string, number>;
  /** Client-specific counters (the browser's long tasks, frames, clock error): sums become `<name>PerStream`, `...Max...` names maxima. */
  client?: Record<string, number>;
  check: DeliveryCheck;
}

/** Whether a counter is a high-water mark, not a sum: a config reports its maximum. */
export const isMaximumCounter = (name: string) => /Max/.test(name);
// Counters that describe state at the end (a cache's size), not work per token.
const isLevelCounter = (name: string) => /Entries$/.test(name);

/** The additive state that counters are computed from: a config's, or one stream's. */
interface CounterTotals {
  sums: Map<string, number>;
  maxima: Map<string, number>;
  levels: Map<string, number>;
  upstream: UpstreamTotals;
  streams: number;
  tokens: number;
}

type UpstreamTotals = { streams: number; malformedLines: number; reasoningTokens: number; usageStreams: number; usagePromptTokens: number; usageCompletionTokens: number; tokensFromUsage: number };

const emptyUpstreamTotals = (): UpstreamTotals => ({ streams: 0, malformedLines: 0, reasoningTokens: 0, usageStreams: 0, usagePromptTokens: 0, usageCompletionTokens: 0, tokensFromUsage: 0 });

/** A ConfigMeasurements as plain data (histograms encoded), for merging shard results exactly. */
export interface MeasurementSnapshot {
  distributions: Record<string, string>;
  sums: Record<string, number>;
  maxima: Record<string, number>;
  levels: Record<string, number>;
  upstream: Record<string, number>;
  streams: number;
  tokens: number;
}

/** Accumulates the measured streams of one config. */
export class ConfigMeasurements {
  private readonly ttft = new Distribution();
  private readonly timeToFirstByte = new Distribution();
  private readonly timeToFirstEvent = new Distribution();
  private readonly upstreamTimeToFirstByte = new Distribution();
  private readonly upstreamTimeToFirstEvent = new Distribution();
  private readonly upstream = emptyUpstreamTotals();
  private readonly tokenLatency = new Distribution();
  private readonly renderLatency = new Distribution();
  private readonly itl = new Distribution();
  private readonly tpot = new Distribution();
  private readonly e2e = new Distribution();
  private readonly staleness = new Distribution();
  private readonly renderDuration = new Distribution();
  /** Browser client: paint − DOM update, per render (the wait for the frame and its work). */
  private readonly paintDelay = new Distribution();
  /** Per stream: how late the source's latest chunk was against its plan (0 when on time). */
  private readonly sourceLag = new Distribution();
  /** Open loop: how long each stream waited in the tool after it was due (coordinated omission shows here). */
  private readonly startDelay = new Distribution();
  private readonly stageTtft = new Map<StageName, Distribution>();
  private readonly stageLatency = new Map<StageName, Distribution>();
  private readonly sums = new Map<string, number>();
  private readonly maxima = new Map<string, number>();
  private readonly levels = new Map<string, number>();
  readonly iterations: IterationSample[] = [];
  private readonly streamScratch = { tokenLatency: new StreamSamples(), itl: new StreamSamples(), renderLatency: new StreamSamples(), staleness: new StreamSamples() };
  private streams = 0;
  private tokens = 0;

  /**
   * Adds one measured stream and keeps its own sample (its percentiles and counters, for the
   * gate's per-stream statistics), computed in the same pass.
   */
  addStream(trace: StreamTrace, counts: StreamCounts): void {
    const start = trace.requestStartMs;
    // One stream's own distributions, reused from stream to stream (read before this returns).
    const { tokenLatency: streamTokenLatency, itl: streamItl, renderLatency: streamRenderLatency, staleness: streamStaleness } = this.streamScratch;
    streamTokenLatency.reset();
    streamItl.reset();
    streamRenderLatency.reset();
    streamStaleness.reset();
    const tokens = trace.tokenCount();
    this.streams++;
    this.tokens += tokens;

    // Per token, through every stage.
    for (const chunk of trace.chunks) {
      if (chunk.tokens === 0 || chunk.messageSeq < 0) continue;
      let previousMs = chunk.emitMs;
      for (const stage of STAGES) {
        if (stage === 'emit') continue;
        const atMs = trace.stampOf(stage, chunk.messageSeq);
        if (atMs === undefined) continue;
        distributionFor(this.stageLatency, stage).record(atMs - previousMs, chunk.tokens);
        previousMs = atMs;
      }
      const receivedMs = trace.stampOf('clientReceive', chunk.messageSeq);
      if (receivedMs !== undefined) {
        this.tokenLatency.record(receivedMs - chunk.emitMs, chunk.tokens);
        streamTokenLatency.record(receivedMs - chunk.emitMs, chunk.tokens);
      }
      const renderedMs = trace.stampOf('render', chunk.messageSeq);
      if (renderedMs !== undefined) {
        this.renderLatency.record(renderedMs - chunk.emitMs, chunk.tokens);
        streamRenderLatency.record(renderedMs - chunk.emitMs, chunk.tokens);
        if (receivedMs !== undefined) {
          this.staleness.record(renderedMs - receivedMs, chunk.tokens);
          streamStaleness.record(renderedMs - receivedMs, chunk.tokens);
        }
      }
    }

    // Time to first non-empty content token at every stage.
    const firstContent = trace.chunks.find((chunk) => chunk.text.length > 0);
    const ttftByStage = new Map<StageName, number>();
    if (firstContent) ttftByStage.set('emit', firstContent.emitMs - start);
    const contentSeqs = new Set(trace.chunks.filter((chunk) => chunk.text.length > 0).map((chunk) => chunk.messageSeq));
    for (const stage of STAGES) {
      if (stage === 'emit') continue;
      let first = Infinity;
      for (const seq of contentSeqs) first = Math.min(first, trace.stampOf(stage as MessageStage, seq) ?? Infinity);
      if (first !== Infinity) ttftByStage.set(stage, first - start);
    }
    for (const [stage, ms] of ttftByStage) distributionFor(this.stageTtft, stage).record(ms);

    // Client view: first events, gaps between content events, end to end.
    const clientTtft = ttftByStage.get('clientReceive');
    if (clientTtft !== undefined) this.ttft.record(clientTtft);
    if (counts.delivery.firstByteAtMs !== null) this.timeToFirstByte.record(counts.delivery.firstByteAtMs - start);
    if (counts.delivery.firstEventAtMs !== null) this.timeToFirstEvent.record(counts.delivery.firstEventAtMs - start);
    const streamUpstream = this.addUpstream(trace);
    if (trace.upstream.scheduleLagMaxMs !== null) this.sourceLag.record(trace.upstream.scheduleLagMaxMs);
    const seen = new Set<number>();
    let previousContentMs: number | undefined;
    let lastContentMs: number | undefined;
    for (const event of trace.received) {
      if (!event.hasContent || seen.has(event.seq)) continue;
      seen.add(event.seq);
      if (previousContentMs !== undefined) {
        this.itl.record(event.atMs - previousContentMs);
        streamItl.record(event.atMs - previousContentMs);
      }
      previousContentMs = event.atMs;
      lastContentMs = Math.max(lastContentMs ?? -Infinity, event.atMs);
    }
    const e2eMs = lastContentMs !== undefined ? lastContentMs - start : null;
    if (e2eMs !== null) this.e2e.record(e2eMs);
    if (e2eMs !== null && clientTtft !== undefined && tokens > 1) this.tpot.record((e2eMs - clientTtft) / (tokens - 1));
    for (const render of trace.renders) {
      if (render.renderMs !== null) this.renderDuration.record(render.renderMs);
      if (render.domUpdatedAtMs !== undefined) this.paintDelay.record(render.atMs - render.domUpdatedAtMs);
    }

    // Counters: the stream's own, then added to the config's.
    const stream: CounterTotals = { sums: new Map(), maxima: new Map(), levels: new Map(), upstream: streamUpstream, streams: 1, tokens };
    const add = (name: string, value: number) => stream.sums.set(name, (stream.sums.get(name) ?? 0) + value);
    add('events', counts.delivery.events);
    add('bytes', counts.delivery.bytes);
    add('jsonStringify', counts.jsonStringifyCalls);
    add('jsonParse', counts.jsonParseCalls);
    if (counts.cpuUs !== null) add('cpuUs', counts.cpuUs);
    add('renders', trace.renders.length);
    add('reconnects', counts.delivery.reconnects ?? 0);
    add('heartbeats', counts.delivery.heartbeats ?? 0);
    add('contentEvents', seen.size);
    add('duplicateEvents', counts.check.duplicateEvents);
    add('missingMessages', counts.check.missingMessages);
    add('reorderedEvents', counts.check.reorderedEvents);
    for (const [name, value] of Object.entries({ ...counts.broker, ...counts.serializer })) {
      if (isMaximumCounter(name)) stream.maxima.set(name, value);
      else if (isLevelCounter(name)) stream.levels.set(name, value);
      else add(name, value);
    }
    for (const [name, value] of Object.entries(counts.client ?? {})) {
      if (isMaximumCounter(name)) stream.maxima.set(name, value);
      else add(`${CLIENT_SUM_PREFIX}${name}`, value);
    }
    for (const [name, value] of stream.sums) this.sums.set(name, (this.sums.get(name) ?? 0) + value);
    for (const [name, value] of stream.maxima) this.maxima.set(name, Math.max(this.maxima.get(name) ?? 0, value));
    for (const [name, value] of stream.levels) this.levels.set(name, value);

    this.iterations.push({
      ttftMs: clientTtft ?? null,
      e2eMs,
      tokenLatencyP50Ms: streamTokenLatency.count > 0 ? streamTokenLatency.percentile(50) : null,
      tokenLatencyP99Ms: streamTokenLatency.count > 0 ? streamTokenLatency.percentile(99) : null,
      itlP50Ms: streamItl.count > 0 ? streamItl.percentile(50) : null,
      tokens,
      renderLatencyP99Ms: streamRenderLatency.count > 0 ? streamRenderLatency.percentile(99) : null,
      stalenessP99Ms: streamStaleness.count > 0 ? streamStaleness.percentile(99) : null,
      counters: streamCounters(stream, counts.cpuUs !== null),
    });
  }

  /** Upstream timings and counts reported by a source that talks to a server; returns the stream's own counts. */
  private addUpstream(trace: StreamTrace): UpstreamTotals {
    const upstream = trace.upstream;
    const totals = emptyUpstreamTotals();
    if (!upstream.observed) return totals;
    const start = trace.requestStartMs;
    if (upstream.firstByteAtMs !== null) this.upstreamTimeToFirstByte.record(upstream.firstByteAtMs - start);
    if (upstream.firstEventAtMs !== null) this.upstreamTimeToFirstEvent.record(upstream.firstEventAtMs - start);
    totals.streams++;
    totals.malformedLines += upstream.malformedLines;
    totals.reasoningTokens += upstream.reasoningTokens;
    if (upstream.tokenCountMethod === 'usage') totals.tokensFromUsage++;
    const usage = upstream.usageReport;
    if (usage) {
      totals.usageStreams++;
      totals.usagePromptTokens += usage.promptTokens ?? 0;
      totals.usageCompletionTokens += usage.completionTokens ?? 0;
    }
    for (const key of Object.keys(totals) as (keyof UpstreamTotals)[]) this.upstream[key] += totals[key];
    return totals;
  }

  /** Sets the config's CPU time (µs) to one measured over the whole load, replacing the per-stream samples' sum. */
  setCpuUs(cpuUs: number): void {
    this.sums.set('cpuUs', cpuUs);
  }

  /** Records how long a measured stream started after it was due (open loop), in ms. */
  recordStartDelay(delayMs: number): void {
    this.startDelay.record(delayMs);
  }

  /** Start delays (ms) of the open-loop streams added, or null when there were none. */
  startDelaySummary(): Summary | null {
    return this.startDelay.summary();
  }

  /** Token latency (client receive − source emit) of every token added, for percentile lists and CDFs. */
  tokenLatencyDistribution(): Distribution {
    return this.tokenLatency;
  }

  /** Every distribution by a stable name (stage distributions as `stageTtft.<stage>`, `stageLatency.<stage>`). */
  private namedDistributions(): Map<string, Distribution> {
    const named = new Map<string, Distribution>(
      Object.entries({
        ttft: this.ttft,
        timeToFirstByte: this.timeToFirstByte,
        timeToFirstEvent: this.timeToFirstEvent,
        upstreamTimeToFirstByte: this.upstreamTimeToFirstByte,
        upstreamTimeToFirstEvent: this.upstreamTimeToFirstEvent,
        tokenLatency: this.tokenLatency,
        renderLatency: this.renderLatency,
        itl: this.itl,
        tpot: this.tpot,
        e2e: this.e2e,
        staleness: this.staleness,
        renderDuration: this.renderDuration,
        paintDelay: this.paintDelay,
        startDelay: this.startDelay,
        sourceLag: this.sourceLag,
      }),
    );
    for (const [stage, distribution] of this.stageTtft) named.set(`stageTtft.${stage}`, distribution);
    for (const [stage, distribution] of this.stageLatency) named.set(`stageLatency.${stage}`, distribution);
    return named;
  }

  /** The exact state, as plain data: merging the snapshots of shards equals one run over all their streams. */
  toSnapshot(): MeasurementSnapshot {
    const distributions: Record<string, string> = {};
    for (const [name, distribution] of this.namedDistributions()) if (distribution.count > 0) distributions[name] = distribution.toEncoded();
    return {
      distributions,
      sums: Object.fromEntries(this.sums),
      maxima: Object.fromEntries(this.maxima),
      levels: Object.fromEntries(this.levels),
      upstream: { ...this.upstream },
      streams: this.streams,
      tokens: this.tokens,
    };
  }

  /** Adds another run's snapshot (a shard) to this one. */
  mergeSnapshot(snapshot: MeasurementSnapshot, iterations: IterationSample[]): void {
    const named = this.namedDistributions();
    for (const [name, encoded] of Object.entries(snapshot.distributions)) {
      const [family, stage] = name.split('.') as [string, StageName | undefined];
      const target =
        named.get(name) ??
        (family === 'stageTtft' && stage ? distributionFor(this.stageTtft, stage) : family === 'stageLatency' && stage ? distributionFor(this.stageLatency, stage) : undefined);
      if (!target) throw new Error(`unknown distribution "${name}" in a measurement snapshot`);
      target.merge(Distribution.fromEncoded(encoded));
    }
    for (const [name, value] of Object.entries(snapshot.sums)) this.sums.set(name, (this.sums.get(name) ?? 0) + value);
    for (const [name, value] of Object.entries(snapshot.maxima)) this.maxima.set(name, Math.max(this.maxima.get(name) ?? 0, value));
    // A level is a state at the end of a run (a cache's size): shards each have their own, so they add up.
    for (const [name, value] of Object.entries(snapshot.levels)) this.levels.set(name, (this.levels.get(name) ?? 0) + value);
    for (const key of Object.keys(this.upstream) as (keyof typeof this.upstream)[]) this.upstream[key] += snapshot.upstream[key] ?? 0;
    this.streams += snapshot.streams;
    this.tokens += snapshot.tokens;
    this.iterations.push(...iterations);
  }

  /** The config's metrics over every stream added. */
  toMetrics(eventLoopDelayMs: ConfigMetrics['eventLoopDelayMs']): ConfigMetrics {
    const { sums, maxima, levels, upstream, streams, tokens } = this;
    const counters = countersOf({ sums, maxima, levels, upstream, streams, tokens });
    const stages: ConfigMetrics['stages'] = {};
    for (const stage of STAGES) {
      const ttft = this.stageTtft.get(stage)?.summary() ?? null;
      const latency = this.stageLatency.get(stage)?.summary() ?? null;
      if (ttft || latency) stages[stage] = { ttftMs: ttft, latencyMs: latency };
    }
    return {
      ttftMs: this.ttft.summary(),
      timeToFirstByteMs: this.timeToFirstByte.summary(),
      timeToFirstEventMs: this.timeToFirstEvent.summary(),
      upstreamTimeToFirstByteMs: this.upstreamTimeToFirstByte.summary(),
      upstreamTimeToFirstEventMs: this.upstreamTimeToFirstEvent.summary(),
      sourceLagMs: this.sourceLag.summary(),
      tokenLatencyMs: this.tokenLatency.summary(),
      renderLatencyMs: this.renderLatency.summary(),
      itlMs: this.itl.summary(),
      tpotMs: this.tpot.summary(),
      e2eMs: this.e2e.summary(),
      stalenessMs: this.staleness.summary(),
      renderMs: this.renderDuration.summary(),
      paintDelayMs: this.paintDelay.summary(),
      stages,
      counters,
      eventLoopDelayMs,
    };
  }
}

function distributionFor(map: Map<StageName, Distribution>, stage: StageName): Distribution {
  let distribution = map.get(stage);
  if (!distribution) {
    distribution = new Distribution();
    map.set(stage, distribution);
  }
  return distribution;
}

/** One stream's counters; without a CPU sample of its own it has no CPU counter (rather than a made-up one). */
function streamCounters(totals: CounterTotals, cpuSampled: boolean): Record<string, number> {
  const counters = countersOf(totals);
  if (!cpuSampled) delete counters.cpuUsPerToken;
  return counters;
}

/** Counters per token or per stream, from a config's or one stream's totals. Pure. */
function countersOf(totals: CounterTotals): Record<string, number> {
  const { sums, tokens, streams } = totals;
  const sum = (name: string) => sums.get(name) ?? 0;
  const perToken = (name: string) => (tokens > 0 ? sum(name) / tokens : 0);
  const perStream = (name: string) => (streams > 0 ? sum(name) / streams : 0);
  const counters: Record<string, number> = {
    tokensPerStream: streams > 0 ? tokens / streams : 0,
    eventsPerToken: perToken('events'),
    tokensPerContentEvent: sum('contentEvents') > 0 ? tokens / sum('contentEvents') : 0,
    bytesPerToken: perToken('bytes'),
    jsonOpsPerToken: tokens > 0 ? (sum('jsonStringify') + sum('jsonParse')) / tokens : 0,
    jsonStringifyPerToken: perToken('jsonStringify'),
    jsonParsePerToken: perToken('jsonParse'),
    cpuUsPerToken: perToken('cpuUs'),
    rendersPerStream: perStream('renders'),
    duplicateEventsPerStream: perStream('duplicateEvents'),
    missingMessagesPerStream: perStream('missingMessages'),
    reorderedEventsPerStream: perStream('reorderedEvents'),
    reconnectsPerStream: perStream('reconnects'),
    heartbeatsPerStream: perStream('heartbeats'),
  };
  for (const name of sums.keys()) {
    if (name.startsWith(CLIENT_SUM_PREFIX)) counters[`${name.slice(CLIENT_SUM_PREFIX.length)}PerStream`] = perStream(name);
    else if (!BUILT_IN_SUMS.has(name)) counters[`${name}PerToken`] = perToken(name);
  }
  Object.assign(counters, upstreamCounters(totals.upstream));
  for (const [name, value] of totals.maxima) counters[name] = value;
  for (const [name, value] of totals.levels) counters[name] = value;
  return counters;
}

/** Marks a client counter's sum: reported per stream, not per token. */
const CLIENT_SUM_PREFIX = 'client.';

/** Sums that have a counter of their own above; every other sum becomes `<name>PerToken`. */
const BUILT_IN_SUMS = new Set(['events', 'bytes', 'jsonStringify', 'jsonParse', 'cpuUs', 'renders', 'reconnects', 'heartbeats', 'contentEvents', 'duplicateEvents', 'missingMessages', 'reorderedEvents']);

/** Counters of the upstream server, only for sources that reported one. */
function upstreamCounters(totals: UpstreamTotals): Record<string, number> {
  if (totals.streams === 0) return {};
  const counters: Record<string, number> = {
    malformedLinesPerStream: totals.malformedLines / totals.streams,
    reasoningTokensPerStream: totals.reasoningTokens / totals.streams,
    // 1: every stream's token count is the server's usage; 0: every one is the tokenizer's.
    tokensFromUsageShare: totals.tokensFromUsage / totals.streams,
  };
  if (totals.usageStreams > 0) {
    // Averaged over the streams whose server sent usage.
    counters.usagePromptTokensPerStream = totals.usagePromptTokens / totals.usageStreams;
    counters.usageCompletionTokensPerStream = totals.usageCompletionTokens / totals.usageStreams;
  }
  return counters;
}
