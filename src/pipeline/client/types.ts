import type { Clock } from '../../clock.js';
import type { JsonCounter } from '../../probes/jsonCounter.js';
import type { DecodedEvent, RemoteClient, SerializerStream } from '../types.js';
import type { BrowserPool } from './browser/browserPool.js';

/** When the client paints what it received. */
export type RenderSettings =
  { strategy: 'every' } | { strategy: 'debounce'; delayMs: number } | { strategy: 'throttle'; intervalMs: number } | { strategy: 'frame'; frameMs: number };

/** The browser client's own settings. */
export interface BrowserClientOptions {
  /** How the page asks for an SSE stream: EventSource (GET) or fetch with a body reader (POST). WebSocket deliveries ignore it. */
  request: 'eventsource' | 'fetch';
  /** Open pages per browser context before another context is made. */
  pagesPerContext: number;
  /** Contexts per Chromium process before another one is launched. */
  contextsPerBrowser: number;
  /** After this many events the page keeps its main thread busy for `ms` (a long task on purpose); null: never. */
  blockMainThread: { afterEvents: number; ms: number } | null;
  /** The SSE delivery's event name, if it writes `event:` lines (set from the delivery settings, not the scenario). */
  sseEventName?: string | null;
}

/**
 * Client: `field` (several parses per event, full rebuild + markdown lex per render), `lean`
 * (Node models), or `browser` (a page in headless Chromium).
 */
export interface ClientSettings {
  type: 'field' | 'lean' | 'browser';
  render: RenderSettings;
  /** Settings of the browser client (type browser only). */
  browser?: BrowserClientOptions;
}

/** Receives what the client did, with timestamps from the shared clock. */
export interface ClientObserver {
  /** An event was received and decoded at `atMs`. */
  received(event: DecodedEvent, atMs: number): void;
  /**
   * A render finished at `atMs`, painting the messages `seqs` for the first time; it took
   * `renderMs` of CPU time — unless `costMeasured` is false (a render of a stream outside the
   * sample, see ClientDeps.measureRenderCost; `renderMs` is then 0). A browser reports the paint as
   * `atMs` and when the DOM was updated as `domUpdatedAtMs`.
   */
  rendered(seqs: number[], atMs: number, renderMs: number, costMeasured?: boolean, domUpdatedAtMs?: number): void;
}

/** Everything a client needs. */
export interface ClientDeps {
  clock: Clock;
  /** Decoder of the serializer in use (counts its JSON calls). */
  decoder: SerializerStream;
  /** The stream's JSON counter (the field client's extra parses are counted here). */
  json: JsonCounter;
  observer: ClientObserver;
  /**
   * Whether the client does its markdown work and measures each render's cost (default true).
   * Under load the lean client's markdown work is the simulated browser's, not the relay's: it
   * runs on a sample of the streams (src/run/renderCostSample.ts), every render of those; the
   * other streams' renders, their times and the text (kept and verified) stay as they are.
   */
  measureRenderCost?: boolean;
  /** The config's browsers (type browser only). */
  browser?: BrowserPool;
  /** The delivery's kind: a browser page connects with EventSource, fetch or WebSocket accordingly. */
  deliveryKind?: string;
  /** The serializer's name: a browser page decodes its wire format itself. */
  serializerName?: string;
}

/** The browser side of one stream. */
export interface StreamClient {
  /** One event's data arrived. */
  onEvent(data: string): void;
  /** The connection closed: resolves once any pending render has happened. */
  finish(): Promise<void>;
  /** The text shown, assembled as this client assembles it. */
  text(): string;
  /** Renders so far. */
  readonly renderCount: number;
  /** Called before the stream's request starts (a browser opens its page here, so that is not charged to the stream). */
  prepare?(): Promise<void>;
  /** A client that connects by itself (a browser page) instead of the delivery's Node client. */
  readonly remote?: RemoteClient;
  /** Client-specific counters of the stream (names as in metrics.counters: `...Max...` are maxima, others sums per stream). */
  counters?(): Record<string, number>;
  /** Releases what the client holds (a browser page); safe to call twice. */
  dispose?(): Promise<void>;
}

/** Decides when to render; the render itself is the client's. */
export interface RenderScheduler {
  /** New content arrived. */
  notify(): void;
  /** Resolves when no render is pending (a pending timer fires as it would). */
  settle(): Promise<void>;
  /** Cancels timers. */
  dispose(): void;
}
