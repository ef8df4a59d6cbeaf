/**
 * Merges raw pipeline settings, later layers winning field by field. A stage whose settings
 * are a union by `type` (broker, delivery) is replaced whole when the type changes, so a
 * variant that switches the broker type does not inherit fields of the other type.
 */
export function mergeSettings(...layers: unknown[]): unknown {
  return layers.reduce((merged, layer) => mergeTwo(merged, layer, true), undefined);
}

const STAGES_KEYED_BY_TYPE = new Set(['broker', 'delivery']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeTwo(base: unknown, override: unknown, topLevel = false): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const baseValue = base[key];
    const typeChanged = topLevel && STAGES_KEYED_BY_TYPE.has(key) && isPlainObject(value) && isPlainObject(baseValue) && 'type' in value && value.type !== baseValue.type;
    merged[key] = typeChanged ? value : mergeTwo(baseValue, value);
  }
  return merged;
}
