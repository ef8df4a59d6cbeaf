/**
 * Opening ioredis `Cluster` clients for `--redis redis+cluster://...`, with the same rules as
 * single connections: fail loudly instead of retrying behind the counters' back, never show
 * the password, and errors that say what to fix.
 *
 * A Cluster client discovers the slot map with CLUSTER SLOTS on a throw-away connection of its
 * own, then opens one connection per node the first time a command goes there. The brokers
 * connect the node that holds their stream (`connectedMasterFor`) before they count anything,
 * so no handshake lands in a counter.
 */
import calculateSlot from 'cluster-key-slot';
import { Cluster, Redis } from 'ioredis';
import { type ClusterUrl, parseClusterUrl } from './clusterUrl.js';
import { connectionOptions } from './connectionOptions.js';
import { RedisSetupError } from './redisSetupError.js';
import { describeCause, redactUrl } from './urlSecrets.js';

const CLUSTER_URL_FORM = 'redis+cluster://[[user]:password@]host:port[,host:port...] (rediss+cluster:// for TLS)';

const HOW_TO_FIX_CLUSTER = 'Check that the nodes are up and that `redis-cli -h HOST -p PORT cluster info` says cluster_state:ok ' + '(one reachable node in the URL is enough)';

/** Rejects with `message` when `promise` has not settled within `timeoutMs`. */
async function within<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Opens a Cluster client (`role` names its node connections in CLIENT LIST) and loads the slot
 * map. No node connection is open yet when it resolves. Rejects with a RedisSetupError naming
 * the redacted URL when no startup node answers CLUSTER SLOTS within `timeoutMs`.
 */
export async function openRedisCluster(url: string, role: string, timeoutMs = 5000): Promise<Cluster> {
  const redactedUrl = redactUrl(url);
  let parsed;
  try {
    parsed = parseClusterUrl(url);
  } catch (error) {
    throw new RedisSetupError(`Not a usable Redis Cluster URL: ${redactedUrl} (${(error as Error).message}); the form is ${CLUSTER_URL_FORM}.`);
  }
  // The Cluster client sets these itself per node (and its types refuse them here).
  const { lazyConnect: _lazy, retryStrategy: _retry, enableOfflineQueue: _queue, ...nodeOptions } = connectionOptions(role, timeoutMs);
  const cluster = new Cluster(parsed.nodes, {
    lazyConnect: true,
    // Like a single connection: a lost cluster fails the run instead of being reconnected.
    clusterRetryStrategy: () => null,
    enableOfflineQueue: false,
    // CLUSTER INFO would open a connection to a random node for nothing: the probe at
    // resolveRedis checks cluster_state once per run instead.
    enableReadyCheck: false,
    scaleReads: 'master',
    // A command on a lost node, or while the cluster is down, fails instead of being resent
    // after a slot refresh (a resend the counters would not see).
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    slotsRefreshTimeout: timeoutMs,
    redisOptions: {
      ...nodeOptions,
      username: parsed.username,
      password: parsed.password,
      ...(parsed.tls ? { tls: {} } : {}),
    },
  });
  // Causes come as events: per node, and the last node's error once all startup nodes failed.
  // Listening also keeps ioredis from printing "Unhandled error event" with a stack.
  const errors: unknown[] = [];
  cluster.on('node error', (error: unknown) => errors.push(error));
  cluster.on('error', (error: unknown) => errors.push((error as { lastNodeError?: unknown }).lastNodeError ?? error));
  try {
    await within(cluster.connect(), timeoutMs, `no answer within ${timeoutMs} ms`);
    return cluster;
  } catch (error) {
    cluster.disconnect();
    // ioredis discovers the cluster on throw-away connections whose errors it drops, so its
    // own causes are mostly "None of startup nodes is available": ask each node directly.
    const causes = await startupNodeProblems(parsed, role, timeoutMs, url);
    if (causes.length === 0) causes.push(...new Set([...errors, error].map((cause) => describeCause(cause, url))));
    throw new RedisSetupError(
      `Cannot connect to the Redis Cluster at ${redactedUrl} (${causes.join('; ')}). ${HOW_TO_FIX_CLUSTER}, or pass --redis off to skip the Redis configs.`,
    );
  }
}

/** What each startup node answers to CLUSTER INFO on a plain connection: `host:port: cause` for those that fail. */
async function startupNodeProblems(parsed: ClusterUrl, role: string, timeoutMs: number, url: string): Promise<string[]> {
  const { retryStrategy: _retry, ...options } = connectionOptions(role, timeoutMs);
  const problems = await Promise.all(
    parsed.nodes.map(async ({ host, port }) => {
      const node = new Redis({
        ...options,
        host,
        port,
        username: parsed.username,
        password: parsed.password,
        retryStrategy: () => null,
        ...(parsed.tls ? { tls: {} } : {}),
      });
      const errors: unknown[] = [];
      node.on('error', (error: unknown) => errors.push(error));
      try {
        await within(node.connect(), timeoutMs, `no answer within ${timeoutMs} ms`);
        await within(node.cluster('INFO'), timeoutMs, `no answer to CLUSTER INFO within ${timeoutMs} ms`);
        return null;
      } catch (error) {
        const cause = describeCause(errors[0] ?? error, url);
        const hint = /cluster support disabled/i.test(cause) ? ' (a single server: use --redis redis://host:port)' : '';
        return `${host}:${port}: ${cause}${hint}`;
      } finally {
        node.disconnect();
      }
    }),
  );
  return problems.filter((problem) => problem !== null);
}

/** Resolves once `node` is ready (connecting it when it has not been yet). */
function ready(node: Redis): Promise<void> {
  if (node.status === 'ready') return Promise.resolve();
  if (node.status === 'wait') return node.connect();
  if (node.status === 'end' || node.status === 'close') return Promise.reject(new Error('the connection is closed'));
  return new Promise((resolve, reject) => {
    const onReady = () => {
      node.off('end', onEnd);
      resolve();
    };
    const onEnd = () => {
      node.off('ready', onReady);
      reject(new Error('the connection closed while connecting'));
    };
    node.once('ready', onReady);
    node.once('end', onEnd);
  });
}

/**
 * The Cluster client's own connection to the master that serves `key`'s slot, connected and
 * ready. Every name of a stream shares that slot (a hash tag), so this is the node all of the
 * stream's traffic goes to.
 */
export async function connectedMasterFor(cluster: Cluster, key: string, url: string, timeoutMs = 5000): Promise<Redis> {
  const slot = calculateSlot(key);
  const nodeKey = cluster.slots[slot]?.[0];
  const node = cluster.nodes('master').find((candidate) => `${candidate.options.host}:${candidate.options.port}` === nodeKey);
  if (node === undefined) {
    throw new RedisSetupError(`No master of the Redis Cluster at ${redactUrl(url)} serves slot ${slot} (of ${key}). ${HOW_TO_FIX_CLUSTER}.`);
  }
  try {
    await within(ready(node), timeoutMs, `no answer within ${timeoutMs} ms`);
    return node;
  } catch (error) {
    throw new RedisSetupError(
      `Cannot connect to ${nodeKey}, the node of the Redis Cluster at ${redactUrl(url)} that serves slot ${slot} (${describeCause(error, url)}). ${HOW_TO_FIX_CLUSTER}.`,
    );
  }
}

/**
 * Connects the client to every master, so commands can go anywhere at once: with the offline
 * queue off, a second command to a node that is still connecting would fail.
 */
export async function connectAllMasters(cluster: Cluster, url: string, timeoutMs = 5000): Promise<void> {
  const masters = cluster.nodes('master');
  const outcomes = await Promise.allSettled(masters.map((node) => within(ready(node), timeoutMs, `no answer within ${timeoutMs} ms`)));
  const problems = outcomes.flatMap((outcome, index) =>
    outcome.status === 'rejected' ? [`${masters[index]!.options.host}:${masters[index]!.options.port}: ${describeCause(outcome.reason, url)}`] : [],
  );
  if (problems.length > 0) {
    throw new RedisSetupError(`Cannot connect to every master of the Redis Cluster at ${redactUrl(url)} (${problems.join('; ')}). ${HOW_TO_FIX_CLUSTER}.`);
  }
}

/** Whether the cluster reports cluster_state:ok (asked of one node); the reason when not. */
export async function clusterStateProblem(cluster: Cluster, url: string): Promise<string | null> {
  try {
    const info = String(await cluster.cluster('INFO'));
    const state = /^cluster_state:(\w+)/m.exec(info)?.[1];
    return state === 'ok' ? null : `The Redis Cluster at ${redactUrl(url)} says cluster_state:${state ?? 'unknown'}. ${HOW_TO_FIX_CLUSTER}.`;
  } catch (error) {
    return `The Redis Cluster at ${redactUrl(url)} did not answer CLUSTER INFO (${describeCause(error, url)}). ${HOW_TO_FIX_CLUSTER}.`;
  }
}
