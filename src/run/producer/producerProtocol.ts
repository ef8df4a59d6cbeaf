/**
 * The messages between the main process and a producer child process (`processes: split`),
 * over Node's IPC channel. Everything is plain data; every timestamp is on the shared monotonic
 * clock (`process.hrtime.bigint()` is system-wide on Linux), so the main process puts the
 * child's stamps into the stream's trace as they are.
 */
import type { BatchSettings } from '../../pipeline/batchers/settings.js';
import type { RedisBrokerSettings } from '../../pipeline/brokers/redis/settings.js';
import type { SerializerName } from '../../pipeline/serializers/index.js';
import type { BrokerCounters } from '../../pipeline/types.js';
import type { ResolvedSourceSettings } from '../../sources/sourceSettings.js';
import type { TokenCountMethod, UpstreamUsage } from '../../sources/types.js';
import type { ProducerStage } from './producerStages.js';

/** What the child builds its stages from: the config's producer settings and the run's source. */
export interface ProducerChildSettings {
  runId: string;
  seed: number;
  source: ResolvedSourceSettings;
  serializer: SerializerName;
  batch: BatchSettings;
  broker: RedisBrokerSettings;
  /** The Redis to write to (it may carry a password: it travels over IPC, never in argv). */
  redisUrl: string;
}

/** Main process → child. */
export type ToProducerChild =
  | { type: 'init'; settings: ProducerChildSettings }
  /** Open the producer side of a stream (broker connection, serializer, source plan): sent before its request starts. */
  | { type: 'open'; streamId: string; streamIndex: number }
  /**
   * The request started at `requestStartMs` (the main process's clock, which the child shares):
   * once the stream is open, open the source with its plan starting then, and produce.
   */
  | { type: 'start'; streamId: string; requestStartMs: number }
  /** Stop the source early (the run was interrupted). */
  | { type: 'abort'; streamId: string }
  /** Release a stream that will not run, or stop one that runs (the main process gave up on it). */
  | { type: 'dispose'; streamId: string }
  /** Plan these streams now, before the load (a synthetic source's text and schedule), as one process does ahead of its load; answered by `prepared`. */
  | { type: 'prepare'; streamIndexes: number[] }
  /** Report the child's CPU time so far (a config under load measures the child's share). */
  | { type: 'cpu' }
  | { type: 'close' };

/** One thing the producer observed, shipped to the main process's trace. */
export type ProducerRecord =
  | { kind: 'emit'; text: string; tokens: number; atMs: number }
  | { kind: 'assign'; seq: number; firstChunk: number; chunkCount: number }
  | { kind: 'stamp'; stage: ProducerStage; seq: number; atMs: number }
  // What a source that talks to a server reported (SourceObserver).
  | { kind: 'firstByte'; atMs: number }
  | { kind: 'firstEvent'; atMs: number }
  | { kind: 'malformedLine' }
  | { kind: 'usage'; usage: UpstreamUsage }
  | { kind: 'tokenCount'; method: TokenCountMethod; reasoningTokens: number };

/** What the child counted for one stream, sent once its end item was acknowledged. */
export interface ProducedSummary {
  endSeq: number;
  payloadBytes: number;
  jsonStringifyCalls: number;
  jsonParseCalls: number;
  /** The producer serializer's own counters. */
  serializer: Record<string, number>;
  /** The producer side's broker counters (its own connections). */
  broker: BrokerCounters;
  /** The child's CPU time (user + system) from start to the end item, in µs. */
  cpuUs: number;
  /** When the child received `start` (on the shared clock). */
  startReceivedAtMs: number;
  /** A planned source: how late its latest chunk was against the plan, in ms (null for other sources). */
  scheduleLagMaxMs: number | null;
}

/** Child → main process. */
export type FromProducerChild =
  | { type: 'ready' }
  /** The streams of `prepare` are planned. */
  | { type: 'prepared' }
  /** The child's CPU time (user + system) since it started, in µs: the answer to `cpu`. */
  | { type: 'cpu'; cpuUs: number }
  /** Every stream's records of one turn of the child's event loop, each stream's in the order they happened. */
  | { type: 'records'; streams: { streamId: string; records: ProducerRecord[] }[] }
  | { type: 'produced'; streamId: string; summary: ProducedSummary }
  /** `streamId` null: the child itself failed (init, or an error outside any stream). */
  | { type: 'failed'; streamId: string | null; message: string };
