/**
 * The in-process memory broker in place of Redis: for `--broker memory`, and for `--redis auto`
 * when no Redis answers and none can be started, so a first run anywhere still measures the
 * serializer, batcher, delivery and render stages. Pure: configs in, configs out.
 */
import type { ResolvedConfig } from '../scenario/loadScenario.js';

/** A config on the memory broker, or why it cannot run there. */
export type MemoryConfig = { config: ResolvedConfig } | { skipped: string };

/**
 * The config with its Redis broker replaced by the memory broker (a list broker keeps its read
 * strategy and window); a config that already uses memory comes back unchanged. A config whose
 * producer runs in another process (`processes: split`) cannot reach an in-process broker.
 */
export function onMemoryBroker(config: ResolvedConfig): MemoryConfig {
  // A target config measures the user's app: it has no broker of streambench's to replace.
  if (config.target) return { config };
  const broker = config.pipeline.broker;
  if (broker.type === 'memory') return { config };
  if (config.pipeline.processes === 'split') {
    return { skipped: 'processes: split needs a Redis broker (its producer runs in another process); skipped on the memory broker' };
  }
  const list = broker.type === 'redis-list' ? { read: broker.read, window: broker.window } : { read: 'from-index' as const, window: 10 };
  return { config: { ...config, pipeline: { ...config.pipeline, broker: { type: 'memory', ...list } } } };
}

/** Whether any config of the list uses a Redis broker. */
export function usesRedis(configs: readonly ResolvedConfig[]): boolean {
  // A target config needs Redis only to observe the app's Redis when it says `redis.url: auto`.
  return configs.some((config) => (config.target ? config.target.redis?.url === 'auto' : config.pipeline.broker.type !== 'memory'));
}

/** What a run uses for its Redis configs: the configs to run (or skip), the Redis to hand them, and what to record. */
export interface BrokerPlan<Redis> {
  configs: (ResolvedConfig | { name: string; skipped: string })[];
  redis: Redis | null;
  context: RedisContext | undefined;
}

/** `context.redis` of a result document. */
export interface RedisContext {
  broker: 'redis' | 'memory';
  origin?: '--redis' | 'REDIS_URL' | 'default' | 'private';
  url?: string;
  version?: string | null;
  note?: string;
}

/**
 * Decides where the Redis configs run: on the resolved Redis, or on the memory broker when
 * `--broker memory` asks or `auto` found no Redis (`noneFound`); `--redis off` keeps them
 * skipped. Pure: the resolution comes in, nothing is opened here.
 */
export function planBroker<Redis extends { redactedUrl: string; origin?: RedisContext['origin']; version?: string | null; note?: string }>(
  configs: readonly ResolvedConfig[],
  broker: 'auto' | 'memory' | undefined,
  resolution: Redis | { skipped: string; noneFound?: boolean } | null,
): BrokerPlan<Redis | { skipped: string; noneFound?: boolean }> {
  const fallBack = broker === 'memory' || (resolution !== null && 'skipped' in resolution && resolution.noneFound === true);
  if (fallBack && usesRedis(configs)) {
    const why = broker === 'memory' ? '--broker memory' : (resolution as { skipped: string }).skipped.replace(/^Redis configs skipped: /, '').split('. Provide one')[0];
    return {
      configs: configs.map((config) => {
        const moved = onMemoryBroker(config);
        return 'skipped' in moved ? { name: config.name, skipped: moved.skipped } : moved.config;
      }),
      redis: null,
      context: { broker: 'memory', note: `${why}: the redis-* configs ran on the in-process memory broker (no network; Redis commands, round trips and bytes are not measured)` },
    };
  }
  if (resolution === null || 'skipped' in resolution) return { configs: [...configs], redis: resolution, context: undefined };
  return {
    configs: [...configs],
    redis: resolution,
    context: {
      broker: 'redis',
      url: resolution.redactedUrl,
      ...(resolution.origin && { origin: resolution.origin }),
      ...(resolution.version !== undefined && { version: resolution.version }),
      ...(resolution.note && { note: resolution.note }),
    },
  };
}
