/**
 * Turns a config's settings into running stages (I/O: brokers and deliveries may open
 * connections and servers). `close()` releases everything it opened.
 */
import type { Clock } from '../clock.js';
import { createMemoryBroker } from '../pipeline/brokers/memoryBroker.js';
import { createRedisBroker } from '../pipeline/brokers/redis/broker.js';
import type { RedisResolution } from '../pipeline/brokers/redis/connection.js';
import type { ClientSettings, RenderSettings } from '../pipeline/client/types.js';
import { createDelivery } from '../pipeline/delivery/createDelivery.js';
import { createSerializer } from '../pipeline/serializers/index.js';
import type { Broker, Delivery } from '../pipeline/types.js';
import type { PipelineSettings } from '../scenario/pipelineSchema.js';
import type { TokenSource } from '../sources/types.js';
import type { BuiltPipeline } from './runStream.js';
import { StageUnavailableError } from './stageUnavailableError.js';

/** Everything a run shares between its configs (connections, the run id). */
export interface RunEnvironment {
  runId: string;
  clock: Clock;
  source: TokenSource;
  /** The Redis to use, resolved once per run; null when no config needs Redis. */
  redis: RedisResolution | null;
}

/** Builds the stages of one config. */
export async function buildPipeline(settings: PipelineSettings, environment: RunEnvironment): Promise<BuiltPipeline & { close(): Promise<void> }> {
  const broker = await createBroker(settings.broker, environment);
  let delivery: Delivery;
  try {
    delivery = await createDelivery(settings.delivery, { clock: environment.clock });
  } catch (error) {
    await broker.close();
    throw error;
  }
  return {
    clock: environment.clock,
    source: environment.source,
    serializer: createSerializer(settings.serializer),
    batch: settings.batch,
    broker,
    delivery,
    client: toClientSettings(settings.client),
    drainTimeoutMs: 10_000,
    async close() {
      await Promise.allSettled([broker.close(), delivery.close()]);
    },
  };
}

async function createBroker(settings: PipelineSettings['broker'], environment: RunEnvironment): Promise<Broker> {
  if (settings.type === 'memory') return createMemoryBroker(settings);
  const redis = environment.redis;
  if (!redis) throw new Error('internal: a Redis broker was configured but Redis was not resolved');
  if ('skipped' in redis) throw new StageUnavailableError(redis.skipped);
  return createRedisBroker(settings, { url: redis.url, runId: environment.runId, clock: environment.clock });
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
  return { type: settings.type, render };
}
