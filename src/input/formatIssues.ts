import type { z } from 'zod';

/** Renders a zod path as `variants[1].pipeline.batch.size`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text ? `.${String(key)}` : String(key);
  }
  return text || '(top level)';
}

/** What zod 4 keeps of a schema, as far as the walk below reads it. */
interface SchemaDefinition {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  element?: unknown;
  in?: unknown;
  valueType?: unknown;
}

/**
 * The field names an object schema allows at `path` (relative to `schema`), or null when the walk
 * cannot tell (a union, a lazy schema): an unknown field's message then lists what is allowed.
 */
export function fieldsAllowedAt(schema: unknown, path: readonly PropertyKey[]): string[] | null {
  let current = schema;
  let step = 0;
  for (let guard = 0; guard < 64; guard++) {
    const definition = (current as { _zod?: { def?: SchemaDefinition } } | undefined)?._zod?.def;
    if (!definition) return null;
    if (definition.type === 'optional' || definition.type === 'default' || definition.type === 'nullable' || definition.type === 'prefault') current = definition.innerType;
    else if (definition.type === 'pipe') current = definition.in;
    else if (step === path.length) return definition.type === 'object' && definition.shape ? Object.keys(definition.shape) : null;
    else if (definition.type === 'object' && definition.shape) current = definition.shape[String(path[step++])];
    else if (definition.type === 'array') {
      current = definition.element;
      step++;
    } else if (definition.type === 'record') {
      current = definition.valueType;
      step++;
    } else return null;
  }
  return null;
}

/**
 * One line per problem: `<where>: <path>: <what is wrong and what is allowed>`. `schema`: the
 * schema the issues' paths are relative to, for the fields an unknown field's message lists.
 */
export function formatIssues(where: string, issues: readonly z.core.$ZodIssue[], pathPrefix: readonly PropertyKey[] = [], schema?: unknown): string {
  return issues
    .flatMap((issue) => {
      if (issue.code === 'invalid_union' && issue.errors.length > 0) {
        // Show the branch that got furthest: the one with the fewest problems.
        const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
        return [formatIssues(where, best, [...pathPrefix, ...issue.path])];
      }
      const path = formatPath([...pathPrefix, ...issue.path]);
      let message = issue.message;
      if (issue.code === 'unrecognized_keys') {
        const allowed = schema === undefined ? null : fieldsAllowedAt(schema, issue.path);
        const hint = allowed && allowed.length > 0 ? `allowed here: ${allowed.join(', ')}` : 'see docs/scenarios.md for the fields allowed here';
        message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')} (check the spelling; ${hint})`;
      }
      return [`${where}: ${path}: ${message}`];
    })
    .join('\n');
}
