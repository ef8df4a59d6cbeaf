/**
 * One measured stream, summarised (DESIGN.md §4): its trace and counts in, the samples of every
 * time metric, its counter totals and its own headline sample (IterationSample) out. Pure: a
 * config's accumulator (ConfigMeasurements) only adds summaries up.
 */
import { STAGES, type StageName } from '../probes/stages.js';
import { SeenSeqs } from '../pipeline/seenSeqs.js';
import type { BrokerCounters, DeliveryCounters } from '../pipeline/types.js';
import type { MessageStage, StreamTrace } from '../probes/streamTrace.js';
import type { IterationSample } from '../result/resultSchema.js';
import { CLIENT_SUM_PREFIX, counterKind, type CounterTotals, countersOf, emptyUpstreamTotals, type UpstreamTotals } from './counterTotals.js';
import type { DeliveryCheck } from './deliveryCheck.js';
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
  /** Client-specific counters (the browser's long tasks, frames, clock error): sums become `<name>PerStream`; kinds in COUNTER_KINDS. */
  client?: Record<string, number>;
  check: DeliveryCheck;
}

/** A zero-length column shared by every Samples made empty (add replaces it on the first sample). */
const NO_VALUES = new Float64Array(0);

/**
 * Samples of a time metric, in the order they were taken: values in ms, each with its weight (the
 * tokens it stands for; 1 otherwise). Typed columns sized up front by the caller (a stream's chunks,
 * events or renders): arrays grown by push were copied on the way up, most of a summary's garbage.
 */
export class Samples {
  /** Values in ms; slots from `length` on are unused. */
  valuesMs: Float64Array;
  /** Weights, slot by slot with `valuesMs`. */
  weights: Float64Array;
  private count = 0;

  constructor(capacity = 0) {
    this.valuesMs = capacity > 0 ? new Float64Array(capacity) : NO_VALUES;
    this.weights = capacity > 0 ? new Float64Array(capacity) : NO_VALUES;
  }

  /** Forgets every sample, keeping room for at least `capacity` (a pooled Samples, reused). */
  clear(capacity: number): void {
    this.count = 0;
    if (this.valuesMs.length >= capacity) return;
    this.valuesMs = new Float64Array(capacity);
    this.weights = new Float64Array(capacity);
  }

  /** Samples taken. */
  get length(): number {
    return this.count;
  }

  /** Appends one sample. */
  add(valueMs: number, weight = 1): void {
    if (this.count === this.valuesMs.length) this.grow();
    this.valuesMs[this.count] = valueMs;
    this.weights[this.count] = weight;
    this.count++;
  }

  private grow(): void {
    const size = Math.max(16, this.valuesMs.length * 2);
    const values = new Float64Array(size);
    values.set(this.valuesMs);
    const weights = new Float64Array(size);
    weights.set(this.weights);
    this.valuesMs = values;
    this.weights = weights;
  }
}

/**
 * Samples handed out again summary after summary: a config's accumulator keeps one, so its
 * summaries take no new columns once the first streams have sized them (each column a buffer
 * off the heap, costly to allocate). A summary's samples are valid until the pool's next summary.
 */
export class SamplesPool {
  private readonly pool: Samples[] = [];
  private used = 0;

  /** Starts a summary: every Samples handed out before is handed out again. */
  reset(): void {
    this.used = 0;
  }

  /** An empty Samples with room for `capacity` samples. */
  take(capacity: number): Samples {
    const samples = (this.pool[this.used] ??= new Samples());
    this.used++;
    samples.clear(capacity);
    return samples;
  }
}

/** One stream's time metrics and counters, as plain data. */
export interface StreamSummary {
  tokens: number;
  /** Request start → first content token at the client; null when none arrived. */
  ttftMs: number | null;
  timeToFirstByteMs: number | null;
  timeToFirstEventMs: number | null;
  upstreamTimeToFirstByteMs: number | null;
  upstreamTimeToFirstEventMs: number | null;
  /** The source's latest chunk against its plan (null: a source without a plan). */
  sourceLagMs: number | null;
  e2eMs: number | null;
  tpotMs: number | null;
  /** Per token (weighted by the chunk's tokens). */
  tokenLatency: Samples;
  renderLatency: Samples;
  staleness: Samples;
  /** Per content event after the first. */
  itl: Samples;
  /** Per render. */
  renderDuration: Samples;
  paintDelay: Samples;
  /** Request start → first content token at each stage, in pipeline order. */
  stageTtftMs: Map<StageName, number>;
  /** Time spent in each stage, per token, stages in the order first seen. */
  stageLatency: Map<StageName, Samples>;
  /** The stream's counter totals (streams = 1). */
  counters: CounterTotals;
  /** The stream's own headline numbers and counters, for the gate's per-stream statistics. */
  iteration: IterationSample;
}

const MESSAGE_STAGES = STAGES.filter((stage): stage is MessageStage => stage !== 'emit');

// Per-stream percentiles without a histogram per stream: reset at the start of every summary and
// read before it returns, so summaries do not depend on each other.
const scratch = new StreamSamples();

/** Loads one stream's samples into the scratch (its previous samples forgotten); false when they weigh nothing. */
function intoScratch(samples: Samples): boolean {
  scratch.reset();
  for (let i = 0; i < samples.length; i++) scratch.record(samples.valuesMs[i]!, samples.weights[i]!); // i < samples.length
  return scratch.count > 0;
}

/** A percentile of one stream's samples, or null when it has none. */
function streamPercentile(samples: Samples, p: number): number | null {
  return samples.length > 0 && intoScratch(samples) ? scratch.percentile(p) : null;
}

/**
 * Summarises one measured stream from its trace and the counts gathered around it. Pure.
 * Each pass is a function of its own: V8 optimises this code (it runs once per stream) on a
 * background thread, in the measured window of a fresh process, and one function doing every
 * pass took 60–85 ms per compile (wall time, busy machine) and was compiled 5–6 times per
 * bench:floor probe after deopts; split, a deopt recompiles only its own pass (see
 * docs/benchmarks.md, "What a fresh probe pays to compile the tool").
 */
export function summarizeStream(trace: StreamTrace, counts: StreamCounts, pool: SamplesPool = new SamplesPool()): StreamSummary {
  pool.reset();
  const start = trace.requestStartMs;
  const tokens = trace.tokenCount();
  const { tokenLatency, renderLatency, staleness, stageLatency } = perTokenSamples(trace, pool);
  const stageTtftMs = stageTtfts(trace, start);
  const ttftMs = stageTtftMs.get('clientReceive') ?? null;
  const client = clientView(trace, pool);
  const e2eMs = client.lastContentMs !== undefined ? client.lastContentMs - start : null;
  const { renderDuration, paintDelay } = renderSamples(trace, pool);
  const upstream = upstreamOf(trace);
  const totals = counterTotalsOf(trace, counts, upstream.totals, tokens, client.contentEvents);

  const tpotMs = e2eMs !== null && ttftMs !== null && tokens > 1 ? (e2eMs - ttftMs) / (tokens - 1) : null;
  // Token latency's p50 and p99 from one load and one sort of its samples.
  const tokenLatencyLoaded = tokenLatency.length > 0 && intoScratch(tokenLatency);
  const tokenLatencyP50Ms = tokenLatencyLoaded ? scratch.percentile(50) : null;
  const tokenLatencyP99Ms = tokenLatencyLoaded ? scratch.percentile(99) : null;
  const iteration: IterationSample = {
    ttftMs,
    e2eMs,
    tokenLatencyP50Ms,
    tokenLatencyP99Ms,
    itlP50Ms: streamPercentile(client.itl, 50),
    tokens,
    renderLatencyP99Ms: streamPercentile(renderLatency, 99),
    stalenessP99Ms: streamPercentile(staleness, 99),
    counters: streamCounters(totals, counts.cpuUs !== null),
  };
  return {
    tokens,
    ttftMs,
    timeToFirstByteMs: counts.delivery.firstByteAtMs !== null ? counts.delivery.firstByteAtMs - start : null,
    timeToFirstEventMs: counts.delivery.firstEventAtMs !== null ? counts.delivery.firstEventAtMs - start : null,
    upstreamTimeToFirstByteMs: upstream.timeToFirstByteMs,
    upstreamTimeToFirstEventMs: upstream.timeToFirstEventMs,
    sourceLagMs: trace.upstream.scheduleLagMaxMs,
    e2eMs,
    tpotMs,
    tokenLatency,
    renderLatency,
    staleness,
    itl: client.itl,
    renderDuration,
    paintDelay,
    stageTtftMs,
    stageLatency,
    counters: totals,
    iteration,
  };
}

/** Per token, through every stage: one pass over the chunk columns, each stage's stamps read once (NaN where a message did not reach the stage). */
function perTokenSamples(trace: StreamTrace, pool: SamplesPool): Pick<StreamSummary, 'tokenLatency' | 'renderLatency' | 'staleness' | 'stageLatency'> {
  const chunkCount = trace.chunkCount;
  // At most one sample per chunk in each: sized for that, they never grow.
  const tokenLatency = pool.take(chunkCount);
  const renderLatency = pool.take(chunkCount);
  const staleness = pool.take(chunkCount);
  const stageLatency = new Map<StageName, Samples>();
  const stampsByStage = MESSAGE_STAGES.map((stage) => trace.stampsOf(stage));
  const stageSamples: (Samples | undefined)[] = MESSAGE_STAGES.map(() => undefined);
  const receivedStamps = trace.stampsOf('clientReceive');
  const renderStamps = trace.stampsOf('render');
  for (let index = 0; index < chunkCount; index++) {
    const tokensOfChunk = trace.tokensAt(index);
    const seq = trace.messageSeqAt(index);
    if (tokensOfChunk === 0 || seq < 0) continue;
    const emitMs = trace.emitMsAt(index);
    let previousMs = emitMs;
    for (let stageIndex = 0; stageIndex < MESSAGE_STAGES.length; stageIndex++) {
      const atMs = stampsByStage[stageIndex]![seq]; // one column per stage; undefined past its end
      if (atMs === undefined || Number.isNaN(atMs)) continue;
      (stageSamples[stageIndex] ??= pool.take(chunkCount)).add(atMs - previousMs, tokensOfChunk);
      previousMs = atMs;
    }
    const receivedMs = receivedStamps[seq];
    const received = receivedMs !== undefined && !Number.isNaN(receivedMs);
    if (received) tokenLatency.add(receivedMs - emitMs, tokensOfChunk);
    const renderedMs = renderStamps[seq];
    if (renderedMs !== undefined && !Number.isNaN(renderedMs)) {
      renderLatency.add(renderedMs - emitMs, tokensOfChunk);
      if (received) staleness.add(renderedMs - receivedMs, tokensOfChunk);
    }
  }
  // Stages in the order first seen (as before: pipeline order, a stage without samples left out).
  stageSamples.forEach((samples, stageIndex) => samples && stageLatency.set(MESSAGE_STAGES[stageIndex]!, samples));
  return { tokenLatency, renderLatency, staleness, stageLatency };
}

/**
 * Time to first non-empty content token at every stage: the first content chunk's emit, and
 * each stage's earliest stamp over the messages carrying content.
 */
function stageTtfts(trace: StreamTrace, start: number): Map<StageName, number> {
  const chunkCount = trace.chunkCount;
  const stampsByStage = MESSAGE_STAGES.map((stage) => trace.stampsOf(stage));
  const stageTtftMs = new Map<StageName, number>();
  const firstAt = MESSAGE_STAGES.map(() => Infinity);
  let firstContentSeen = false;
  let lastSeq = Number.NaN;
  for (let index = 0; index < chunkCount; index++) {
    if (trace.textAt(index).length === 0) continue;
    if (!firstContentSeen) {
      stageTtftMs.set('emit', trace.emitMsAt(index) - start);
      firstContentSeen = true;
    }
    const seq = trace.messageSeqAt(index);
    if (seq === lastSeq) continue; // chunks of one message share its stamps
    lastSeq = seq;
    for (let stageIndex = 0; stageIndex < MESSAGE_STAGES.length; stageIndex++) {
      const atMs = stampsByStage[stageIndex]![seq];
      if (atMs !== undefined && atMs < firstAt[stageIndex]!) firstAt[stageIndex] = atMs; // NaN compares false
    }
  }
  firstAt.forEach((atMs, stageIndex) => atMs !== Infinity && stageTtftMs.set(MESSAGE_STAGES[stageIndex]!, atMs - start));
  return stageTtftMs;
}

/** Client view: gaps between content events (duplicates skipped), the content events seen, the last one's arrival. */
function clientView(trace: StreamTrace, pool: SamplesPool): { itl: Samples; contentEvents: number; lastContentMs: number | undefined } {
  const itl = pool.take(trace.receivedCount);
  const seen = new SeenSeqs(trace.messageCount + 1); // flags for the stream's own seqs, not a Set per stream
  let contentEvents = 0;
  let previousContentMs: number | undefined;
  let lastContentMs: number | undefined;
  for (let index = 0; index < trace.receivedCount; index++) {
    if (!trace.receivedHasContentAt(index) || !seen.add(trace.receivedSeqAt(index))) continue;
    contentEvents++;
    const atMs = trace.receivedAtMsAt(index);
    if (previousContentMs !== undefined) itl.add(atMs - previousContentMs);
    previousContentMs = atMs;
    lastContentMs = Math.max(lastContentMs ?? -Infinity, atMs);
  }
  return { itl, contentEvents, lastContentMs };
}

/** Per render: its measured cost, and the delay from the DOM update to the paint. */
function renderSamples(trace: StreamTrace, pool: SamplesPool): { renderDuration: Samples; paintDelay: Samples } {
  const renderDuration = pool.take(trace.renderCount);
  const paintDelay = pool.take(0); // a browser's only: grown when it has any
  for (let index = 0; index < trace.renderCount; index++) {
    const renderMs = trace.renderMsAt(index);
    if (renderMs !== null) renderDuration.add(renderMs);
    const domUpdatedAtMs = trace.domUpdatedAtMsAt(index);
    if (domUpdatedAtMs !== undefined) paintDelay.add(trace.renderAtMsAt(index) - domUpdatedAtMs);
  }
  return { renderDuration, paintDelay };
}

/** The stream's own counter totals. */
function counterTotalsOf(trace: StreamTrace, counts: StreamCounts, upstream: UpstreamTotals, tokens: number, contentEvents: number): CounterTotals {
  const totals: CounterTotals = { sums: new Map(), maxima: new Map(), levels: new Map(), upstream, streams: 1, tokens };
  const add = (name: string, value: number) => totals.sums.set(name, (totals.sums.get(name) ?? 0) + value);
  add('events', counts.delivery.events);
  add('bytes', counts.delivery.bytes);
  add('jsonStringify', counts.jsonStringifyCalls);
  add('jsonParse', counts.jsonParseCalls);
  if (counts.cpuUs !== null) add('cpuUs', counts.cpuUs);
  add('renders', trace.renderCount);
  add('reconnects', counts.delivery.reconnects ?? 0);
  add('heartbeats', counts.delivery.heartbeats ?? 0);
  add('contentEvents', contentEvents);
  add('duplicateEvents', counts.check.duplicateEvents);
  add('missingMessages', counts.check.missingMessages);
  add('reorderedEvents', counts.check.reorderedEvents);
  const named: [string, number, 'pipeline' | 'client'][] = [
    ...Object.entries({ ...counts.broker, ...counts.serializer }).map(([name, value]): [string, number, 'pipeline'] => [name, value, 'pipeline']),
    ...Object.entries(counts.client ?? {}).map(([name, value]): [string, number, 'client'] => [name, value, 'client']),
  ];
  for (const [name, value, source] of named) {
    const kind = counterKind(name, source);
    if (kind === 'max') totals.maxima.set(name, value);
    else if (kind === 'level') totals.levels.set(name, value);
    else if (kind === 'perStream') add(`${CLIENT_SUM_PREFIX}${name}`, value);
    else add(name, value);
  }
  return totals;
}

/** Upstream timings and counts reported by a source that talks to a server (all empty otherwise). */
function upstreamOf(trace: StreamTrace): { timeToFirstByteMs: number | null; timeToFirstEventMs: number | null; totals: UpstreamTotals } {
  const upstream = trace.upstream;
  const totals = emptyUpstreamTotals();
  if (!upstream.observed) return { timeToFirstByteMs: null, timeToFirstEventMs: null, totals };
  const start = trace.requestStartMs;
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
  return {
    timeToFirstByteMs: upstream.firstByteAtMs !== null ? upstream.firstByteAtMs - start : null,
    timeToFirstEventMs: upstream.firstEventAtMs !== null ? upstream.firstEventAtMs - start : null,
    totals,
  };
}

/** One stream's counters; without a CPU sample of its own it has no CPU counter (rather than a made-up one). */
function streamCounters(totals: CounterTotals, cpuSampled: boolean): Record<string, number> {
  const counters = countersOf(totals);
  if (!cpuSampled) delete counters.cpuUsPerToken;
  return counters;
}
