/**
 * `streambench target`: measure the user's own app from flags alone. Builds a one-variant
 * scenario with a `target:` block (validated like a scenario file) and runs it as `run` does:
 * same tables, result document, --baseline and gates. `--format` is the app's wire format
 * here; the output format is `--output-format`.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { CliError } from './exitCodes.js';
import type { CliIo } from './io.js';
import type { OutputFormat } from './outputFormat.js';
import { type RunCommandOptions, runScenarios } from './runCommand.js';
import { resolveScenario } from '../scenario/loadScenario.js';
import { ScenarioError } from '../input/scenarioError.js';

/** The upstream's port when the app is already running and nothing says otherwise. */
export const DEFAULT_UPSTREAM_PORT = 8400;

/** The flags of `streambench target` as commander parses them. */
export interface TargetCommandOptions extends Omit<RunCommandOptions, 'format'> {
  url: string;
  format: string;
  outputFormat?: OutputFormat;
  /** Unset: 8400, or 0 (a free port) when streambench starts the app and tells it the URL. */
  upstreamPort?: number;
  upstreamHost: string;
  method?: string;
  header?: string[];
  body?: string;
  prompt?: string;
  textPath?: string;
  donePath?: string;
  appCommand?: string;
  appCwd?: string;
  appPort?: number;
  readyUrl?: string;
  readyTimeout?: number;
  appRedis?: string;
  keyspaceNotifications?: boolean;
  profile: string;
  tokens: number;
  trace?: string;
  name: string;
  delayThreshold?: number;
  /** Who reads the app's answer: node (default) or browser. */
  client?: string;
  /** client browser: every | debounce:MS | throttle:MS | frame[:MS]. */
  render?: string;
}

const RENDER_HELP = 'every, debounce:MS, throttle:MS or frame (frame:MS sets the interval dropped frames are counted against), e.g. --render throttle:50';

/** `--render every|debounce:50|throttle:50|frame[:16.7]` as a scenario's render block ({strategy, intervalMs}); exit 2 naming the flag when it does not parse. */
export function parseRenderFlag(value: string): { strategy: string; intervalMs: number } {
  const [strategy = '', interval, ...rest] = value.trim().split(':');
  const needsInterval = strategy === 'debounce' || strategy === 'throttle';
  if (!['every', 'debounce', 'throttle', 'frame'].includes(strategy) || rest.length > 0) throw new CliError(`--render: "${value}" is not a render strategy: use ${RENDER_HELP}`);
  if (interval === undefined) {
    if (needsInterval) throw new CliError(`--render: ${strategy} needs its interval in ms, e.g. --render ${strategy}:50`);
    return { strategy, intervalMs: 16.7 };
  }
  const intervalMs = Number(interval);
  if (strategy === 'every' || !Number.isFinite(intervalMs) || intervalMs <= 0) throw new CliError(`--render: "${value}" is not a render strategy: use ${RENDER_HELP}`);
  return { strategy, intervalMs };
}

/** Splits `Name: value` header flags; exit 2 naming the flag when one has no colon. */
function parseHeaders(headers: string[] | undefined): Record<string, string> | undefined {
  if (!headers || headers.length === 0) return undefined;
  const parsed: Record<string, string> = {};
  for (const header of headers) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new CliError(`--header: expected "Name: value", got a header without a name and colon (e.g. --header "Authorization: Bearer $TOKEN")`);
    parsed[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  return parsed;
}

/** A body given on the command line: a JSON object is sent as JSON, anything else as text. */
function parseBody(body: string | undefined): string | Record<string, unknown> | undefined {
  if (body === undefined) return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Not JSON: a text template.
  }
  return body;
}

/** The scenario the flags describe (not yet validated). */
export function targetScenarioFromFlags(options: TargetCommandOptions): Record<string, unknown> {
  const app = options.appCommand
    ? {
        command: options.appCommand,
        ...(options.appCwd && { cwd: options.appCwd }),
        ...(options.appPort !== undefined && { port: options.appPort }),
        ...(options.readyUrl && { readyUrl: options.readyUrl }),
        ...(options.readyTimeout !== undefined && { readyTimeoutMs: options.readyTimeout }),
      }
    : undefined;
  const target = {
    url: options.url,
    format: options.format,
    ...(options.method && { method: options.method.toUpperCase() }),
    ...(parseHeaders(options.header) && { headers: parseHeaders(options.header) }),
    ...(options.body !== undefined && { body: parseBody(options.body) }),
    ...(options.prompt && { prompt: options.prompt }),
    ...(options.textPath && { textPath: options.textPath }),
    ...(options.donePath && { donePath: options.donePath }),
    upstream: { port: options.upstreamPort ?? (options.appCommand ? 0 : DEFAULT_UPSTREAM_PORT), host: options.upstreamHost },
    ...(app && { app }),
    ...(options.appRedis && { redis: { url: options.appRedis, keyspaceNotifications: options.keyspaceNotifications ?? false } }),
    ...(options.delayThreshold !== undefined && { verdict: { delayThresholdMs: options.delayThreshold } }),
    ...(options.client !== undefined && { client: options.client }),
    ...(options.render !== undefined && { render: parseRenderFlag(options.render) }),
  };
  return {
    name: options.name,
    // The app's port is picked when it starts: the heading says so rather than show the placeholder.
    description: `target mode: ${options.url.replaceAll('{appPort}', '<a free port>')} (${options.format})`,
    source: options.trace ? { type: 'replay', trace: options.trace } : { type: 'synthetic', profile: options.profile, tokens: options.tokens },
    variants: [{ name: 'app', target }],
  };
}

/** Flags that are scenario fields, for error messages in flag terms. */
const FLAG_OF_FIELD: Record<string, string> = {
  'variants[0].target.url': '--url',
  'variants[0].target.format': '--format',
  'variants[0].target.method': '--method',
  'variants[0].target.upstream.port': '--upstream-port',
  'variants[0].target.app.readyUrl': '--ready-url',
  'variants[0].target.redis.url': '--app-redis',
  'variants[0].target.client': '--client',
  'variants[0].target.textPath': '--text-path',
  'variants[0].target.donePath': '--done-path',
  'variants[0].target.render': '--render',
  'source.profile': '--profile',
  'source.tokens': '--tokens',
  'source.trace': '--trace',
};

/** Runs the command; returns the exit code. */
export async function targetCommand(options: TargetCommandOptions, io: CliIo): Promise<number> {
  const raw = targetScenarioFromFlags(options);
  let scenario;
  try {
    scenario = resolveScenario(raw, 'streambench target', createHash('sha256').update(JSON.stringify(raw)).digest('hex'));
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    // The flags are the user's input here, not a file: no "streambench target:" before the flag.
    let message = error.message.replace(/^streambench target: /, '');
    for (const [field, flag] of Object.entries(FLAG_OF_FIELD)) message = message.replaceAll(`${field}:`, `${flag}:`);
    throw new CliError(message);
  }
  const problem = await preflight(options);
  if (problem !== null) throw new CliError(problem);
  return runScenarios([scenario], { ...options, format: options.outputFormat }, io);
}

/**
 * What the flags point at that cannot work, found before anything starts (usage errors, exit 2):
 * an upstream port another process holds, the Redis of an already running app that does not answer.
 * Null when both are fine.
 */
async function preflight(options: TargetCommandOptions): Promise<string | null> {
  if (options.upstreamPort !== undefined && options.upstreamPort !== 0) {
    const cause = await listenProblem(options.upstreamHost, options.upstreamPort);
    if (cause !== null) return `--upstream-port: cannot listen on ${options.upstreamHost}:${options.upstreamPort} (${cause}); choose another port, or 0 for a free one`;
  }
  // An app streambench starts may start its Redis too, and `auto` is resolved at run time: only a running app's named Redis is checked here.
  if (options.appRedis && options.appRedis !== 'auto' && !options.appCommand) {
    try {
      const { AppRedisStats } = await import('../target/appRedisStats.js');
      const { systemClock } = await import('../clock.js');
      await (await AppRedisStats.open(options.appRedis, systemClock)).close();
    } catch (error) {
      return `--app-redis: ${(error as Error).message.replace(/^target\.redis\.url: /, '')}; start it, or point --app-redis at the Redis your app uses`;
    }
  }
  return null;
}

/** Why `host:port` cannot be listened on (EADDRINUSE…), or null when it can (the trial listener is closed at once). */
function listenProblem(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' ? 'EADDRINUSE: another process listens there' : (error.code ?? error.message)));
    server.listen(port, host, () => server.close(() => resolve(null)));
  });
}
