import type { Clock } from '../clock.js';

/** One content delta as the upstream model sends it. */
export interface SourceChunk {
  /** 0-based position of the chunk in its stream. */
  index: number;
  /** Content text of the delta (may be empty: role-only or keep-alive chunks). */
  text: string;
  /**
   * Tokens whose last character is in this chunk. A token counts once, at the chunk that
   * completes it, so per-token metrics stay exact whatever the chunk granularity.
   */
  tokens: number;
  /** Reasoning text, kept apart from content (real model sources only). */
  reasoning?: string;
}

/**
 * A stream of chunks a source can also push (the synthetic source's): `pushTo` calls `onChunk`
 * with each chunk when it arrives and, when `onChunk` returns a promise, waits for it before the
 * next one — the same order and back-pressure as iterating, without an async-generator step
 * and a promise per chunk.
 */
export interface PushableChunks extends AsyncIterable<SourceChunk> {
  pushTo(onChunk: (chunk: SourceChunk) => void | Promise<void>): Promise<void>;
}

/** Whether `chunks` can be pushed (see PushableChunks). */
export function isPushable(chunks: AsyncIterable<SourceChunk>): chunks is PushableChunks {
  return typeof (chunks as Partial<PushableChunks>).pushTo === 'function';
}

/** What the pipeline needs to open one stream of a source. */
export interface SourceOpenOptions {
  clock: Clock;
  /** 0-based index of this stream within the config's run (varies the seed per stream). */
  streamIndex: number;
  /** Aborts the stream (interrupted runs). */
  signal?: AbortSignal;
  /** Told what a real endpoint did besides sending chunks (synthetic sources ignore it). */
  observer?: SourceObserver;
  /**
   * When the stream's plan starts, on the shared monotonic clock (default: now, when opened). A
   * producer in another process gets its request's start from the main process, so that any
   * wait before it starts producing counts as the source falling behind its plan, not hidden.
   */
  startAtMs?: number;
}

/** The server's own token counts for one stream, when it sent them. */
export interface UpstreamUsage {
  promptTokens: number | null;
  completionTokens: number | null;
  /** Reasoning tokens inside `completionTokens`, when the server breaks them out. */
  reasoningTokens: number | null;
}

/** How a stream's token count was obtained: the server's usage, or a named tokenizer encoding. */
export type TokenCountMethod = 'usage' | `tokenizer:${string}`;

/**
 * Upstream timings and facts of one stream, reported by sources that talk to a server.
 * Times are on the run's clock; request start is the runner's own stamp.
 */
export interface SourceObserver {
  /** The response head arrived (its headers, for recorders that label what they recorded). */
  firstByte(atMs: number, headers?: Readonly<Record<string, string | string[] | undefined>>): void;
  /** The first server-sent event of any kind was parsed. */
  firstEvent(atMs: number): void;
  /** An SSE line or event could not be understood (counted, not fatal). */
  malformedLine(): void;
  /** The server reported its token usage. */
  usage(usage: UpstreamUsage): void;
  /** At the end of the stream: reasoning tokens seen, and how content tokens were counted. */
  tokenCount(report: { method: TokenCountMethod; reasoningTokens: number }): void;
  /** A planned source (synthetic, replay) emitted a chunk `lateMs` (≥ 0) after its planned time; called for every chunk. */
  scheduleLag?(lateMs: number): void;
}

/** A producer of LLM-like token streams: synthetic, replayed or a real endpoint. */
export interface TokenSource {
  /** Source type as named in scenarios (`synthetic`, `replay`, `http`). */
  readonly kind: string;
  /** Resolved settings, for the result document (never secrets). */
  describe(): Record<string, unknown>;
  /**
   * Opens one stream. Chunks are yielded when they "arrive": the iterator waits as the
   * model would, so the consumer's timestamp on each yield is the chunk's emit time.
   */
  open(options: SourceOpenOptions): AsyncIterable<SourceChunk>;
  /**
   * Does ahead of time the work open() would otherwise do at the request's start (a synthetic
   * source plans its stream), so that a producer in another process, which opens the source
   * only once the request started, does not count it as time to first token.
   */
  prepare?(streamIndex: number): void;
  /**
   * Warms what the first timed request would otherwise pay for — a connection to the server,
   * the HTTP client's code paths — without taking a stream (best effort: never throws).
   */
  warm?(): Promise<void>;
  /** Releases what the source started (a mock server, connections). */
  close?(): Promise<void>;
}
