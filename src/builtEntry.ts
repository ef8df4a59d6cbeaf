import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built file `pathInDist` (e.g. `run/producer/producerChild.js`) that a child process or
 * worker thread runs. Found from this module's own place: built, it sits at the root of dist/;
 * run from sources (tests), dist/ is beside src/, which `npm test` builds first. Throws naming
 * `feature` and the fix when the file is missing.
 */
export function builtEntry(pathInDist: string, feature: string): string {
  const here = fileURLToPath(import.meta.url);
  const distRoot = here.endsWith('.js') ? dirname(here) : join(dirname(here), '..', 'dist');
  const entry = join(distRoot, pathInDist);
  if (!existsSync(entry)) throw new Error(`${feature} runs the built ${entry}, which does not exist: run \`npm run build\` first`);
  return entry;
}
