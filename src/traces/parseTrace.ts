/**
 * Reads and validates a trace file. Every problem is reported as `<file>:<line>: <what is
 * wrong>`, so a hand-edited trace is easy to fix.
 */
import { readFile, stat } from 'node:fs/promises';
import { readFileSync, type Stats, statSync } from 'node:fs';
import { TRACE_FILE_MAX_BYTES, tooLarge } from '../input/inputLimits.js';
import { formatIssues } from '../input/formatIssues.js';
import { TRACE_FORMAT_VERSION, type Trace, type TraceHeader, traceLineSchema, type TraceStream } from './traceFormat.js';

/** A trace that cannot be used; the message names the file and line. */
export class TraceError extends Error {
  override readonly name = 'TraceError';
}

/** Parses trace text; `where` names it in error messages. */
export function parseTrace(text: string, where: string): Trace {
  const lines = text.split('\n');
  let header: TraceHeader | null = null;
  const streams: (TraceStream & { ended: boolean })[] = [];
  lines.forEach((line, lineIndex) => {
    const at = `${where}:${lineIndex + 1}`;
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw new TraceError(`${at}: not valid JSON (${(error as Error).message}); every line of a trace is one JSON object`);
    }
    if (header === null) {
      const version = (raw as { version?: unknown } | null)?.version;
      if ((raw as { type?: unknown } | null)?.type !== 'header') {
        throw new TraceError(`${at}: the first line must be the header ({"type":"header","version":${TRACE_FORMAT_VERSION},...}); see docs/traces.md`);
      }
      if (version !== TRACE_FORMAT_VERSION) {
        throw new TraceError(`${at}: trace format version ${JSON.stringify(version)}; this streambench reads version ${TRACE_FORMAT_VERSION}`);
      }
    }
    const parsed = traceLineSchema.safeParse(raw);
    if (!parsed.success) throw new TraceError(formatIssues(at, parsed.error.issues));
    const entry = parsed.data;
    if (entry.type === 'header') {
      if (header !== null) throw new TraceError(`${at}: a second header line; a trace has one header, on its first line`);
      header = entry;
      return;
    }
    if (entry.stream > streams.length) {
      throw new TraceError(`${at}: stream ${entry.stream} before stream ${streams.length}; streams are numbered 0, 1, 2, … in order`);
    }
    if (entry.stream === streams.length) streams.push({ chunks: [], usage: null, firstByteMs: null, firstEventMs: null, ended: false });
    const stream = streams[entry.stream];
    if (!stream) throw new TraceError(`${at}: stream ${entry.stream} is not a stream number (0, 1, 2, …)`);
    if (stream.ended) throw new TraceError(`${at}: stream ${entry.stream} already ended on an earlier line`);
    if (entry.type === 'chunk') {
      const previous = stream.chunks.at(-1);
      if (previous && entry.offsetMs < previous.offsetMs) {
        throw new TraceError(`${at}: offsetMs ${entry.offsetMs} is before the previous chunk's ${previous.offsetMs}; chunks of a stream come in arrival order`);
      }
      stream.chunks.push(entry.reasoning !== undefined ? { offsetMs: entry.offsetMs, text: entry.text, reasoning: entry.reasoning } : { offsetMs: entry.offsetMs, text: entry.text });
    } else {
      stream.ended = true;
      stream.usage = entry.usage ?? null;
      stream.firstByteMs = entry.firstByteMs ?? null;
      stream.firstEventMs = entry.firstEventMs ?? null;
      if (entry.phasesMs) stream.phasesMs = entry.phasesMs;
    }
  });
  if (header === null) throw new TraceError(`${where}: empty trace; it needs a header line and at least one stream (see docs/traces.md)`);
  if (streams.length === 0) throw new TraceError(`${where}: the trace has no streams`);
  const open = streams.findIndex((stream) => !stream.ended);
  if (open >= 0) throw new TraceError(`${where}: stream ${open} has no end line ({"type":"end","stream":${open}}); was the recording cut short?`);
  return { header, streams: streams.map(({ ended: _ended, ...stream }) => stream) };
}

/** Why a file cannot be read, in words. */
function readFailure(path: string, error: unknown): TraceError {
  const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
  return new TraceError(`${path}: cannot read the trace (${reason}); relative paths resolve from the current directory`);
}

/**
 * Why a path cannot be read as a trace before reading it, or null: a device such as /dev/zero
 * or /dev/urandom never ends (reading one grew to 3.8 GB), and a trace has a size limit.
 */
function unreadable(path: string, entry: Stats): TraceError | null {
  if (!entry.isFile()) return new TraceError(`${path}: not a regular file (a device or a folder); a trace is a .jsonl file written by streambench record`);
  if (entry.size > TRACE_FILE_MAX_BYTES) {
    return new TraceError(`${path}: ${entry.size.toLocaleString('en-US')} bytes; a trace may have ${tooLarge('bytes', TRACE_FILE_MAX_BYTES, 'it is read whole into memory')}`);
  }
  return null;
}

/** Reads and validates a trace file. */
export async function loadTraceFile(path: string): Promise<Trace> {
  let text: string;
  try {
    const problem = unreadable(path, await stat(path));
    if (problem) throw problem;
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof TraceError) throw error;
    throw readFailure(path, error);
  }
  return parseTrace(text, path);
}

/** Reads and validates a trace file synchronously (scenario validation is synchronous). */
export function loadTraceFileSync(path: string): Trace {
  let text: string;
  try {
    const problem = unreadable(path, statSync(path));
    if (problem) throw problem;
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof TraceError) throw error;
    throw readFailure(path, error);
  }
  return parseTrace(text, path);
}
