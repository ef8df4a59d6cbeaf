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

/** One line per problem: `<where>: <path>: <what is wrong and what is allowed>`. */
export function formatIssues(where: string, issues: readonly z.core.$ZodIssue[], pathPrefix: readonly PropertyKey[] = []): string {
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
        message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')} (check the spelling; see docs/scenarios.md for the fields allowed here)`;
      }
      return [`${where}: ${path}: ${message}`];
    })
    .join('\n');
}
