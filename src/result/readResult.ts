import { readFileSync, statSync } from 'node:fs';
import { formatIssues } from '../input/formatIssues.js';
import type { ResultDocument } from './resultSchema.js';
import { resultValidator } from './cachedResultValidator.js';
import { RESULT_SCHEMA_VERSION } from './schemaVersion.js';

/** A result file that cannot be used; the message names the file and what is wrong. */
export class ResultFileError extends Error {
  override readonly name = 'ResultFileError';
}

/** Reads and validates a result document written by `streambench run`. */
export async function readResultFile(path: string): Promise<ResultDocument> {
  let text: string;
  try {
    // A device such as /dev/zero never ends: refused before reading. Read synchronously: one
    // file at a command's edge, and node:fs/promises would load on every compare and report start.
    if (!statSync(path).isFile()) throw new ResultFileError(`${path}: not a regular file; pass a file written by streambench run`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof ResultFileError) throw error;
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ResultFileError(`${path}: cannot read the result file (${reason})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ResultFileError(`${path}: not valid JSON (${(error as Error).message}); pass a file written by streambench run`);
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== RESULT_SCHEMA_VERSION) {
    throw new ResultFileError(
      `${path}: schemaVersion is ${JSON.stringify(version)}, this streambench reads schemaVersion ${RESULT_SCHEMA_VERSION}; re-run the scenario with this version`,
    );
  }
  // The validator compiled from the JSON Schema at build time accepts a valid file without
  // loading zod (start-up of compare and report); zod, the source of truth, explains a file it
  // rejects, in the same words as before (and has the last word should the two ever disagree).
  const isResultDocument = await resultValidator();
  if (isResultDocument(raw) && holdsMetricsByState(raw as ResultDocument)) return raw as ResultDocument;
  const { resultDocumentSchema } = await import('./resultSchema.js');
  const parsed = resultDocumentSchema.safeParse(raw);
  if (!parsed.success) throw new ResultFileError(formatIssues(path, parsed.error.issues));
  return parsed.data;
}

/** Whether every config carries metrics as its state says (the validator checks one shape for all states; zod reads older files). */
function holdsMetricsByState(document: ResultDocument): boolean {
  return document.configs.every((config) => (config.state === 'completed' ? config.metrics !== null : config.state !== 'skipped' || config.metrics === null));
}
