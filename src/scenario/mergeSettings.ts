/**
 * Merges raw settings objects, later ones winning field by field. An object whose `type` or
 * `mode` changes is replaced whole, not merged, so a variant that switches, say, the broker
 * type does not inherit fields that belong to the other type.
 */
export function mergeSettings(...layers: unknown[]): unknown {
  return layers.reduce((merged, layer) => mergeTwo(merged, layer), undefined);
}

const DISCRIMINATORS = ['type'];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeTwo(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  if (DISCRIMINATORS.some((key) => key in override && key in base && override[key] !== base[key])) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = mergeTwo(base[key], value);
  return merged;
}
