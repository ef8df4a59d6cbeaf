/**
 * The result document: what `streambench run` writes and `compare` reads. The zod schema
 * here is the single source of truth; `schemas/result.schema.json` is generated from it.
 */
import { z } from 'zod';
import { RESULT_SCHEMA_VERSION } from './schemaVersion.js';
import { targetResultSchemaWith } from './targetResult.js';

export { RESULT_SCHEMA_VERSION };

/** Summary of a time metric, in milliseconds. */
export const summarySchema = z
  .strictObject({
    n: z.number().int().nonnegative().describe('samples (tokens, events or streams, as the metric says)'),
    min: z.number(),
    mean: z.number(),
    p50: z.number(),
    p90: z.number(),
    p99: z.number(),
    max: z.number(),
    stddev: z.number(),
  })
  .describe('Summary of a time metric in milliseconds; percentiles from an HdrHistogram (3 significant digits)');
export type Summary = z.infer<typeof summarySchema>;

const stageMetricsSchema = z.strictObject({
  ttftMs: summarySchema.nullable().describe('request start → first non-empty content token at this stage, per stream'),
  latencyMs: summarySchema.nullable().describe('time spent in this stage (this boundary − the previous one), per token'),
});

/** `interrupted`: a signal stopped the config while it ran (what it measured before is kept). */
export const configStateSchema = z.enum(['completed', 'errored', 'skipped', 'interrupted']);

export const configMetricsSchema = z.strictObject({
  ttftMs: summarySchema.nullable().describe('request start → first non-empty content token at the client, per stream'),
  timeToFirstByteMs: summarySchema.nullable().describe('request start → first byte at the client, per stream'),
  timeToFirstEventMs: summarySchema.nullable().describe('request start → first event of any kind at the client, per stream'),
  upstreamTimeToFirstByteMs: summarySchema
    .nullable()
    .default(null) // result files written before this metric existed still read
    .describe("request start → the upstream server's response head reached the source, per stream (http sources; null otherwise)"),
  upstreamTimeToFirstEventMs: summarySchema
    .nullable()
    .default(null)
    .describe('request start → first server-sent event of any kind parsed by the source, per stream (http sources; null otherwise)'),
  sourceLagMs: summarySchema
    .nullable()
    .default(null)
    .describe(
      "how late the source emitted its chunks against its plan: the latest chunk's emit − planned time, per stream (synthetic and replay sources in the tool's process; null otherwise). Above a few ms the tool could not keep the planned pace, and streams ran slower than asked",
    ),
  tokenLatencyMs: summarySchema.nullable().describe('client receive − source emit, per token'),
  renderLatencyMs: summarySchema.nullable().describe('render − source emit, per token'),
  itlMs: summarySchema.nullable().describe('gap between consecutive content events at the client, per event'),
  tpotMs: summarySchema.nullable().describe('(e2e − TTFT) / (tokens − 1), per stream'),
  e2eMs: summarySchema.nullable().describe('request start → last content token at the client, per stream'),
  stalenessMs: summarySchema.nullable().describe('render − client receive, per token'),
  renderMs: summarySchema.nullable().describe('CPU time of one render, per render'),
  paintDelayMs: summarySchema
    .nullable()
    .default(null) // result files written before the browser client still read
    .describe('browser client: paint − the end of the DOM update, per render (the wait for the next frame and its style, layout and paint); null for modelled clients'),
  stages: z.record(z.string(), stageMetricsSchema).describe('per stage boundary, in pipeline order'),
  counters: z.record(z.string(), z.number()).describe('exact per-token / per-stream counts (names say which)'),
  eventLoopDelayMs: summarySchema.nullable().describe("the process's event-loop delay while this config ran"),
});
export type ConfigMetrics = z.infer<typeof configMetricsSchema>;

/** Headline numbers of one measured stream, kept for statistics across runs. */
export const iterationSampleSchema = z.strictObject({
  stream: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      "which measured stream of the config, in start order (1 = the first; the number the tool's messages and timeline.stream use); iterations are in the order streams ended",
    ),
  ttftMs: z.number().nullable(),
  e2eMs: z.number().nullable(),
  tokenLatencyP50Ms: z.number().nullable(),
  tokenLatencyP99Ms: z.number().nullable(),
  itlP50Ms: z.number().nullable(),
  tokens: z.number().int(),
  renderLatencyP99Ms: z.number().nullable().optional().describe('render − source emit, p99 over this stream'),
  stalenessP99Ms: z.number().nullable().optional().describe('render − client receive, p99 over this stream'),
  toolStallMs: z
    .number()
    .optional()
    .describe("the longest stall of the tool's own event loop during this stream, ms (0: none over 5 ms); at 20 ms and more the stream's timings are disturbed"),
  counters: z
    .record(z.string(), z.number())
    .optional()
    .describe("this stream's counters, same names and definitions as metrics.counters: tells a counter that timing moves from one that never varies"),
});
export type IterationSample = z.infer<typeof iterationSampleSchema>;

/** When things happened in one stream, in ms after its request start (µs precision). */
export const streamTimelineSchema = z.strictObject({
  stream: z.number().int().min(1).describe('which measured stream of the config (1 = the first)'),
  emitsMs: z.array(z.number()).describe('each chunk the source emitted'),
  emitTokens: z.array(z.number().int()).describe('tokens in each emitted chunk (same order as emitsMs)'),
  receivesMs: z.array(z.number()).describe('each distinct content event the client received, first arrival'),
  rendersMs: z.array(z.number()).describe('each render of the client'),
});
export type StreamTimeline = z.infer<typeof streamTimelineSchema>;

/** A config's exact measurement state, as plain data (encoded HdrHistograms, sums): what shard runs save for `merge`. */
export const measurementSnapshotSchema = z.strictObject({
  distributions: z.record(z.string(), z.string()),
  sums: z.record(z.string(), z.number()),
  maxima: z.record(z.string(), z.number()),
  levels: z.record(z.string(), z.number()),
  upstream: z.record(z.string(), z.number()),
  streams: z.number().int(),
  tokens: z.number().int(),
});
export type MeasurementSnapshot = z.infer<typeof measurementSnapshotSchema>;

/** A config's metrics over no measured stream: every time metric missing, no counter. */
export const noStreamMetrics = (): ConfigMetrics => ({
  ttftMs: null,
  timeToFirstByteMs: null,
  timeToFirstEventMs: null,
  upstreamTimeToFirstByteMs: null,
  upstreamTimeToFirstEventMs: null,
  sourceLagMs: null,
  tokenLatencyMs: null,
  renderLatencyMs: null,
  itlMs: null,
  tpotMs: null,
  e2eMs: null,
  stalenessMs: null,
  renderMs: null,
  paintDelayMs: null,
  stages: {},
  counters: {},
  eventLoopDelayMs: null,
});

// Fields after `metrics`, the same whatever the state (kept in this order: files read and write the same as before).
const configResultTail = {
  iterations: z.array(iterationSampleSchema).describe('one entry per measured stream'),
  tokenLatencyPercentilesMs: z
    .array(z.number())
    .length(101)
    .optional()
    .describe('token latency (client receive − source emit) at p0, p1, …, p100 over every measured token: the CDF the HTML report draws'),
  timeline: streamTimelineSchema.optional().describe('timestamps of the first measured stream, for the HTML report'),
  load: z
    .strictObject({
      mode: z.enum(['sequential', 'closed-loop', 'open-loop']),
      streamsStarted: z.number().int(),
      streamsFailed: z.number().int(),
      peakConcurrentStreams: z
        .number()
        .int()
        .optional()
        .describe('the most measured streams in flight at once, each from its start until its delivery is over (merged parts: the sum of their peaks, an upper bound)'),
      durationMs: z.number().describe('first measured stream started → last one ended'),
      deliveredTokensPerSecond: z.number().describe('tokens of the streams that completed ÷ duration'),
      completedStreamsPerSecond: z.number(),
      startDelayMs: summarySchema.nullable().describe('open loop: actual start − due time, per stream (time spent queued in the tool; never hidden)'),
      browserCpuShare: z
        .number()
        .optional()
        .describe('client.type browser: CPU time of the Chromium processes over the measured streams ÷ duration (1 = one core busy all the time), from /proc'),
      toolCpuShare: z
        .number()
        .describe("the tool's CPU time (every thread, and a processes: split producer child) over the measured load ÷ duration (1 = one core busy all the time)"),
      resources: z
        .strictObject({
          samples: z.array(
            z.strictObject({
              atS: z.number().describe('seconds since the measured streams started'),
              heapUsedMB: z.number().describe('V8 heap in use (MB) of the thread that ran the streams'),
              rssMB: z.number().describe('resident set size of the process (MB)'),
              activeResources: z.number().int().describe("the thread's active handles and requests (sockets, timers, servers)"),
            }),
          ),
          heapGrowthMB: z.number().nullable().describe('median heap of the last third of samples − of the first third (MB); null with fewer than 3 samples'),
          activeResourcesGrowth: z.number().nullable().describe('median active resources, last third − first third'),
        })
        .optional()
        .describe("the tool's own memory and handles while the load ran (with worker threads: the first worker's)"),
    })
    .optional()
    .describe('how the measured streams were loaded, and throughput'),
  warnings: z.array(z.string()).optional().describe('things that make these numbers less trustworthy, with advice'),
  target: targetResultSchemaWith(summarySchema).optional().describe("target mode: what the user's app did to the stream (docs/target.md)"),
  snapshot: measurementSnapshotSchema.optional().describe('shard runs only: the exact measurement state (encoded HdrHistograms, sums) that `streambench merge` combines'),
};

const configResultHead = {
  name: z.string(),
  message: z.string().optional().describe('why the config errored or was skipped'),
  settings: z.record(z.string(), z.unknown()).describe('the resolved pipeline settings'),
};

/**
 * One config's result, by state: a `completed` config always has metrics; an `errored` or
 * `interrupted` one has those of the streams it measured before it ended (null when none); a
 * `skipped` one has none.
 */
export const configResultSchema = z.discriminatedUnion('state', [
  z.strictObject({
    name: configResultHead.name,
    state: z.literal('completed'),
    message: configResultHead.message,
    settings: configResultHead.settings,
    // Files written before a completed config always had metrics saved null for one that measured
    // no stream (a shard's empty share): such files still read, as metrics of no stream.
    metrics: configMetricsSchema.nullable().transform((metrics) => metrics ?? noStreamMetrics()),
    ...configResultTail,
  }),
  z.strictObject({
    name: configResultHead.name,
    state: z.enum(['errored', 'interrupted']),
    message: configResultHead.message,
    settings: configResultHead.settings,
    metrics: configMetricsSchema.nullable().describe('the streams measured before the config ended; null when none was'),
    ...configResultTail,
  }),
  z.strictObject({
    name: configResultHead.name,
    state: z.literal('skipped'),
    message: configResultHead.message,
    settings: configResultHead.settings,
    metrics: z.null(),
    ...configResultTail,
  }),
]);
export type ConfigResult = z.infer<typeof configResultSchema>;
/** A config that ran to its end: its metrics are there. */
export type CompletedConfig = Extract<ConfigResult, { state: 'completed' }>;

/** How a config ended: its state with the metrics that state carries (one per state, not a mix). */
export type ConfigEnd = ConfigResult extends infer C ? (C extends ConfigResult ? Pick<C, 'state' | 'metrics'> : never) : never;

/**
 * A config's end from its state and what it measured (null: no stream): a completed config
 * that measured no stream (a shard's empty share) has metrics of no stream; a skipped one none.
 */
export function configEnd(state: ConfigResult['state'], metrics: ConfigMetrics | null): ConfigEnd {
  if (state === 'completed') return { state, metrics: metrics ?? noStreamMetrics() };
  if (state === 'skipped') return { state, metrics: null };
  return { state, metrics };
}
/** A target-mode config's `target` block. */
export type TargetResult = NonNullable<ConfigResult['target']>;

export const resultDocumentSchema = z.strictObject({
  $schema: z.string().optional(),
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  tool: z.strictObject({ name: z.literal('streambench'), version: z.string() }),
  runId: z.string(),
  interrupted: z.boolean().describe('true when the run was stopped before every config ran'),
  incomplete: z
    .literal(true)
    .optional()
    .describe('the run was still going when this file was written (after a config, or at a forced stop); the final write drops it, so a file left by a crash or SIGKILL says so'),
  scenario: z.strictObject({
    name: z.string(),
    file: z.string().nullable(),
    contentHash: z.string().describe('sha256 of the scenario file as read'),
    settings: z.record(z.string(), z.unknown()).describe('the resolved scenario (source, iterations, seed, ...)'),
  }),
  context: z.strictObject({
    node: z.string(),
    os: z.string(),
    cpuModel: z.string(),
    cores: z.number().int(),
    gitCommit: z.string().nullable(),
    startedAt: z.string().describe('UTC ISO-8601 wall-clock start time (for humans; never used for latency)'),
    redis: z
      .strictObject({
        broker: z.enum(['redis', 'memory']).describe('redis: the redis-* configs ran on the Redis below. memory: they ran on the in-process memory broker instead'),
        origin: z
          .enum(['--redis', 'REDIS_URL', 'default', 'private'])
          .optional()
          .describe('how the Redis was found: --redis URL, REDIS_URL, 127.0.0.1:6379, or a private redis-server started for the run'),
        url: z.string().optional().describe('the Redis URL, password redacted'),
        version: z.string().nullable().optional().describe("the server's redis_version"),
        note: z.string().optional().describe('what changed and why (nothing answered at the default address, the memory broker in place of Redis)'),
      })
      .optional()
      .describe('which Redis the run used; absent when no config needed one'),
  }),
  shard: z
    .strictObject({ index: z.number().int().nonnegative(), count: z.number().int().positive() })
    .optional()
    .describe("this run covered only the share `index` (0-based) of `count` of every config's measured streams"),
  shards: z
    .array(z.strictObject({ runId: z.string(), shard: z.string(), context: z.record(z.string(), z.unknown()) }))
    .optional()
    .describe('a merged document: the shard runs it combines, each with its context'),
  configs: z.array(configResultSchema),
  warnings: z
    .array(z.strictObject({ kind: z.string(), config: z.string(), message: z.string() }))
    .optional()
    .describe('every warning of the run (the terminal groups them by kind; --verbose prints each)'),
});
export type ResultDocument = z.infer<typeof resultDocumentSchema>;

/**
 * The document as published (schemas/result.schema.json) and checked without zod: one config
 * shape whose `metrics` may be null, as files were always written. The union above is stricter
 * (a completed config has metrics, a skipped one none); readResultFile applies it. One shape
 * keeps the published schema and the validator compiled from it a third of the union's size.
 */
export const resultDocumentWireSchema = resultDocumentSchema.extend({
  configs: z.array(
    z.strictObject({
      ...configResultHead,
      state: z.enum(['completed', 'errored', 'interrupted', 'skipped']),
      metrics: configMetricsSchema
        .nullable()
        .describe(
          'completed: always (null only in files of older versions, for a config that measured no stream); errored or interrupted: the streams measured before it ended, null when none; skipped: null',
        ),
      ...configResultTail,
    }),
  ),
});
