/**
 * When a result cannot be written where asked (a full disk, a folder removed mid-run), the
 * measurement is not thrown away: the document goes to a fallback file in the temporary folder
 * and the error says where, with the documented exit code — never a stack trace.
 */
import { constants, openSync, closeSync, writeSync, renameSync, unlinkSync, fsyncSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CliError, EXIT } from './exitCodes.js';

/** Writes `text` at `path` atomically and synchronously (for the last moments of a process: a forced stop). */
export function writeFileAtomicSync(path: string, text: string): void {
  const temporaryPath = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporaryPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    try {
      unlinkSync(temporaryPath);
    } catch {
      // already gone
    }
    throw error;
  }
  closeSync(fd);
  renameSync(temporaryPath, path);
}

/** Where a document that could not be written at `path` is kept instead. */
export function fallbackPath(path: string): string {
  return join(tmpdir(), `streambench-unsaved-${basename(path)}`);
}

/**
 * Keeps `text` (meant for `path`, which failed with `error`) in the fallback file; returns the
 * CliError to report (exit 3): where it is, or that it could not be kept either.
 */
export function keepUnsaved(path: string, text: string, error: unknown): CliError {
  const cause = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  const fallback = fallbackPath(path);
  try {
    writeFileAtomicSync(fallback, text);
    return new CliError(`could not write ${path} (${cause}); the result was kept in ${fallback}`, EXIT.runFailed);
  } catch (fallbackError) {
    const fallbackCause = (fallbackError as NodeJS.ErrnoException).code ?? (fallbackError as Error).message;
    return new CliError(
      `could not write ${path} (${cause}), nor the fallback ${fallback} (${fallbackCause}): the result is lost; rerun with --json to get it on stdout`,
      EXIT.runFailed,
    );
  }
}
