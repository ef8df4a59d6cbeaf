/** What the main thread and a load worker thread send each other (structured-clone data only). */
import type { ConfigResult } from '../result/resultSchema.js';
import type { ResolvedConfig } from '../scenario/loadScenario.js';
import type { ResolvedSourceSettings } from '../sources/sourceSettings.js';
import type { StreamPlan } from '../run/types.js';
import type { Shard } from './streamScheduler.js';

/** A worker's share of one config: everything it needs to build its own pipeline. */
export interface WorkerTask {
  config: ResolvedConfig;
  configIndex: number;
  plan: StreamPlan;
  runId: string;
  seed: number;
  /** The worker's streams: the machine's shard, divided again among the workers. */
  shard: Shard;
  sourceSettings: ResolvedSourceSettings;
  /** The run's Redis (a private server stays the main thread's to stop), or null. */
  redis: { url: string; redactedUrl: string } | { skipped: string } | null;
}

/** Main → worker: start the measured streams (all workers together), or stop. */
export type MainMessage = { type: 'go' } | { type: 'abort' };

/** Worker → main: warm-up done (streams planned), one stream done, measured streams ended, the result, or a failure before any result. */
export type WorkerMessage = { type: 'warm' } | { type: 'stream' } | { type: 'measured' } | { type: 'result'; result: ConfigResult } | { type: 'failed'; message: string };
