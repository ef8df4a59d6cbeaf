/**
 * The relay's memory of one stream, as a resumable relay keeps it: every event sent so far,
 * in send order, plus whether the stream has ended. Connections attach at a position and get
 * the events from there on (replay), then the live ones; several may be attached at once
 * (a client reconnecting before the server noticed the old connection drop, or a second tab).
 */

/** One event as the relay sent it. */
export interface RelayedEvent {
  data: string;
  seq: number;
}

/** A connection's writer: what the transport does with an event and with the end. */
export interface StreamSubscriber {
  event(event: RelayedEvent): void;
  end(): void;
}

export class ResumableStream {
  private readonly events: RelayedEvent[] = [];
  private readonly subscribers = new Set<StreamSubscriber>();
  private ended = false;

  /** Stores an event and writes it to every attached connection. */
  append(event: RelayedEvent): void {
    if (this.ended) throw new Error('send() after end(): the stream has already ended');
    this.events.push(event);
    for (const subscriber of this.subscribers) subscriber.event(event);
  }

  /** Marks the stream ended and ends every attached connection. */
  finish(): void {
    if (this.ended) return;
    this.ended = true;
    for (const subscriber of this.subscribers) subscriber.end();
    this.subscribers.clear();
  }

  /**
   * Attaches a connection: replays the events from `fromPosition` (0-based, send order),
   * then forwards live ones, or ends it at once when the stream already ended. Returns the
   * detach function.
   */
  attach(subscriber: StreamSubscriber, fromPosition: number): () => void {
    for (const event of this.events.slice(Math.max(0, fromPosition))) subscriber.event(event);
    if (this.ended) {
      subscriber.end();
      return () => {};
    }
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /**
   * The position just after the event carrying `seq` (a Last-Event-ID), or 0 when no event
   * carries it. Takes the first match: with a repeated seq this replays one event too many
   * rather than skipping one.
   */
  positionAfterSeq(seq: number): number {
    const index = this.events.findIndex((event) => event.seq === seq);
    return index === -1 ? 0 : index + 1;
  }
}
