/**
 * `streambench mock-server`: runs the mock LLM server in the foreground until SIGINT or
 * SIGTERM, printing the URL it listens on and one line per request (stderr).
 */
import { ZodError } from 'zod';
import { startMockServer } from '../mock/mockServer.js';
import { type MockServerSettingsInput, resolveMockSettings } from '../mock/mockSettings.js';
import { formatIssues } from '../input/formatIssues.js';
import type { ProfileName } from '../sources/profiles.js';
import { CliError, EXIT } from './exitCodes.js';
import type { CliIo } from './io.js';

/** Options of `streambench mock-server` as commander parses them. */
export interface MockServerCommandOptions {
  port: number;
  host: string;
  profile?: ProfileName;
  seed: number;
  tokens?: number;
  ttftMs?: number;
  gapMs?: number;
  reasoningTokens?: number;
  failRate?: number;
  /** '429' or '500' as typed. */
  failStatus?: string;
  stallMs?: number;
  stallAfter?: number;
  dropAfter?: number;
  malformedEvery?: number;
  quiet?: boolean;
}

export { shareOfOne } from './parseOptions.js';

/** The mock settings the flags describe (fields left unset keep the profile's). */
export function mockSettingsFromOptions(options: MockServerCommandOptions): MockServerSettingsInput {
  const defined = <T extends Record<string, unknown>>(record: T) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
  return {
    ...defined({ profile: options.profile, tokens: options.tokens, ttftMs: options.ttftMs, gapMs: options.gapMs, reasoningTokens: options.reasoningTokens }),
    seed: options.seed,
    faults: defined({
      failRate: options.failRate,
      failStatus: options.failStatus !== undefined ? (Number(options.failStatus) as 429 | 500) : undefined,
      stallMs: options.stallMs,
      stallAfterChunks: options.stallAfter,
      dropAfterChunks: options.dropAfter,
      malformedEvery: options.malformedEvery,
    }),
  };
}

/** Runs the server until a signal stops it; returns the exit code. */
export async function mockServerCommand(options: MockServerCommandOptions, io: CliIo): Promise<number> {
  let settings;
  try {
    settings = resolveMockSettings(mockSettingsFromOptions(options));
  } catch (error) {
    if (error instanceof ZodError) throw new CliError(formatIssues('mock-server options', error.issues));
    throw error;
  }
  if (options.failStatus !== undefined && options.failRate === undefined) {
    io.stderr.write('streambench mock-server: --fail-status has no effect without --fail-rate\n');
  }
  const log = options.quiet ? undefined : (line: string) => io.stderr.write(`${line}\n`);
  let server;
  try {
    server = await startMockServer({ settings, host: options.host, port: options.port, log });
  } catch (error) {
    // A port in use or a host not of this machine is the flags' fault (exit 2); anything else is a failure to run.
    const code = (error as NodeJS.ErrnoException).code;
    const usage = code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES';
    const fix = code === 'EADDRINUSE' ? ': another process listens there; choose another --port, or 0 for a free one' : usage ? ': choose another --host or --port' : '';
    throw new CliError(`--port: cannot listen on ${options.host}:${options.port} (${(error as Error).message})${fix}`, usage ? EXIT.usage : EXIT.runFailed);
  }
  if (!/^(127\.|::1$|localhost$)/.test(options.host)) {
    io.stderr.write(`streambench mock-server: warning: listening on ${options.host}, reachable from other machines; it has no authentication\n`);
  }
  io.stdout.write(
    `streambench mock server listening on ${server.url}\n` +
      `  OpenAI-compatible base URL: ${server.baseUrl}  (POST /v1/chat/completions, /v1/completions)\n` +
      `  Anthropic base URL:         ${server.baseUrl}  (POST /v1/messages; the Anthropic SDK takes ${server.url} and adds /v1 itself)\n` +
      `  profile ${settings.stream.profile}, ${settings.stream.tokens} tokens per stream, seed ${settings.seed}; Ctrl-C to stop\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log?.(`${signal}: stopping`);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return EXIT.ok;
}
