/**
 * `streambench record`: sends N streaming requests through the http source and writes them
 * as a trace (docs/traces.md), atomically, then prints a one-line summary. The API key is
 * read from the environment variable `--api-key-env` names and never written.
 */
import { ZodError } from 'zod';
import { systemClock } from '../clock.js';
import { writeFileAtomic } from '../result/writeResult.js';
import { formatIssues } from '../input/formatIssues.js';
import type { HttpApi } from '../sources/http/httpSchema.js';
import { resolveHttpSettings, type ResolvedHttpSettings } from '../sources/http/httpSchema.js';
import { createHttpSource } from '../sources/http/httpSource.js';
import { publicUrl, redactSecrets } from '../sources/http/redact.js';
import { requestBody } from '../sources/http/upstreamRequest.js';
import { recordStream } from '../traces/recordTrace.js';
import { serializeTrace } from '../traces/serializeTrace.js';
import { TRACE_FORMAT_VERSION, type Trace, type TraceStream } from '../traces/traceFormat.js';
import { CliError, EXIT } from './exitCodes.js';
import type { CliIo } from './io.js';
import { checkOutputFile } from './outputPaths.js';
import { keepUnsaved } from './resultFallback.js';

/** Options of `streambench record` as commander parses them. */
export interface RecordCommandOptions {
  url: string;
  api: HttpApi;
  model: string;
  prompt?: string;
  maxTokens?: number;
  apiKeyEnv?: string;
  includeUsage?: boolean;
  requests: number;
  out: string;
  note?: string;
  synthetic?: boolean;
}

/** Median of a non-empty list. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  // Non-empty, so middle (and, length even, middle - 1) is in range.
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** `recorded 3 streams (…) → path`: what was written, in one line. */
export function recordSummary(trace: Trace, out: string): string {
  const chunks = trace.streams.reduce((sum, stream) => sum + stream.chunks.length, 0);
  const ttfts = trace.streams.map((stream) => stream.chunks.find((chunk) => chunk.text.length > 0)?.offsetMs).filter((ms): ms is number => ms !== undefined);
  const ttft = ttfts.length > 0 ? `, TTFT p50 ${median(ttfts).toFixed(1)} ms` : '';
  const label = trace.header.synthetic ? ' (synthetic)' : '';
  return `recorded ${trace.streams.length} stream${trace.streams.length === 1 ? '' : 's'}, ${chunks} chunks${ttft} from ${trace.header.model} at ${trace.header.baseUrl}${label} → ${out}`;
}

function settingsFrom(options: RecordCommandOptions): ResolvedHttpSettings {
  try {
    return resolveHttpSettings({
      type: 'http',
      api: options.api,
      baseUrl: options.url,
      model: options.model,
      ...(options.prompt !== undefined ? { prompt: options.prompt } : {}),
      ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
      ...(options.apiKeyEnv !== undefined ? { apiKeyEnv: options.apiKeyEnv } : {}),
      includeUsage: options.includeUsage ?? false,
      // Request i of a fresh mock server is its stream i anyway; real providers get no extra header.
      streamIndexHeader: false,
    });
  } catch (error) {
    if (error instanceof ZodError) {
      const flags: Record<string, string> = { baseUrl: '--url', model: '--model', prompt: '--prompt', apiKeyEnv: '--api-key-env', maxTokens: '--max-tokens', api: '--api' };
      const issues = error.issues.map((issue) => ({ ...issue, path: [flags[String(issue.path[0])] ?? String(issue.path[0])] }));
      throw new CliError(formatIssues('record', issues));
    }
    throw error;
  }
}

/** Records the streams and writes the trace; returns the exit code. */
export async function recordCommand(options: RecordCommandOptions, io: CliIo): Promise<number> {
  const settings = settingsFrom(options);
  // Invalid input, found before any request: an unset key variable, an output that cannot be written.
  if (settings.apiKeyEnv !== null && !io.env[settings.apiKeyEnv]) {
    throw new CliError(
      `--api-key-env ${settings.apiKeyEnv}: the environment variable is not set; export it with your API key, or drop --api-key-env for an endpoint that needs none`,
    );
  }
  await checkOutputFile(options.out, '--out');
  const source = await createHttpSource(settings, 1, io.env);
  const streams: TraceStream[] = [];
  let fromMockServer = false;
  const recordedAt = new Date().toISOString();
  try {
    // The first timed request should not carry the process's cold start (connecting, the HTTP
    // client's first run): warm both with a request that takes no stream.
    await source.warm?.();
    for (let index = 0; index < options.requests; index++) {
      try {
        const recorded = await recordStream(source, index, systemClock);
        streams.push(recorded.stream);
        // undici frees the kept-alive connection only after this turn: the next request sent at
        // once would open a new one and carry a connect in its time to first token.
        await new Promise((resolve) => setImmediate(resolve));
        fromMockServer ||= recorded.fromMockServer;
      } catch (error) {
        throw new CliError(`request ${index + 1} of ${options.requests} failed, nothing written: ${(error as Error).message}`, EXIT.runFailed);
      }
    }
  } finally {
    await source.close?.();
  }
  const key = settings.apiKeyEnv ? io.env[settings.apiKeyEnv] : undefined;
  const trace: Trace = {
    header: {
      type: 'header',
      version: TRACE_FORMAT_VERSION,
      recordedAt,
      model: settings.model,
      api: settings.api,
      baseUrl: publicUrl(options.url),
      // The body never holds the key; redacting it anyway costs nothing.
      request: JSON.parse(redactSecrets(JSON.stringify(requestBody(settings)), [key])) as Record<string, unknown>,
      synthetic: fromMockServer || options.synthetic === true,
      ...(options.note !== undefined || fromMockServer ? { note: options.note ?? 'recorded from a streambench mock server: synthetic text and timing, not a real model' } : {}),
    },
    streams,
  };
  const text = serializeTrace(trace);
  await writeFileAtomic(options.out, text).catch((error: unknown) => {
    throw keepUnsaved(options.out, text, error);
  });
  io.stdout.write(`${recordSummary(trace, options.out)}\n`);
  return EXIT.ok;
}
