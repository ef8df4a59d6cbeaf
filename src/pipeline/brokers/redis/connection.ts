/**
 * Finding a Redis to run against (`--redis URL|auto|off`) and opening connections to it, with
 * errors a user can act on. A password in a URL never reaches a message: every text built
 * here uses the redacted URL, and causes are scrubbed of the secret.
 */
import { Redis } from 'ioredis';
import { startPrivateRedisServer } from './privateServer.js';

/** A Redis setup problem the user can fix; its message is the whole story (no stack trace). */
export class RedisSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisSetupError';
    // The message says what failed and how to fix it; a stack would only add noise to CLI output.
    this.stack = `${this.name}: ${message}`;
  }
}

/** A Redis to use, and how to give it back (stops a private server; a no-op otherwise). */
export interface ResolvedRedis {
  url: string;
  redactedUrl: string;
  release(): Promise<void>;
}

/** Redis configs cannot run; `skipped` says why and how to provide Redis. */
export interface SkippedRedis {
  skipped: string;
}

/** What `--redis` resolves to. */
export type RedisResolution = ResolvedRedis | SkippedRedis;

/** Where `auto` looks when REDIS_URL is unset. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** How long `auto` and explicit URLs get to answer PING. */
export const PING_TIMEOUT_MS = 1000;

const HOW_TO_PROVIDE_REDIS =
  'Provide one with --redis redis://[:password@]host:port[/db] (rediss:// for TLS), set REDIS_URL, ' +
  'or install redis-server (e.g. `apt-get install redis-server`, `brew install redis`) so --redis auto can start a private one';

/** The URL with any password replaced by `***` (also a `password=` query parameter). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString().replace('password=%2A%2A%2A', 'password=***');
  } catch {
    // Not a parseable URL: still hide anything that looks like user:secret@.
    return url.replace(/(\/\/[^:@/]*:)[^@/]*@/, '$1***@').replace(/(password=)[^&]*/i, '$1***');
  }
}

/** Every form of the URL's password that could show up in a text. */
function secretsOf(url: string): string[] {
  const secrets = new Set<string>();
  try {
    const parsed = new URL(url);
    for (const raw of [parsed.password, parsed.searchParams.get('password') ?? '']) {
      if (raw === '') continue;
      secrets.add(raw);
      try {
        secrets.add(decodeURIComponent(raw));
      } catch {
        // A malformed escape: the raw form is all that could leak.
      }
    }
  } catch {
    const match = /\/\/[^:@/]*:([^@/]*)@/.exec(url);
    if (match?.[1]) secrets.add(match[1]);
  }
  return [...secrets].filter((secret) => secret.length > 0);
}

/** `text` with the URL's password replaced by `***`, wherever it appears. */
export function scrubSecrets(text: string, url: string): string {
  let scrubbed = text;
  for (const secret of secretsOf(url)) scrubbed = scrubbed.split(secret).join('***');
  return scrubbed;
}

/** A one-line reason from whatever a connection attempt threw or emitted. */
function describeCause(error: unknown, url: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const text = typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
  return scrubSecrets(text.split('\n')[0] ?? text, url);
}

/** Options of every connection the tool opens (see each comment for why). */
function connectionOptions(role: string, timeoutMs: number) {
  return {
    lazyConnect: true,
    // RESP2, as the field's redis-py speaks it, so byte counts compare with the field.
    protocol: 2 as const,
    // A benchmark must fail loudly, not reconnect and resend behind its counters' back.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    connectionName: `streambench-${role}`,
    // Fewer handshake commands; CLIENT SETINFO tells the server nothing the name does not.
    disableClientInfo: true,
  };
}

/**
 * Opens one ready connection (`role` names it in CLIENT LIST). Rejects with a RedisSetupError
 * naming the redacted URL when Redis does not answer within `timeoutMs`.
 */
export async function openRedisConnection(url: string, role: string, timeoutMs = 5000): Promise<Redis> {
  if (!/^rediss?:\/\//i.test(url)) {
    throw new RedisSetupError(`Not a Redis URL: ${redactUrl(url)} (expected redis:// or rediss://)`);
  }
  const redis = new Redis(url, connectionOptions(role, timeoutMs));
  // connect() itself only rejects with "Connection is closed."; the causes come as error events
  // (a failed AUTH can show as NOAUTH from SELECT first, so all of them are kept). Listening
  // also keeps ioredis from printing "Unhandled error event" with a stack.
  const errors: unknown[] = [];
  redis.on('error', (error: unknown) => errors.push(error));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([redis.connect(), timeout]);
    // ioredis reports a failed SELECT (db out of range) as an error event and connects anyway:
    // writing to another database than the URL names is not acceptable.
    if (errors.length > 0) throw errors[0];
    return redis;
  } catch (error) {
    redis.disconnect();
    const causes = new Set((errors.length > 0 ? errors : [error]).map((cause) => describeCause(cause, url)));
    const cause = [...causes].join('; ');
    throw new RedisSetupError(
      `Cannot connect to Redis at ${redactUrl(url)} (${cause}). ${HOW_TO_PROVIDE_REDIS}, or pass --redis off to skip the Redis configs.`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Whether Redis at `url` answers PING within `timeoutMs`; the reason (scrubbed) when not. */
export async function pingRedis(url: string, timeoutMs = PING_TIMEOUT_MS): Promise<{ ok: true } | { ok: false; reason: string }> {
  let redis: Redis;
  try {
    redis = await openRedisConnection(url, 'probe', timeoutMs);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  try {
    await redis.ping();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `Redis at ${redactUrl(url)} did not answer PING (${describeCause(error, url)})` };
  } finally {
    redis.disconnect();
  }
}

const noRelease = async (): Promise<void> => {};

/**
 * Resolves `--redis`: a URL (must answer, else RedisSetupError), `auto` (the default:
 * REDIS_URL or `defaultUrl` when it answers, else a private redis-server from PATH, else
 * skipped with how to provide Redis) or `off` (skipped). `defaultUrl` exists for tests.
 */
export async function resolveRedis(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  defaultUrl: string = DEFAULT_REDIS_URL,
): Promise<RedisResolution> {
  const choice = option ?? 'auto';
  if (choice === 'off') return { skipped: 'Redis configs skipped: --redis off.' };
  if (/^rediss?:\/\//i.test(choice)) {
    const probe = await pingRedis(choice);
    if (!probe.ok) throw new RedisSetupError(probe.reason);
    return { url: choice, redactedUrl: redactUrl(choice), release: noRelease };
  }
  if (choice !== 'auto') {
    throw new RedisSetupError(
      `--redis must be a redis:// or rediss:// URL, "auto" or "off"; got "${redactUrl(choice)}".`,
    );
  }
  const fromEnv = env.REDIS_URL !== undefined && env.REDIS_URL !== '' ? env.REDIS_URL : undefined;
  const candidate = fromEnv ?? defaultUrl;
  const probe = await pingRedis(candidate);
  if (probe.ok) return { url: candidate, redactedUrl: redactUrl(candidate), release: noRelease };
  if (fromEnv !== undefined) {
    // REDIS_URL is explicit configuration: quietly running against another Redis would mislead.
    throw new RedisSetupError(`REDIS_URL: ${probe.reason}`);
  }
  const server = await startPrivateRedisServer({ env });
  if (server !== null) return { url: server.url, redactedUrl: server.url, release: () => server.stop() };
  return {
    skipped: `Redis configs skipped: nothing answered at ${redactUrl(defaultUrl)} and redis-server is not on PATH. ${HOW_TO_PROVIDE_REDIS}.`,
  };
}
