/**
 * Whether a result document holds a whole run. A run stopped by a signal is `interrupted`; a
 * file written after a config while the run went on, and left so by a crash or SIGKILL, is
 * `incomplete`; a config stopped while it ran is `interrupted`. Comparing or merging such a
 * document would pass a partial measurement off as a whole one.
 */
import type { ResultDocument } from './resultSchema.js';

/** What is missing from `document`, in words, or null when it is whole. */
export function partialResultProblem(document: ResultDocument): string | null {
  const problems: string[] = [];
  if (document.incomplete) problems.push('the run was still going when it was written (a crash, SIGKILL or forced stop left it): configs after the last one in it are missing');
  else if (document.interrupted) problems.push('the run was interrupted: configs after the last one in it did not run');
  const cutShort = document.configs.filter((config) => config.state === 'interrupted').map((config) => config.name);
  if (cutShort.length > 0) problems.push(`config${cutShort.length > 1 ? 's' : ''} ${cutShort.join(', ')} stopped while running`);
  return problems.length === 0 ? null : problems.join('; ');
}
