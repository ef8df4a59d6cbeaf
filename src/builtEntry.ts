import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built file `pathInDist` (e.g. `run/producerChild.js`) that a child process or worker
 * thread runs. `callerUrl` is the import.meta.url of a module one folder below src/ or dist/:
 * built, the entry is beside it in dist/; run from sources (tests), it is in dist/, which
 * `npm test` builds first. Throws naming `feature` and the fix when the file is missing.
 */
export function builtEntry(callerUrl: string, pathInDist: string, feature: string): string {
  const here = fileURLToPath(callerUrl);
  const distRoot = here.endsWith('.js') ? join(dirname(here), '..') : join(dirname(here), '..', '..', 'dist');
  const entry = join(distRoot, pathInDist);
  if (!existsSync(entry)) throw new Error(`${feature} runs the built ${entry}, which does not exist: run \`npm run build\` first`);
  return entry;
}
