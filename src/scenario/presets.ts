/**
 * Preset pipelines a scenario can start from. Raw (unvalidated) objects: they are merged
 * with the scenario's own settings and validated together. All three relay through a real
 * Redis list, as the field does; `--redis off` (or no Redis to be had) skips them.
 */

export const PRESET_NAMES = ['field-baseline', 'seed-proposed', 'seed-corrected'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Defaults for every field a preset and the scenario leave unset. */
export const DEFAULT_PIPELINE = {
  serializer: 'single-pass',
  batch: { mode: 'none', size: 5, timeoutMs: 100, merge: true, firstImmediate: false },
  broker: { type: 'memory', read: 'from-index', window: 10 },
  delivery: { type: 'direct' },
  client: { type: 'lean', render: { strategy: 'every', intervalMs: 16.7 } },
  // processes is left unset: single, unless the load needs the producer side in a process of its own (src/load/automaticWorkers.ts).
};

/** The presets, each a partial pipeline. */
export const PRESETS: Record<PresetName, Record<string, unknown>> = {
  // The field's relay as DESIGN.md §2 describes it.
  'field-baseline': {
    serializer: 'field-baseline',
    batch: { mode: 'none' },
    broker: { type: 'redis-list', write: 'fire-and-forget', read: 'from-index' },
    client: { type: 'field', render: { strategy: 'debounce', intervalMs: 16 } },
  },
  // The seed's proposals exactly as its snippets write them.
  'seed-proposed': {
    serializer: 'seed-cache',
    batch: { mode: 'seed', size: 5, timeoutMs: 100 },
    broker: { type: 'redis-list', write: 'fire-and-forget', read: 'window', window: 10 },
    client: { type: 'field', render: { strategy: 'debounce', intervalMs: 50 } },
  },
  // The same ideas with their traps fixed (DESIGN.md §3).
  'seed-corrected': {
    serializer: 'single-pass',
    batch: { mode: 'timer', size: 5, timeoutMs: 25, firstImmediate: true },
    broker: { type: 'redis-list', write: 'eval', read: 'window-catchup', window: 10 },
    client: { type: 'lean', render: { strategy: 'frame', intervalMs: 16.7 } },
  },
};
