import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `text` to `path` atomically: a temporary file beside it, then a rename. A reader never
 * sees half a file. The temporary file has a random name and is created exclusively (O_EXCL,
 * never through a symlink planted at its name) with mode 0600 until renamed; a failed write
 * removes it. The folder must exist: output paths are checked before a run (outputPaths.ts).
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporaryPath = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporaryPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
    // Readable as any file the user writes once complete (the mode the umask gives a new file).
    await handle.chmod(0o666 & ~process.umask());
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temporaryPath).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await rename(temporaryPath, path);
  } catch (error) {
    await unlink(temporaryPath).catch(() => {});
    throw error;
  }
}

/** `20261124T013000Z`: a UTC timestamp that sorts and fits in a file name. */
export function fileTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}
