/**
 * Dot paths to a field in an app's JSON event: `choices.0.delta.content` (numbers index
 * arrays). A segment ending in `@json` parses the string found there as JSON and goes on
 * inside it: the field's relay sends `{"content":"{\"role\":\"assistant\",\"content\":\"Hi\"}"}`,
 * whose text is at `content@json.content`.
 */

const JSON_SUFFIX = '@json';

/** One step of a path: a key (or array index), then whether the value found is a JSON string to parse. */
interface PathStep {
  key: string;
  parseJson: boolean;
}

/** A parsed dot path, ready to resolve against many events. */
export interface TextPath {
  readonly source: string;
  readonly steps: readonly PathStep[];
}

/** Parses a dot path; throws with the path and what is wrong when a segment is empty. */
export function parseTextPath(source: string): TextPath {
  const steps = source.split('.').map((segment): PathStep => {
    const parseJson = segment.endsWith(JSON_SUFFIX);
    const key = parseJson ? segment.slice(0, -JSON_SUFFIX.length) : segment;
    if (key === '') throw new Error(`path "${source}": empty segment (write keys separated by dots, e.g. choices.0.delta.content)`);
    return { key, parseJson };
  });
  return { source, steps };
}

/** Why a path did not lead to a value. */
export type PathMiss = 'absent' | 'bad-json';

/** The value at `path` in `value`, `undefined` when a step is absent, or 'bad-json' when an `@json` step held no JSON. */
export function resolvePath(value: unknown, path: TextPath): { found: true; value: unknown } | { found: false; miss: PathMiss } {
  let current = value;
  for (const step of path.steps) {
    if (current === null || typeof current !== 'object') return { found: false, miss: 'absent' };
    current = (current as Record<string, unknown>)[step.key];
    if (current === undefined) return { found: false, miss: 'absent' };
    if (step.parseJson) {
      if (typeof current !== 'string') return { found: false, miss: 'bad-json' };
      try {
        current = JSON.parse(current);
      } catch {
        return { found: false, miss: 'bad-json' };
      }
    }
  }
  return { found: true, value: current };
}
