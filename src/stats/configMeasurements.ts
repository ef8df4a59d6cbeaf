/**
 * Turns stream traces into a config's metrics (DESIGN.md §4): each stream is summarised on its
 * own (streamSummary.ts), then added here. Time metrics of every measured stream of a config are
 * pooled in one histogram each; counters are summed and divided by tokens sent.
 */
import { STAGES, type StageName } from '../probes/stages.js';
import type { StreamTrace } from '../probes/streamTrace.js';
import { type ConfigMetrics, configMetricsSchema, type IterationSample, type MeasurementSnapshot, type Summary } from '../result/resultSchema.js';
import { type CounterTotals, countersOf, emptyUpstreamTotals, type UpstreamTotals } from './counterTotals.js';
import { Distribution } from './distribution.js';
import { type Samples, SamplesPool, type StreamCounts, type StreamSummary, summarizeStream } from './streamSummary.js';

export type { MeasurementSnapshot } from '../result/resultSchema.js';

/** The metrics fields that hold one pooled time distribution. */
type DistributionMetric = { [K in keyof ConfigMetrics]: ConfigMetrics[K] extends Summary | null ? (K extends 'eventLoopDelayMs' ? never : K) : never }[keyof ConfigMetrics];

/** The StreamSummary fields a distribution takes its samples from, by how many samples a stream gives. */
type PerStreamField = { [K in keyof StreamSummary]: StreamSummary[K] extends number | null ? (K extends 'tokens' ? never : K) : never }[keyof StreamSummary];
type SamplesField = { [K in keyof StreamSummary]: StreamSummary[K] extends Samples ? K : never }[keyof StreamSummary];

/**
 * One pooled distribution: its name in a measurement snapshot, the metrics field it becomes
 * (null: reported elsewhere), and where each stream's samples come from in its StreamSummary
 * (`stream`: one value per stream; `samples`: many, weighted; null: recorded apart).
 */
type DistributionSpec =
  | { name: string; metric: DistributionMetric; unit: 'stream'; from: PerStreamField }
  | { name: string; metric: DistributionMetric; unit: 'token' | 'event' | 'render'; from: SamplesField }
  | { name: string; metric: null; unit: 'stream'; from: null };

/** Every distribution of a config, once. The order is the snapshot's (kept for byte-identical shard files). */
const DISTRIBUTIONS = [
  { name: 'ttft', metric: 'ttftMs', unit: 'stream', from: 'ttftMs' },
  { name: 'timeToFirstByte', metric: 'timeToFirstByteMs', unit: 'stream', from: 'timeToFirstByteMs' },
  { name: 'timeToFirstEvent', metric: 'timeToFirstEventMs', unit: 'stream', from: 'timeToFirstEventMs' },
  { name: 'upstreamTimeToFirstByte', metric: 'upstreamTimeToFirstByteMs', unit: 'stream', from: 'upstreamTimeToFirstByteMs' },
  { name: 'upstreamTimeToFirstEvent', metric: 'upstreamTimeToFirstEventMs', unit: 'stream', from: 'upstreamTimeToFirstEventMs' },
  { name: 'tokenLatency', metric: 'tokenLatencyMs', unit: 'token', from: 'tokenLatency' },
  { name: 'renderLatency', metric: 'renderLatencyMs', unit: 'token', from: 'renderLatency' },
  { name: 'itl', metric: 'itlMs', unit: 'event', from: 'itl' },
  { name: 'tpot', metric: 'tpotMs', unit: 'stream', from: 'tpotMs' },
  { name: 'e2e', metric: 'e2eMs', unit: 'stream', from: 'e2eMs' },
  { name: 'staleness', metric: 'stalenessMs', unit: 'token', from: 'staleness' },
  { name: 'renderDuration', metric: 'renderMs', unit: 'render', from: 'renderDuration' },
  /** Browser client: paint − DOM update, per render (the wait for the frame and its work). */
  { name: 'paintDelay', metric: 'paintDelayMs', unit: 'render', from: 'paintDelay' },
  /** Open loop: how long each stream waited in the tool after it was due (coordinated omission shows here); load.startDelayMs. */
  { name: 'startDelay', metric: null, unit: 'stream', from: null },
  /** Per stream: how late the source's latest chunk was against its plan (0 when on time). */
  { name: 'sourceLag', metric: 'sourceLagMs', unit: 'stream', from: 'sourceLagMs' },
] as const satisfies readonly DistributionSpec[];

type DistributionName = (typeof DISTRIBUTIONS)[number]['name'];

// Compile-time check: every time metric of the schema has its distribution in the table.
type UncoveredMetric = Exclude<DistributionMetric, (typeof DISTRIBUTIONS)[number]['metric']>;
const everyMetricCovered: [UncoveredMetric] extends [never] ? true : UncoveredMetric = true;
void everyMetricCovered;

const DISTRIBUTION_OF_METRIC = new Map<string, DistributionName>(DISTRIBUTIONS.flatMap((spec) => (spec.metric === null ? [] : [[spec.metric, spec.name] as const])));

/** Accumulates the measured streams of one config. */
export class ConfigMeasurements {
  private readonly distributions = new Map<DistributionName, Distribution>(DISTRIBUTIONS.map((spec) => [spec.name, new Distribution()]));
  private readonly stageTtft = new Map<StageName, Distribution>();
  private readonly stageLatency = new Map<StageName, Distribution>();
  private readonly sums = new Map<string, number>();
  private readonly maxima = new Map<string, number>();
  private readonly levels = new Map<string, number>();
  private readonly upstream: UpstreamTotals = emptyUpstreamTotals();
  readonly iterations: IterationSample[] = [];
  private streams = 0;
  private tokens = 0;
  /** Every summary's samples, reused: a summary here is added at once and not kept. */
  private readonly samplesPool = new SamplesPool();

  /** Adds one measured stream, and keeps its own sample (for the gate's per-stream statistics). */
  addStream(trace: StreamTrace, counts: StreamCounts): void {
    this.addSummary(summarizeStream(trace, counts, this.samplesPool));
  }

  /** Adds one stream's summary to the config's distributions and counter totals. */
  addSummary(stream: StreamSummary): void {
    this.streams++;
    this.tokens += stream.tokens;
    for (const spec of DISTRIBUTIONS as readonly DistributionSpec[]) {
      if (spec.from === null) continue;
      const distribution = this.distribution(spec.name as DistributionName);
      if (spec.unit === 'stream') {
        const value = stream[spec.from];
        if (value !== null) distribution.record(value);
      } else recordSamples(distribution, stream[spec.from]);
    }
    for (const [stage, samples] of stream.stageLatency) recordSamples(distributionFor(this.stageLatency, stage), samples);
    for (const [stage, ms] of stream.stageTtftMs) distributionFor(this.stageTtft, stage).record(ms);
    addTotals({ sums: this.sums, maxima: this.maxima, levels: this.levels, upstream: this.upstream }, stream.counters);
    this.iterations.push(stream.iteration);
  }

  /** Sets the config's CPU time (µs) to one measured over the whole load, replacing the per-stream samples' sum. */
  setCpuUs(cpuUs: number): void {
    this.sums.set('cpuUs', cpuUs);
  }

  /** Records how long a measured stream started after it was due (open loop), in ms. */
  recordStartDelay(delayMs: number): void {
    this.distribution('startDelay').record(delayMs);
  }

  /** Start delays (ms) of the open-loop streams added, or null when there were none. */
  startDelaySummary(): Summary | null {
    return this.distribution('startDelay').summary();
  }

  /** Token latency (client receive − source emit) of every token added, for percentile lists and CDFs. */
  tokenLatencyDistribution(): Distribution {
    return this.distribution('tokenLatency');
  }

  private distribution(name: DistributionName): Distribution {
    return this.distributions.get(name)!;
  }

  /** Every distribution by a stable name (stage distributions as `stageTtft.<stage>`, `stageLatency.<stage>`). */
  private namedDistributions(): Map<string, Distribution> {
    const named = new Map<string, Distribution>(this.distributions);
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
    for (const key of Object.keys(this.upstream) as (keyof UpstreamTotals)[]) this.upstream[key] += snapshot.upstream[key] ?? 0;
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
    // The time metrics in the schema's field order, so result files read the same as before.
    const summaries: Partial<Record<DistributionMetric, Summary | null>> = {};
    for (const key of Object.keys(configMetricsSchema.shape)) {
      const name = DISTRIBUTION_OF_METRIC.get(key);
      if (name) summaries[key as DistributionMetric] = this.distribution(name).summary();
    }
    return { ...(summaries as Record<DistributionMetric, Summary | null>), stages, counters, eventLoopDelayMs };
  }
}

/** Adds one stream's counter totals to a config's: sums add, maxima keep the largest, levels the latest. */
function addTotals(config: Omit<CounterTotals, 'streams' | 'tokens'>, stream: CounterTotals): void {
  for (const [name, value] of stream.sums) config.sums.set(name, (config.sums.get(name) ?? 0) + value);
  for (const [name, value] of stream.maxima) config.maxima.set(name, Math.max(config.maxima.get(name) ?? 0, value));
  for (const [name, value] of stream.levels) config.levels.set(name, value);
  for (const key of Object.keys(config.upstream) as (keyof UpstreamTotals)[]) config.upstream[key] += stream.upstream[key];
}

/** Records a stream's samples, in the order they were taken. */
function recordSamples(distribution: Distribution, samples: Samples): void {
  distribution.recordAll(samples.valuesMs, samples.weights, samples.length);
}

/** A stage's distribution, created at its first sample. */
function distributionFor(map: Map<StageName, Distribution>, stage: StageName): Distribution {
  let distribution = map.get(stage);
  if (!distribution) {
    distribution = new Distribution();
    map.set(stage, distribution);
  }
  return distribution;
}
