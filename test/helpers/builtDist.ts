/**
 * Tests that start a child process run the built dist/ files (a child cannot run the .ts
 * sources vitest runs). `npm test` builds first (pretest); a test file run on its own
 * rebuilds here when a source is newer than the build, so it never tests stale JavaScript.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time of any file under `folder`, in ms. */
function newestMtimeMs(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ (tsc -p tsconfig.build.json, then the light bundle the bin entry runs from its new modules) unless `builtFile` is newer than every source. */
export function ensureBuiltDist(builtFile: string): void {
  const root = process.cwd();
  const built = join(root, builtFile);
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtimeMs(join(root, 'src'))) return;
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'dist', 'tools', 'writeLightBundle.js')], { cwd: root, stdio: 'inherit' });
}
