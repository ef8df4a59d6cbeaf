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
  return configs.some((config) => config.pipeline.broker.type !== 'memory');
}
