/**
 * One 'abort' listener per outer signal (the run's interruption, the source's close) for all the
 * streams in flight: each stream adds and removes a Set entry instead of an event listener (an
 * EventTarget listener costs several times more, and a stream needed two).
 */

/** Calls `onAbort` of every registered stream when its signal aborts. */
export class AbortFanout {
  private readonly registered = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();

  /** Calls `onAbort` once when `signal` aborts (never when it already has); returns the unregistration. */
  register(signal: AbortSignal, onAbort: (reason: unknown) => void): () => void {
    let listeners = this.registered.get(signal);
    if (listeners === undefined) {
      const created = new Set<(reason: unknown) => void>();
      listeners = created;
      this.registered.set(signal, created);
      signal.addEventListener(
        'abort',
        () => {
          for (const listener of [...created]) listener(signal.reason);
          created.clear();
        },
        { once: true },
      );
    }
    const set = listeners;
    set.add(onAbort);
    return () => set.delete(onAbort);
  }
}
