/**
 * The interfaces between relay stages. The in-process implementations live beside this
 * file; Redis brokers, SSE/WebSocket delivery and real model sources implement the same
 * interfaces, so the runner never changes when a stage does.
 */
import type { JsonCounter } from '../probes/jsonCounter.js';

/** A message as the producer builds it from one (possibly merged) batch of chunks. */
export interface OutgoingMessage {
  /** 0-based message sequence number within the stream. */
  seq: number;
  /** Content text (the batch's chunks concatenated). */
  text: string;
}

/** What a client decodes from one event. */
export interface DecodedEvent {
  /** Message sequence number; the end-of-stream status item carries one too. */
  seq: number;
  /** Content text; empty for status items. */
  text: string;
  /** True for the end-of-stream status item. */
  end: boolean;
}

/**
 * A serializer's work for one stream, on each side of the broker. Every JSON call goes
 * through the counter it was opened with.
 */
export interface SerializerStream {
  /** Producer: message → item stored in the broker. */
  encode(message: OutgoingMessage): string;
  /** Producer: the end-of-stream status item. */
  encodeEnd(seq: number): string;
  /** Relay (API server): item read from the broker → event data sent to the client. */
  relay(item: string): string;
  /** Client: event data → decoded event (the minimal parse for this format). */
  decode(data: string): DecodedEvent;
  /** Serializer-specific counters for the stream so far (e.g. cache hits). */
  counters?(): Record<string, number>;
}

/** A serialization strategy (`field-baseline`, `seed-cache`, `single-pass`, ...). */
export interface Serializer {
  readonly name: string;
  /** Opens per-stream state (caches, accumulated text) counting JSON calls on `json`. */
  open(json: JsonCounter): SerializerStream;
}

/** Groups chunks before they become messages. */
export interface Batcher<T> {
  /** Accepts one item; may flush synchronously or later from a timer. */
  push(item: T): void;
  /** Flushes whatever is held (end of stream) and stops any timer. */
  end(): void;
}

/** An item read from a broker, with its position in the stream (0-based, write order). */
export interface BrokerItem {
  position: number;
  payload: string;
}

/** Broker-specific counters for one stream (e.g. redisCommands, redisBytesRead). Counted, never estimated. */
export type BrokerCounters = Record<string, number>;

/** One stream's channel through a broker: the producer writes, the consumer reads. */
export interface BrokerStream {
  /**
   * Whether the producer waits for each write's acknowledgement before the next one;
   * false is fire-and-forget, as in the field (writes still resolve at acknowledgement).
   */
  readonly awaitWrites: boolean;
  /**
   * True when write() has stored the items by the time it returns and its promise is already
   * resolved (the in-process broker): the producer then stamps the acknowledgement at once,
   * with no promise per write. Absent: false.
   */
  readonly storesOnWrite?: boolean;
  /**
   * Appends items and signals the reader. Resolves when the broker acknowledged the write,
   * in every mode (fire-and-forget only means the producer does not wait for it).
   */
  write(items: string[]): Promise<void>;
  /** Writes the end-of-stream status item and the control signal. */
  end(endItem: string): Promise<void>;
  /**
   * Starts the consumer: `onItems` receives items in the order read. Resolves when the
   * reader stops on the end-of-stream signal, after delivering what was left (or rejects on
   * a broker failure).
   */
  read(onItems: (items: BrokerItem[]) => void): Promise<void>;
  /** Counters for this stream so far. */
  counters(): BrokerCounters;
  /**
   * Resolves once the read started by read() sees every item written from then on (pub/sub:
   * its SUBSCRIBE was acknowledged). A producer in another process waits for it before its
   * first write; a stream with both sides waits by itself. Absent: nothing to wait for.
   */
  readerJoined?(): Promise<void>;
  /**
   * Consumer side of a split stream: the producer, in another process, reports how many items
   * the server has acknowledged to it, so read lag is still measured (learned a little later
   * than in one process, so it stays a lower bound).
   */
  producerAcknowledged?(items: number): void;
  /** Releases the stream (deletes its keys, unsubscribes). Safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * Which side of a stream a process opens: `both` (producer and consumer in one process), or
 * only the `producer`'s or the `consumer`'s connections when they run in separate processes.
 */
export type StreamRole = 'both' | 'producer' | 'consumer';

/** How to open one stream's channel. */
export interface OpenStreamOptions {
  /** Default `both`. A `consumer` side owns the stream's keys (it knows when reading is done). */
  role?: StreamRole;
}

/** A broker between producer and consumer (`memory`, and the Redis brokers). */
export interface Broker {
  readonly kind: string;
  /** Opens one stream's channel (or one side of it); `streamId` is unique within the run. */
  openStream(streamId: string, options?: OpenStreamOptions): Promise<BrokerStream>;
  /** Closes connections and servers the broker opened. */
  close(): Promise<void>;
}

/** Delivery counters for one stream: counted at the client. */
export interface DeliveryCounters {
  /** Events the client received (content and status). */
  events: number;
  /** Bytes the client received (framing and, for network transports, headers included). */
  bytes: number;
  /** Clock time the client got its first byte (null until then). */
  firstByteAtMs: number | null;
  /** Clock time the client got its first event of any kind (null until then). */
  firstEventAtMs: number | null;
  /** Times the client dropped its connection and reconnected (network transports). */
  reconnects?: number;
  /** Heartbeat comments received (SSE). */
  heartbeats?: number;
}

/** Server side of one client connection. */
export interface DeliveryChannel {
  /** Sends one event carrying `data` (the relay's output), with its sequence number. */
  send(data: string, seq: number): void;
  /** Ends the stream; resolves once the client has seen everything sent. */
  end(): Promise<void>;
  /** Counters for this connection so far. */
  counters(): DeliveryCounters;
}

/**
 * A client that makes its own connection (a browser page): given the stream's URL on the
 * relay, it connects and reads the stream itself, in place of the delivery's Node client.
 */
export interface RemoteClient {
  /** Starts reading the stream at `url`; the handle's `connected` resolves once the connection is open. */
  connect(url: string): RemoteClientHandle;
}

/** A running remote client of one stream. */
export interface RemoteClientHandle {
  /** Resolves when the connection is established. */
  readonly connected: Promise<void>;
  /** Resolves when the client has read and handled the whole stream; rejects on a failure. */
  readonly done: Promise<void>;
  /** The relay has sent everything: the client's remaining work is now on a deadline. */
  relayEnded?(): void;
  /** Counters so far, counted at the client. */
  counters(): DeliveryCounters & { reconnects: number; heartbeats: number };
  /** Stops the client now (delivery shutdown). */
  abort(): Promise<void>;
}

/** How events travel from the relay to the client (`direct`, `sse`, `websocket`). */
export interface Delivery {
  readonly kind: string;
  /**
   * Opens a connection whose client calls `onEvent` with each event's data; with `remote`,
   * that client connects instead of the delivery's own (network deliveries only).
   */
  open(streamId: string, onEvent: (data: string) => void, remote?: RemoteClient): Promise<DeliveryChannel>;
  /** Stops servers the delivery started. */
  close(): Promise<void>;
}
