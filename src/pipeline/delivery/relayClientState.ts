/**
 * What the SSE and WebSocket clients of one stream count and decide the same way: events and
 * the first one's time, the one planned drop (`reconnect.afterEvents`) and the reconnects after
 * it, whether a reconnect resumes, and the "connected" promise. Only the wire differs per transport.
 */
import type { Clock } from '../../clock.js';
import { ClientSocketMeter } from './clientSocketMeter.js';
import type { NetworkDeliveryCounters } from './networkCounters.js';
import type { ReconnectSettings } from './settings.js';

/** What both clients are told besides where to connect. */
export interface RelayClientOptions {
  reconnect: ReconnectSettings | undefined;
  clock: Clock;
  /** Called with each event's data (a WebSocket message's text), duplicates included. */
  onEvent: (data: string) => void;
}

/** How one connection ended: the stream's end, or the client's planned drop (then it reconnects). */
export type ConnectionOutcome = 'ended' | 'dropped';

/** One client's reconnect and resume state, shared by both transports' clients. */
export class RelayClientState {
  events = 0;
  reconnects = 0;
  heartbeats = 0;
  firstEventAtMs: number | null = null;
  /** The client's sockets, all connections' (bytes, first byte). */
  readonly meter: ClientSocketMeter;
  /** Resolves when the first connection is established. */
  readonly connected: Promise<void>;
  /** Resolves `connected`; later calls (reconnections) do nothing. */
  readonly markConnected: () => void;

  constructor(
    private readonly clock: Clock,
    private readonly reconnect: ReconnectSettings | undefined,
  ) {
    this.meter = new ClientSocketMeter(clock);
    let markConnected!: () => void;
    this.connected = new Promise<void>((resolve) => (markConnected = resolve));
    this.markConnected = markConnected;
  }

  /** Counts one received event (noting the first one's time). */
  noteEvent(): void {
    this.events++;
    if (this.firstEventAtMs === null) this.firstEventAtMs = this.clock.nowMs();
  }

  /** Whether the event just counted is where the client drops its connection (once, on the first connection). */
  dropsHere(): boolean {
    return this.reconnect !== undefined && this.reconnects === 0 && this.events === this.reconnect.afterEvents;
  }

  /** Whether the connection about to open is a reconnect that asks to resume after what was seen. */
  resumes(): boolean {
    return this.reconnects > 0 && this.reconnect?.resume === true;
  }

  /** Reads connection after connection until one ends with the stream rather than a drop. */
  async readUntilEnded(readConnection: () => Promise<ConnectionOutcome>): Promise<void> {
    while ((await readConnection()) === 'dropped') this.reconnects++;
  }

  /** The client's counters so far. */
  counters(): NetworkDeliveryCounters {
    const meter = this.meter;
    return {
      events: this.events,
      bytes: meter.bytes(),
      firstByteAtMs: meter.firstByteAtMs,
      firstEventAtMs: this.firstEventAtMs,
      reconnects: this.reconnects,
      heartbeats: this.heartbeats,
    };
  }
}
