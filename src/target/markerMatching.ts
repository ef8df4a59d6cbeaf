/**
 * Matches each request the app forwards to the upstream with the client stream that caused
 * it. The client's prompt carries a unique marker; the upstream searches the whole forwarded
 * body for it (the app may add a system prompt or rewrite history). A body without any
 * marker takes the oldest client stream still waiting, and the match says so.
 */
import { randomBytes } from 'node:crypto';
import type { MatchMethod } from '../stats/targetSample.js';

/** A client stream waiting for its upstream request. */
export interface Expectation<T> {
  marker: string;
  streamIndex: number;
  /** What the upstream needs to serve and record the stream (the runner's per-stream record). */
  value: T;
  matched: boolean;
}

/** Registry of the client streams in flight, searched by marker or arrival order. */
export class MarkerRegistry<T> {
  /** A random token per registry, so markers of another run (or config) never match. */
  private readonly token = randomBytes(4).toString('hex');
  private readonly pattern = new RegExp(`sbmark-${this.token}-(\\d+)`);
  private readonly waiting = new Map<string, Expectation<T>>();

  /** The marker the client puts in stream `streamIndex`'s prompt. */
  markerFor(streamIndex: number): string {
    return `sbmark-${this.token}-${streamIndex}`;
  }

  /** Registers a client stream before its request is sent. */
  expect(streamIndex: number, value: T): Expectation<T> {
    const expectation: Expectation<T> = { marker: this.markerFor(streamIndex), streamIndex, value, matched: false };
    this.waiting.set(expectation.marker, expectation);
    return expectation;
  }

  /** Forgets a stream (ended, failed or matched). */
  forget(expectation: Expectation<T>): void {
    this.waiting.delete(expectation.marker);
  }

  /**
   * Finds the stream an upstream request body belongs to, and marks it matched. A marker of
   * this registry that is no longer waiting (a retry of a finished stream) matches nothing.
   */
  match(body: string): { expectation: Expectation<T>; method: MatchMethod } | { expectation: null; reason: string } {
    const found = this.pattern.exec(body);
    if (found) {
      const expectation = this.waiting.get(found[0]);
      if (!expectation || expectation.matched) {
        return {
          expectation: null,
          reason: `the request carries marker ${found[0]}, whose stream is not waiting for an upstream request (a retry, or a second call for the same prompt)`,
        };
      }
      expectation.matched = true;
      return { expectation, method: 'marker' };
    }
    // No marker: the app stripped or rewrote the prompt. The oldest waiting stream is the best guess.
    for (const expectation of this.waiting.values()) {
      if (expectation.matched) continue;
      expectation.matched = true;
      return { expectation, method: 'arrival-order' };
    }
    return { expectation: null, reason: 'no client stream is waiting for an upstream request' };
  }
}
