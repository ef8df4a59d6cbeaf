/**
 * The run's shared types: what a built config holds and how a caller drives and watches a
 * config. In a module of their own so the run, its worker threads and the producer process
 * import them without importing each other.
 */
import type { Clock } from '../clock.js';
import type { BatchSettings } from '../pipeline/batchers/settings.js';
import type { BrowserPool } from '../pipeline/client/browser/browserPool.js';
import type { ClientSettings } from '../pipeline/client/types.js';
import type { Broker, Delivery, Serializer } from '../pipeline/types.js';
import type { ConfigResult } from '../result/resultSchema.js';
import type { TokenSource } from '../sources/types.js';
import type { ProducerProcess } from './producer/producerProcess.js';

/** The built stages of one config. */
export interface BuiltPipeline {
  clock: Clock;
  source: TokenSource;
  serializer: Serializer;
  batch: BatchSettings;
  broker: Broker;
  delivery: Delivery;
  client: ClientSettings;
  /** How long the consumer may take to finish after the producer ended, in ms. */
  drainTimeoutMs: number;
  /** `processes: split`: the child process every stream's producer side runs in; null runs it here. */
  producerProcess: ProducerProcess | null;
  /** The config's Chromium pages (client.type browser); null for the Node clients. */
  browser?: BrowserPool | null;
  /** The serializer's name (a browser page decodes its wire format itself). */
  serializerName?: string;
}

/** How many streams a config runs (with a load block, `load.streams` replaces `iterations`). */
export interface StreamPlan {
  warmup: number;
  iterations: number;
}

/** Called after every stream, for progress display. */
export type StreamProgress = (done: { config: string; stream: number; streams: number }) => void;

/** What a caller can hook into while a config runs. */
export interface ConfigHooks {
  /** Stops starting streams; streams in flight are cut short and not measured. */
  signal?: AbortSignal;
  onStream?: StreamProgress;
  /** Awaited after the warm-up streams, before the measured ones start (worker threads start together). */
  onWarm?: () => Promise<void>;
  /** Called as soon as the measured streams have ended, before the pipeline closes (worker threads: the end of the process's CPU window). */
  onMeasuredEnd?: () => void;
  /**
   * Given, once the config's streams start, a synchronous view of the config as measured so far
   * (state `interrupted`): what a forced stop saves of the running config.
   */
  onPartial?: (partial: PartialConfig) => void;
}

/** The running config as measured so far, built synchronously (a forced stop cannot await). */
export type PartialConfig = () => ConfigResult;
