/**
 * The relay's memory of one stream, as a resumable relay keeps it: every event sent so far,
 * in send order, plus whether the stream has ended. Connections attach at a position and get
 * the events from there on (replay), then the live ones; several may be attached at once
 * (a client reconnecting before the server noticed the old connection drop, or a second tab).
 * Events are kept in two columns (their data, their seq), not an object per event: a relay
 * holds every stream's events until the stream ends.
 */
import { NumberColumn } from '../../probes/numberColumn.js';

/** A connection's writer: what the transport does with an event (its data and seq) and with the end. */
export interface StreamSubscriber {
  event(data: string, seq: number): void;
  end(): void;
}

/** One stream's events as the relay sent them, and the connections attached to it. */
export class ResumableStream {
  private readonly data: string[] = [];
  private readonly seqs = new NumberColumn();
  private readonly subscribers = new Set<StreamSubscriber>();
  private ended = false;

  /** Stores an event and writes it to every attached connection. */
  append(data: string, seq: number): void {
    if (this.ended) throw new Error('send() after end(): the stream has already ended');
    this.data.push(data);
    this.seqs.push(seq);
    for (const subscriber of this.subscribers) subscriber.event(data, seq);
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
    // The replay's length is fixed first: a subscriber's write may not append here, but be safe.
    const replayEnd = this.data.length;
    for (let position = Math.max(0, fromPosition); position < replayEnd; position++) subscriber.event(this.data[position]!, this.seqs.at(position));
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
    const seqs = this.seqs.view();
    const index = seqs.indexOf(seq);
    return index === -1 ? 0 : index + 1;
  }
}
