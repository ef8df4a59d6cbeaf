/**
 * Output paths are checked before any work starts, so a path that cannot be written costs a
 * usage error (exit 2), not a measurement: the folder must exist and be a folder, be writable
 * (a probe file is created exclusively and removed: read-only and virtual file systems fail
 * here), the name must fit, and an existing target must be a regular file (never a device or
 * a folder). Nothing is created but the default `results/` folder.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from './exitCodes.js';

/** The longest file name most file systems accept, in bytes (NAME_MAX). */
const NAME_MAX_BYTES = 255;

/** Throws a CliError naming `flag` (with `shownAs`, the path as given) unless `folder` is an existing, writable folder. */
export async function checkOutputFolder(folder: string, flag: string, shownAs: string = folder): Promise<void> {
  const absolute = resolve(folder);
  let kind;
  try {
    kind = await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${flag} ${shownAs}: the folder ${absolute} does not exist; create it first (streambench creates no folders but results/)`);
    if (code === 'ENOTDIR') throw new CliError(`${flag} ${shownAs}: a part of ${absolute} is a file, not a folder`);
    throw new CliError(`${flag} ${shownAs}: cannot use ${absolute} (${(error as Error).message})`);
  }
  if (!kind.isDirectory()) throw new CliError(`${flag} ${shownAs}: ${absolute} is not a folder`);
  // Permissions alone do not tell (root, read-only mounts, /proc): create a file and remove it.
  const probe = join(absolute, `.streambench-probe-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    await handle.close();
    await unlink(probe);
  } catch (error) {
    throw new CliError(`${flag} ${shownAs}: cannot write in ${absolute} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Throws a CliError naming `flag` unless a file can be written at `path` (see the module comment). */
export async function checkOutputFile(path: string, flag: string): Promise<void> {
  const absolute = resolve(path);
  const name = basename(absolute);
  // The temporary file's name adds 21 bytes (a dot, a random suffix, .tmp).
  if (Buffer.byteLength(name) + 21 > NAME_MAX_BYTES) {
    throw new CliError(`${flag} ${path}: the file name is ${Buffer.byteLength(name)} bytes; at most ${NAME_MAX_BYTES - 21} are allowed`);
  }
  if (path.endsWith('/')) throw new CliError(`${flag} ${path}: names a folder; give a file name`);
  await checkOutputFolder(dirname(absolute), flag, path);
  try {
    const existing = await stat(absolute);
    if (!existing.isFile()) throw new CliError(`${flag} ${path}: ${absolute} exists and is not a regular file (a folder or a device); choose another name`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliError(`${flag} ${path}: cannot use ${absolute} (${(error as Error).message})`);
  }
}

/** The default results folder, created when missing, then checked like any folder. */
export async function ensureResultsFolder(folder: string): Promise<void> {
  try {
    await mkdir(resolve(folder), { recursive: true });
  } catch {
    // checkOutputFolder says why.
  }
  await checkOutputFolder(folder, 'results folder');
}
