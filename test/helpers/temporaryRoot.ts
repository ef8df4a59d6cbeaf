/**
 * Vitest global setup: the suite's temporary files — its tests' folders, the CLI runs and
 * Chromium processes they start — go under one folder (TMPDIR, which os.tmpdir() and the
 * children read), removed when the suite ends, so no run of the suite leaves folders in /tmp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Points TMPDIR at a fresh folder; the teardown it returns deletes the folder and restores TMPDIR. */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'streambench-tests-'));
  process.env.TMPDIR = root;
  return () => {
    rmSync(root, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  };
}
