/**
 * Finding a Redis to run against (`--redis URL|auto|private|off`) and opening connections to it, with
 * errors a user can act on. A password in a URL never reaches a message: every text built
 * here uses the redacted URL, and causes are scrubbed of the secret.
 *
 * `redis://` and `rediss://` name one server; `redis+cluster://host:port[,host:port...]` (and
 * `rediss+cluster://`) name a Redis Cluster, reached through ioredis' Cluster client.
 */
import { Cluster, Redis } from 'ioredis';
import { clusterStateProblem, connectAllMasters, connectedMasterFor, openRedisCluster } from './clusterConnection.js';
import { isClusterUrl } from './clusterUrl.js';
import { connectionOptions } from './connectionOptions.js';
import { startPrivateRedisServer } from './privateServer.js';
import { RedisSetupError } from './redisSetupError.js';
import { describeCause, redactUrl } from './urlSecrets.js';

export { RedisSetupError } from './redisSetupError.js';
export { redactUrl, scrubSecrets } from './urlSecrets.js';

/** A connection to one server, or a Cluster client. */
export type RedisClient = Redis | Cluster;

/**
 * Where one role of a stream sends its commands. On one server both are the same connection.
 * In a cluster, `client` routes keyed commands and pipelines by slot, and `home` is the
 * client's connection to the node that holds the stream's slot.
 */
export interface RedisLink {
  client: RedisClient;
  home: Redis;
}

/** Where a resolved Redis came from: `--redis URL`, REDIS_URL, 127.0.0.1:6379, or a private redis-server started for the run. */
export type RedisOrigin = '--redis' | 'REDIS_URL' | 'default' | 'private';

/** A Redis to use, and how to give it back (stops a private server; a no-op otherwise). */
export interface ResolvedRedis {
  url: string;
  redactedUrl: string;
  release(): Promise<void>;
  /** How it was found (absent from older callers' hand-made resolutions). */
  origin?: RedisOrigin;
  /** The server's redis_version (INFO server), null when it would not say. */
  version?: string | null;
  /** Why auto did not use the first place it looked (e.g. REDIS_URL did not answer). */
  note?: string;
}

/** Redis configs cannot run; `skipped` says why and how to provide Redis. */
export interface SkippedRedis {
  skipped: string;
  /** True when `auto` found no Redis (not `--redis off`): a run may use the memory broker instead. */
  noneFound?: boolean;
}

/** What `--redis` resolves to. */
export type RedisResolution = ResolvedRedis | SkippedRedis;

/** Where `auto` looks when REDIS_URL is unset. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** How long `auto` and explicit URLs get to answer PING. */
export const PING_TIMEOUT_MS = 1000;

/** How long closing a connection waits for the server to confirm it processed what was sent (ms). */
export const QUIT_TIMEOUT_MS = 1000;

/**
 * Closes `client` after the server processed every command sent on it: QUIT is answered only
 * after them (one socket, in order), so a key a late write would re-create — without its TTL —
 * can then be deleted safely. Disconnects at once when it is not connected, and after `timeoutMs`
 * when the server does not answer.
 */
export async function quitAfterPending(client: RedisClient, timeoutMs = QUIT_TIMEOUT_MS): Promise<void> {
  if (client.status === 'ready') {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const overdue = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([
      client.quit().then(
        () => {},
        () => {},
      ),
      overdue,
    ]);
    clearTimeout(timer);
  }
  client.disconnect();
}

const HOW_TO_PROVIDE_REDIS =
  'Provide one with --redis redis://[:password@]host:port[/db] (rediss:// for TLS; ' +
  'redis+cluster://host:port[,host:port...] for a Redis Cluster), set REDIS_URL, ' +
  'or install redis-server (e.g. `apt-get install redis-server`, `brew install redis`) so --redis auto can start a private one';

/**
 * Opens one ready connection (`role` names it in CLIENT LIST). Rejects with a RedisSetupError
 * naming the redacted URL when Redis does not answer within `timeoutMs`.
 */
export async function openRedisConnection(url: string, role: string, timeoutMs = 5000): Promise<Redis> {
  if (!/^rediss?:\/\//i.test(url)) {
    throw new RedisSetupError(`Not a single-server Redis URL: ${redactUrl(url)} (expected redis:// or rediss://)`);
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
    throw new RedisSetupError(`Cannot connect to Redis at ${redactUrl(url)} (${cause}). ${HOW_TO_PROVIDE_REDIS}, or pass --redis off to skip the Redis configs.`);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether `url` is one of the forms `--redis` accepts as a URL (single server or cluster). */
export function isRedisUrl(url: string): boolean {
  return /^rediss?(\+cluster)?:\/\//i.test(url);
}

/** Opens a ready connection, or for a cluster URL a Cluster client connected to every master. */
export async function openRedisClient(url: string, role: string, timeoutMs = 5000): Promise<RedisClient> {
  if (!isClusterUrl(url)) return openRedisConnection(url, role, timeoutMs);
  const cluster = await openRedisCluster(url, role, timeoutMs);
  try {
    await connectAllMasters(cluster, url, timeoutMs);
    return cluster;
  } catch (error) {
    cluster.disconnect();
    throw error;
  }
}

/**
 * Opens what one role of a stream sends on: a connection, or a Cluster client with its
 * connection to the node that holds `homeKey` already open (so no handshake is counted later).
 */
export async function openRedisLink(url: string, role: string, homeKey: string, timeoutMs = 5000): Promise<RedisLink> {
  if (!isClusterUrl(url)) {
    const redis = await openRedisConnection(url, role, timeoutMs);
    return { client: redis, home: redis };
  }
  const cluster = await openRedisCluster(url, role, timeoutMs);
  try {
    return { client: cluster, home: await connectedMasterFor(cluster, homeKey, url, timeoutMs) };
  } catch (error) {
    cluster.disconnect();
    throw error;
  }
}

/** Why a single-server URL that answers cannot be used: it is a cluster node (null when fine). */
async function clusterNodeProblem(redis: Redis, url: string): Promise<string | null> {
  let info: string;
  try {
    info = await redis.info('cluster');
  } catch {
    // Some proxies refuse INFO; PING answered, so let the run find out.
    return null;
  }
  if (!/^cluster_enabled:1/m.test(info)) return null;
  return (
    `Redis at ${redactUrl(url)} is a node of a Redis Cluster: a single connection would get MOVED for keys on other nodes. ` +
    `Use --redis ${redactUrl(url)
      .replace(/^redis(s?):\/\//i, 'redis$1+cluster://')
      .replace(/\/\d*$/, '')}`
  );
}

/** Whether Redis at `url` answers PING (a cluster: CLUSTER INFO says ok) within `timeoutMs`; the reason (scrubbed) when not. */
export async function pingRedis(url: string, timeoutMs = PING_TIMEOUT_MS): Promise<{ ok: true; version?: string | null } | { ok: false; reason: string }> {
  let client: RedisClient;
  try {
    client = await openRedisClient(url, 'probe', timeoutMs);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  try {
    if (client instanceof Cluster) {
      const problem = await clusterStateProblem(client, url);
      return problem === null ? { ok: true } : { ok: false, reason: problem };
    }
    await client.ping();
    const problem = await clusterNodeProblem(client, url);
    return problem === null ? { ok: true, version: await serverVersion(client) } : { ok: false, reason: problem };
  } catch (error) {
    return { ok: false, reason: `Redis at ${redactUrl(url)} did not answer PING (${describeCause(error, url)})` };
  } finally {
    client.disconnect();
  }
}

const noRelease = async (): Promise<void> => {};

/** The server's redis_version from INFO server, or null when it will not say (a proxy refusing INFO). */
async function serverVersion(redis: Redis): Promise<string | null> {
  try {
    return /^redis_version:(\S+)/m.exec(await redis.info('server'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** A redis:// URL that does not parse (a port that is not a number, say) is named with its form, its password hidden, rather than a bare "Invalid URL". */
function throwIfUnparseable(url: string, where: '--redis' | 'REDIS_URL'): void {
  if (isClusterUrl(url) || URL.canParse(url)) return;
  // The CLI names --redis before every Redis setup error: only REDIS_URL is named here.
  const source = where === 'REDIS_URL' ? 'REDIS_URL ' : '';
  throw new RedisSetupError(`${source}"${redactUrl(url)}" is not a valid URL; write it as redis://[user:password@]host:port[/db] (a port is a number)`);
}

/** Environment variable naming where `auto` looks when REDIS_URL is unset (tests point it at a closed port). */
export const DEFAULT_REDIS_URL_VARIABLE = 'STREAMBENCH_DEFAULT_REDIS_URL';

/**
 * Resolves `--redis`: a URL (must answer, else RedisSetupError), `auto` (the default:
 * REDIS_URL, which must answer when set, else RedisSetupError; else `defaultUrl` when it
 * answers, else a private redis-server from PATH, else skipped with `noneFound`), `private` (a
 * private redis-server from PATH, whatever answers elsewhere: a run that must not touch a
 * shared Redis) or `off` (skipped). `defaultUrl` defaults to STREAMBENCH_DEFAULT_REDIS_URL,
 * else 127.0.0.1:6379.
 */
export async function resolveRedis(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  defaultUrl: string = env[DEFAULT_REDIS_URL_VARIABLE] || DEFAULT_REDIS_URL,
): Promise<RedisResolution> {
  const choice = option ?? 'auto';
  if (choice === 'off') return { skipped: 'Redis configs skipped: --redis off.' };
  if (isRedisUrl(choice)) {
    throwIfUnparseable(choice, '--redis');
    const probe = await pingRedis(choice);
    if (!probe.ok) throw new RedisSetupError(probe.reason);
    return { url: choice, redactedUrl: redactUrl(choice), release: noRelease, origin: '--redis', version: probe.version ?? null };
  }
  if (choice === 'private') {
    const server = await startPrivateRedisServer({ env });
    if (server === null) throw new RedisSetupError('private: redis-server is not on PATH; install it (e.g. apt-get install redis-server) or pass a redis:// URL.');
    const version = await pingRedis(server.url).then((answer) => (answer.ok ? (answer.version ?? null) : null));
    return { url: server.url, redactedUrl: server.url, release: () => server.stop(), origin: 'private', version, note: 'started for this run: --redis private' };
  }
  if (choice !== 'auto') {
    throw new RedisSetupError(
      `--redis must be a redis:// or rediss:// URL, a redis+cluster://host:port[,host:port...] URL, "auto", "private" or "off"; got "${redactUrl(choice)}".`,
    );
  }
  const fromEnv = env.REDIS_URL !== undefined && env.REDIS_URL !== '' ? env.REDIS_URL : undefined;
  if (fromEnv !== undefined && !isRedisUrl(fromEnv)) {
    throw new RedisSetupError(
      `REDIS_URL must be a redis:// or rediss:// URL (or redis+cluster://host:port,...); got "${redactUrl(fromEnv)}". Fix or unset REDIS_URL, or pass --redis URL.`,
    );
  }
  if (fromEnv !== undefined) {
    throwIfUnparseable(fromEnv, 'REDIS_URL');
    // REDIS_URL is explicit configuration: when it does not answer, running on anything else
    // (a private server, the memory broker) would let a CI job whose Redis is down pass.
    const probe = await pingRedis(fromEnv);
    if (probe.ok) return { url: fromEnv, redactedUrl: redactUrl(fromEnv), release: noRelease, origin: 'REDIS_URL', version: probe.version ?? null };
    throw new RedisSetupError(
      `REDIS_URL (${redactUrl(fromEnv)}) did not answer (${probe.reason.split('. Provide one')[0]}). ` +
        'Start that Redis or correct REDIS_URL; or unset it to let --redis auto find one (127.0.0.1:6379, a private redis-server, else the memory broker), ' +
        'or pass --broker memory to run without Redis.',
    );
  }
  if (!isRedisUrl(defaultUrl)) {
    throw new RedisSetupError(`${DEFAULT_REDIS_URL_VARIABLE} must be a redis:// or rediss:// URL; got "${redactUrl(defaultUrl)}". Fix or unset ${DEFAULT_REDIS_URL_VARIABLE}.`);
  }
  const probe = await pingRedis(defaultUrl);
  if (probe.ok) return { url: defaultUrl, redactedUrl: redactUrl(defaultUrl), release: noRelease, origin: 'default', version: probe.version ?? null };
  // Nothing configured: whatever is used instead is said on the terminal and in the result's context.
  const note = `nothing answered at ${redactUrl(defaultUrl)}`;
  const server = await startPrivateRedisServer({ env });
  if (server !== null) {
    const version = await pingRedis(server.url).then((answer) => (answer.ok ? (answer.version ?? null) : null));
    return { url: server.url, redactedUrl: server.url, release: () => server.stop(), origin: 'private', version, note };
  }
  return {
    skipped: `Redis configs skipped: ${note} and redis-server is not on PATH. ${HOW_TO_PROVIDE_REDIS}.`,
    noneFound: true,
  };
}
