import type { Clock } from '../../clock.js';
import type { JsonCounter } from '../../probes/jsonCounter.js';
import type { DecodedEvent, SerializerStream } from '../types.js';

/** When the client paints what it received. */
export type RenderSettings =
  | { strategy: 'every' }
  | { strategy: 'debounce'; delayMs: number }
  | { strategy: 'throttle'; intervalMs: number }
  | { strategy: 'frame'; frameMs: number };

/** Client model: `field` (several parses per event, full rebuild + markdown lex per render) or `lean`. */
export interface ClientSettings {
  type: 'field' | 'lean';
  render: RenderSettings;
}

/** Receives what the client did, with timestamps from the shared clock. */
export interface ClientObserver {
  /** An event was received and decoded at `atMs`. */
  received(event: DecodedEvent, atMs: number): void;
  /**
   * A render finished at `atMs`, painting the messages `seqs` for the first time; it took
   * `renderMs` of CPU time — unless `costMeasured` is false (a render outside the sample, see
   * ClientDeps.renderCostSampleEvery; `renderMs` is then 0).
   */
  rendered(seqs: number[], atMs: number, renderMs: number, costMeasured?: boolean): void;
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
   * Measure render cost on 1 render in this many (default 1: every render). Under load the
   * lean client's markdown work is the simulated browser's, not the relay's: sampling it keeps
   * the harness light while renders, their times and the text stay as they are.
   */
  renderCostSampleEvery?: number;
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
