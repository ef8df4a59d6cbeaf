/**
 * Turns a config's settings into running stages (I/O: brokers and deliveries may open
 * connections and servers). `close()` releases everything it opened.
 */
import { type Clock, systemClock } from '../clock.js';
import { createMemoryBroker } from '../pipeline/brokers/memoryBroker.js';
import { createRedisBroker } from '../pipeline/brokers/redis/broker.js';
import type { RedisResolution } from '../pipeline/brokers/redis/connection.js';
import type { ClientSettings, RenderSettings } from '../pipeline/client/types.js';
import { createDelivery } from '../pipeline/delivery/createDelivery.js';
import { DEFAULT_BROWSER_OPTIONS } from '../pipeline/client/createClient.js';
import { BrowserPool } from '../pipeline/client/browser/browserPool.js';
import { resolveChromium } from '../pipeline/client/browser/chromiumLauncher.js';
import { createSerializer } from '../pipeline/serializers/index.js';
import type { Broker, Delivery } from '../pipeline/types.js';
import type { PipelineSettings } from '../scenario/pipelineSchema.js';
import type { Shard } from '../load/streamScheduler.js';
import type { TokenSource } from '../sources/types.js';
import type { ResolvedSourceSettings } from '../sources/sourceSettings.js';
import { type ProducerProcess, startProducerProcess } from './producer/producerProcess.js';
import type { ProducerChildSettings } from './producer/producerProtocol.js';
import type { BuiltPipeline } from './types.js';
import { StageUnavailableError } from './stageUnavailableError.js';

/** Everything a run shares between its configs (connections, the run id). */
export interface RunEnvironment {
  runId: string;
  /** The run's seed (streams, arrivals). */
  seed: number;
  /** This machine's share of every config's measured streams (`--shard`); null runs them all. */
  shard?: Shard | null;
  clock: Clock;
  source: TokenSource;
  /** The source's resolved settings: a producer child process (`processes: split`) builds the same source from them. */
  sourceSettings?: ResolvedSourceSettings;
  /** The Redis to use, resolved once per run; null when no config needs Redis. */
  redis: RedisResolution | null;
  /** The run's interruption: cleanup after it waits on a Redis for a short deadline only. */
  signal?: AbortSignal;
  /** The machine's cores as the automatic spread of a load sees them; default os.availableParallelism(). */
  cores?: number;
  /** Where a target's app log goes when its scenario sets no `app.log` (default results/). */
  appLogFolder?: string;
}

/** Builds the stages of one config; `concurrency`: streams this thread expects in flight at once (default 1). */
export async function buildPipeline(
  settings: PipelineSettings,
  environment: RunEnvironment,
  expected: { concurrency?: number } = {},
): Promise<BuiltPipeline & { close(): Promise<void> }> {
  const broker = await createBroker(settings.broker, environment);
  let delivery: Delivery;
  try {
    delivery = await createDelivery(settings.delivery, { clock: environment.clock, concurrency: expected.concurrency });
  } catch (error) {
    await broker.close();
    throw error;
  }
  let producerProcess: ProducerProcess | null = null;
  let browser: BrowserPool | null = null;
  try {
    // One long-lived child per config: forking per stream would put Node's start-up in every stream.
    if (settings.processes === 'split') producerProcess = await startProducerProcess(producerChildSettings(settings, environment), environment.clock);
    if (settings.client.type === 'browser') browser = await startBrowsers(settings.client, environment);
  } catch (error) {
    await Promise.allSettled([producerProcess?.close(), broker.close(), delivery.close()]);
    throw error;
  }
  return {
    clock: environment.clock,
    source: environment.source,
    serializer: createSerializer(settings.serializer),
    batch: settings.batch,
    broker,
    delivery,
    client: withSseEventName(toClientSettings(settings.client), settings.delivery),
    drainTimeoutMs: 10_000,
    producerProcess,
    browser,
    serializerName: settings.serializer,
    async close() {
      // The child first: nothing may write any more when the broker deletes what is left.
      await producerProcess?.close();
      await Promise.allSettled([broker.close(), delivery.close(), browser?.close()]);
    },
  };
}

/** What a producer child builds its side of every stream from; a clear error when the config cannot run split. */
function producerChildSettings(settings: PipelineSettings, environment: RunEnvironment): ProducerChildSettings {
  const broker = settings.broker;
  // Normally refused when the scenario is loaded; this guards pipelines built by other means.
  if (broker.type === 'memory') throw new Error('pipeline.processes: split needs a Redis broker: the memory broker lives in one process');
  const redis = environment.redis;
  if (!redis || 'skipped' in redis) throw new Error('internal: a Redis broker was configured but Redis was not resolved');
  if (!environment.sourceSettings) throw new Error("internal: pipeline.processes: split needs the source's settings in the run environment");
  // A child process reads the system's monotonic clock; it cannot share a test's manual clock.
  if (environment.clock !== systemClock) throw new Error('pipeline.processes: split needs the system clock');
  return {
    runId: environment.runId,
    seed: environment.seed,
    source: environment.sourceSettings,
    serializer: settings.serializer,
    batch: settings.batch,
    broker,
    redisUrl: redis.url,
  };
}

/** Launches the config's first Chromium; a machine without one skips the config, saying how to get it. */
async function startBrowsers(client: PipelineSettings['client'], environment: RunEnvironment): Promise<BrowserPool> {
  const chromium = resolveChromium();
  if ('missing' in chromium) throw new StageUnavailableError(`client.type browser: ${chromium.missing}`);
  const limits = { pagesPerContext: client.browser?.pagesPerContext ?? 10, contextsPerBrowser: client.browser?.contextsPerBrowser ?? 10 };
  return BrowserPool.start(chromium.path, limits, environment.clock);
}

async function createBroker(settings: PipelineSettings['broker'], environment: RunEnvironment): Promise<Broker> {
  if (settings.type === 'memory') return createMemoryBroker(settings);
  const redis = environment.redis;
  if (!redis) throw new Error('internal: a Redis broker was configured but Redis was not resolved');
  if ('skipped' in redis) throw new StageUnavailableError(redis.skipped);
  return createRedisBroker(settings, { url: redis.url, runId: environment.runId, clock: environment.clock, interruption: environment.signal });
}

/** A browser client listens for the SSE delivery's event name (EventSource hands named events only to their listeners). */
function withSseEventName(client: ClientSettings, delivery: PipelineSettings['delivery']): ClientSettings {
  if (client.type !== 'browser' || delivery.type !== 'sse' || delivery.eventName === null) return client;
  return { ...client, browser: { ...(client.browser ?? DEFAULT_BROWSER_OPTIONS), sseEventName: delivery.eventName } };
}

/** The client's render settings from the scenario's flat form. */
export function toClientSettings(settings: PipelineSettings['client']): ClientSettings {
  const { strategy, intervalMs } = settings.render;
  const render: RenderSettings =
    strategy === 'every'
      ? { strategy }
      : strategy === 'debounce'
        ? { strategy, delayMs: intervalMs }
        : strategy === 'throttle'
          ? { strategy, intervalMs }
          : { strategy, frameMs: intervalMs };
  return { type: settings.type, render, ...(settings.browser && { browser: settings.browser }) };
}
