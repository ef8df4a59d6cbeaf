/**
 * Runs every config of a scenario and builds the result document. The programmatic entry
 * point (`import { runScenario } from 'streambench'`); the CLI is a thin shell around it.
 */
import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../clock.js';
import { RESULT_SCHEMA_VERSION, type ResultDocument } from '../result/resultSchema.js';
import type { Scenario } from '../scenario/loadScenario.js';
import type { Shard } from '../load/streamScheduler.js';
import { resolveRedis } from '../pipeline/brokers/redis/connection.js';
import { createSource } from '../sources/sourceSettings.js';
import { collectContext, TOOL_VERSION } from './context.js';
import { planBroker, usesRedis } from './memoryFallback.js';
import { collectWarnings, warningsForResult } from '../stats/runWarnings.js';
import { runConfig } from './runConfig.js';
import type { PartialConfig, StreamProgress } from './types.js';

/** Options that override the scenario or hook into the run. */
export interface RunOptions {
  iterations?: number;
  warmup?: number;
  seed?: number;
  /** Run only this share of every config's measured streams (0-based index of count). */
  shard?: Shard;
  /** `--redis`: a redis:// URL, `auto` (default: REDIS_URL, 127.0.0.1:6379, or a private redis-server) or `off`. */
  redis?: string;
  /**
   * `memory` (`--broker memory`) runs every redis-* config on the in-process memory broker.
   * `auto` (the default) does so only when `redis` is auto and no Redis answers or can be started.
   */
  broker?: 'auto' | 'memory';
  clock?: Clock;
  /** The machine's cores as the automatic spread of a load sees them (worker threads, a split producer side); default os.availableParallelism(). */
  cores?: number;
  /** Where a target's app log goes when its scenario sets no `app.log`: the result file's folder (default results/). */
  appLogFolder?: string;
  /** Stops the run after the stream in progress; the document is marked interrupted. */
  signal?: AbortSignal;
  /** The environment `redis: auto` reads (REDIS_URL, STREAMBENCH_DEFAULT_REDIS_URL, PATH for redis-server); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Called with the document so far after every config, so a caller can save it. */
  onConfigDone?: (document: ResultDocument) => void | Promise<void>;
  onStream?: StreamProgress;
  /** Called with a config's name when it starts. */
  onConfigStart?: (config: string) => void;
  /**
   * Called once a config's streams start with a synchronous view of what it measured so far,
   * and the document as of the configs before it (for a forced stop).
   */
  onConfigPartial?: (partial: PartialConfig, documentSoFar: ResultDocument) => void;
}

/** Runs a scenario and returns its result document. */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<ResultDocument> {
  const startedAt = new Date();
  const seed = options.seed ?? scenario.seed;
  const iterations = options.iterations ?? scenario.iterations;
  const warmup = options.warmup ?? scenario.warmup;
  const runId = `${startedAt.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  // Resolve Redis once, and only when a config needs it (RedisSetupError for a bad --redis).
  const resolution = usesRedis(scenario.configs) && options.broker !== 'memory' ? await resolveRedis(options.redis, options.env) : null;
  const plan = planBroker(scenario.configs, options.broker, resolution);
  const redis = plan.redis;
  let configs = plan.configs;
  // --iterations counts measured streams for every config; for one with a load block it
  // replaces load.streams (a load.durationS still stops starting streams when it ends).
  if (options.iterations !== undefined) {
    configs = configs.map((config) => ('skipped' in config || !config.load ? config : { ...config, load: { ...config.load, streams: options.iterations } }));
  }
  const source = await createSource(scenario.source, seed);
  const environment = {
    runId,
    seed,
    shard: options.shard ?? null,
    clock: options.clock ?? systemClock,
    source,
    sourceSettings: scenario.source,
    redis,
    signal: options.signal,
    cores: options.cores,
    appLogFolder: options.appLogFolder,
  };

  const document: ResultDocument = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: 'streambench', version: TOOL_VERSION },
    runId,
    interrupted: false,
    scenario: {
      name: scenario.name,
      file: scenario.file,
      contentHash: scenario.contentHash,
      settings: {
        description: scenario.description,
        seed,
        iterations,
        warmup,
        source: source.describe(),
        // The gates travel with the result, so `compare` applies them without the scenario file.
        ...(scenario.gates.length > 0 && { gates: scenario.gates }),
        ...(scenario.columns.length > 0 && { columns: scenario.columns }),
      },
    },
    context: { ...collectContext(startedAt), ...(plan.context && { redis: plan.context }) },
    ...(options.shard && { shard: { index: options.shard.index, count: options.shard.count } }),
    configs: [],
  };

  try {
    for (const [index, config] of configs.entries()) {
      if (options.signal?.aborted) break;
      options.onConfigStart?.(config.name);
      const result =
        'skipped' in config
          ? { name: config.name, state: 'skipped' as const, message: config.skipped, settings: {}, metrics: null, iterations: [] }
          : await runConfig(config, index, { warmup, iterations }, environment, {
              signal: options.signal,
              onStream: options.onStream,
              onPartial: options.onConfigPartial && ((partial) => options.onConfigPartial!(partial, document)),
            });
      // Stopped while it ran: not `completed`, whatever it measured before (which is kept). An error
      // that ended it as the stop cut its waits short (a stream stuck on a paused Redis, a pipeline
      // still connecting) is the stop's doing as much as the fault's: it stays in the message.
      if (options.signal?.aborted && (result.state === 'completed' || result.state === 'errored')) {
        const before = result.state === 'errored' && result.message ? `; as it stopped: ${result.message}` : '';
        result.state = 'interrupted';
        result.message = `interrupted after ${result.iterations.length} measured streams; streams in flight were not measured${before}`;
      }
      document.configs.push(result);
      document.interrupted = options.signal?.aborted ?? false;
      await options.onConfigDone?.(document);
    }
  } finally {
    await source.close?.();
    // A resolution the plan set aside (the memory broker instead) still holds nothing to release.
    if (resolution && 'release' in resolution) await resolution.release();
  }
  document.interrupted = options.signal?.aborted ?? false;
  const warnings = collectWarnings(document);
  if (warnings.length > 0) document.warnings = warningsForResult(warnings);
  return document;
}
