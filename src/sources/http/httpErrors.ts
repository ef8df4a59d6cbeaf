/**
 * The errors an http source raises, each saying what happened, where, and which setting
 * governs it. Messages never hold credentials: URLs are shown without query string or
 * user info, and the source redacts every message before it leaves (see redact.ts).
 */
import { publicUrl } from './redact.js';

/** The endpoint answered with a non-2xx status. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly status: number,
    url: string,
    serverMessage: string,
  ) {
    super(`HTTP ${status} from POST ${publicUrl(url)}: ${serverMessage || '(empty body)'}`);
  }
}

/** Which wait ran out. */
export type TimeoutKind = 'connect' | 'first-byte' | 'idle';

const TIMEOUT_SETTINGS: Record<TimeoutKind, string> = {
  connect: 'connectTimeoutMs',
  'first-byte': 'firstByteTimeoutMs',
  idle: 'idleTimeoutMs',
};

/** A connect, first-byte or idle timeout. */
export class UpstreamTimeoutError extends Error {
  override readonly name = 'UpstreamTimeoutError';
  constructor(
    readonly kind: TimeoutKind,
    readonly timeoutMs: number,
    url: string,
    detail: string,
  ) {
    super(`${kind} timeout: ${detail} ${publicUrl(url)} within ${timeoutMs} ms (${TIMEOUT_SETTINGS[kind]})`);
  }
}

/** The stream broke: an error event from the server, a lost connection, or an end without the end marker. */
export class UpstreamStreamError extends Error {
  override readonly name = 'UpstreamStreamError';
}
