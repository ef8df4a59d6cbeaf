/**
 * One 'abort' listener per outer signal (the run's interruption, the source's close) for all the
 * streams in flight: each stream adds and removes a Set entry instead of an event listener (an
 * EventTarget listener costs several times more, and a stream needed two).
 */

type OnAbort = (reason: unknown) => void;

interface Registration {
  streams: Set<OnAbort>;
  listener: () => void;
}

/** Calls `onAbort` of every registered stream when its signal aborts. */
export class AbortFanout {
  private readonly bySignal = new Map<AbortSignal, Registration>();

  /** Calls `onAbort` once when `signal` aborts (never when it already has); returns the unregistration. */
  register(signal: AbortSignal, onAbort: OnAbort): () => void {
    let registration = this.bySignal.get(signal);
    if (registration === undefined) {
      const streams = new Set<OnAbort>();
      const listener = () => {
        this.bySignal.delete(signal);
        for (const stream of [...streams]) stream(signal.reason);
        streams.clear();
      };
      registration = { streams, listener };
      this.bySignal.set(signal, registration);
      signal.addEventListener('abort', listener, { once: true });
    }
    const { streams, listener } = registration;
    streams.add(onAbort);
    return () => {
      streams.delete(onAbort);
      // The last stream gone: no listener left behind on a signal that outlives the source (the run's).
      if (streams.size === 0 && this.bySignal.get(signal) === registration) {
        this.bySignal.delete(signal);
        signal.removeEventListener('abort', listener);
      }
    };
  }
}
