/**
 * Whether a TCP connection to a URL's host and port opens: what a page's bare "Failed to fetch"
 * cannot say (a browser hides the cause of a failed request from the page), asked from Node.
 */
import { connect } from 'node:net';
import { describeCause } from './messages.js';

/** How long the probe waits for the connection. */
const PROBE_TIMEOUT_MS = 2000;

/** null when a connection to `url`'s host and port opens within 2 s, else why not (ECONNREFUSED…). */
export function unreachableCause(url: string): Promise<string | null> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    port = Number(parsed.port) || (parsed.protocol === 'https:' || parsed.protocol === 'wss:' ? 443 : 80);
  } catch {
    return Promise.resolve('not a valid URL');
  }
  return tryConnect(host, port, PROBE_TIMEOUT_MS).then((outcome) =>
    outcome === null ? null : outcome === 'timeout' ? `no connection within ${PROBE_TIMEOUT_MS} ms` : describeCause(outcome),
  );
}

/** Loopback hosts: an address on one of them is this machine's, where a port already in use belongs to another process. */
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1)$/;

/** `host:port` of `url` when its host is this machine's and a connection to it opens (something listens there), else null. */
export async function loopbackListener(url: string): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!LOOPBACK.test(host)) return null;
  const port = Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80);
  return (await tryConnect(host, port, PROBE_TIMEOUT_MS)) === null ? `${parsed.host}` : null;
}

/** Opens (then closes) a TCP connection to `host`:`port`: null when it opened, 'timeout' after `timeoutMs`, else the error. */
export function tryConnect(host: string, port: number, timeoutMs: number): Promise<Error | 'timeout' | null> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', resolve);
  });
}
