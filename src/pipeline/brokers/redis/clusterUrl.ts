/**
 * The `--redis` form for a Redis Cluster: `redis+cluster://[[user]:password@]host[:port][,host[:port]...]`
 * (`rediss+cluster://` for TLS). The hosts are startup nodes: any reachable one is enough for
 * the client to discover the rest. A cluster has only database 0, so no path is allowed.
 *
 * WHATWG URL parsing cannot read a host list (`h1:7000,h2:7001` is not a port), so this file
 * parses the form itself; it also redacts it, since a generic URL redaction would not parse it.
 */

/** One startup node. */
export interface ClusterNodeAddress {
  host: string;
  port: number;
}

/** A parsed `redis+cluster://` URL. */
export interface ClusterUrl {
  nodes: ClusterNodeAddress[];
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
}

const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\//i;
const DEFAULT_PORT = 6379;

/** A `redis+cluster://` URL that cannot be used; the message says what is wrong with it. */
export class ClusterUrlError extends Error {
  override readonly name = 'ClusterUrlError';
}

/** Whether `url` names a Redis Cluster (`redis+cluster://` or `rediss+cluster://`). */
export function isClusterUrl(url: string): boolean {
  return CLUSTER_SCHEME.test(url);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // A stray `%` is most likely part of the password itself.
    return text;
  }
}

/** The scheme, the user info (before the last `@`, as URLs split it) and the host list. */
function splitClusterUrl(url: string): { scheme: string; userInfo: string | null; rest: string } {
  const scheme = CLUSTER_SCHEME.exec(url)?.[0];
  if (scheme === undefined) throw new ClusterUrlError('expected redis+cluster:// or rediss+cluster://');
  const afterScheme = url.slice(scheme.length);
  const at = afterScheme.lastIndexOf('@');
  return at === -1 ? { scheme, userInfo: null, rest: afterScheme } : { scheme, userInfo: afterScheme.slice(0, at), rest: afterScheme.slice(at + 1) };
}

function parseNode(text: string): ClusterNodeAddress {
  // [v6]:port, host:port, or host alone.
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(text);
  if (!match) throw new ClusterUrlError(`"${text}" is not host:port`);
  const port = match[3] === undefined ? DEFAULT_PORT : Number(match[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ClusterUrlError(`port ${match[3]} is out of range`);
  return { host: (match[1] ?? match[2])!, port };
}

/** Parses a `redis+cluster://` URL; throws ClusterUrlError (never naming the password) when malformed. */
export function parseClusterUrl(url: string): ClusterUrl {
  const { scheme, userInfo, rest } = splitClusterUrl(url);
  const slash = rest.search(/[/?#]/);
  const hostList = slash === -1 ? rest : rest.slice(0, slash);
  const tail = slash === -1 ? '' : rest.slice(slash);
  if (tail !== '' && tail !== '/' && tail !== '/0') {
    throw new ClusterUrlError(`a Redis Cluster has only database 0: remove "${tail}"`);
  }
  const entries = hostList.split(',').filter((entry) => entry !== '');
  if (entries.length === 0) throw new ClusterUrlError('name at least one node: redis+cluster://host:port[,host:port...]');
  let username: string | undefined;
  let password: string | undefined;
  if (userInfo !== null) {
    const colon = userInfo.indexOf(':');
    const user = colon === -1 ? userInfo : userInfo.slice(0, colon);
    username = user === '' ? undefined : decode(user);
    password = colon === -1 ? undefined : decode(userInfo.slice(colon + 1));
  }
  return { nodes: entries.map(parseNode), username, password, tls: scheme.toLowerCase().startsWith('rediss') };
}

/** The cluster URL with its password replaced by `***` (the rest unchanged). */
export function redactClusterUrl(url: string): string {
  const { scheme, userInfo, rest } = splitClusterUrl(url);
  if (userInfo === null) return url;
  const colon = userInfo.indexOf(':');
  const redactedUserInfo = colon === -1 ? userInfo : `${userInfo.slice(0, colon)}:***`;
  return `${scheme}${redactedUserInfo}@${rest}`;
}

/** The password of a cluster URL, raw and decoded, for scrubbing texts (empty when none). */
export function clusterUrlSecrets(url: string): string[] {
  const { userInfo } = splitClusterUrl(url);
  if (userInfo === null || !userInfo.includes(':')) return [];
  const raw = userInfo.slice(userInfo.indexOf(':') + 1);
  return [...new Set([raw, decode(raw)])].filter((secret) => secret !== '');
}
