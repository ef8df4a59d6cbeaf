/**
 * The in-process broker: a list and a signal per write, like the field's RPUSH + PUBLISH,
 * with the same read strategies as the Redis list broker. Signals are delivered on the
 * next turn of the event loop, as a pub/sub message would be. On the end-of-stream control
 * signal the reader reads whatever is left in one read and stops, as the Redis list reader
 * does, so a bounded reader that fell behind shows up as lag and latency.
 */
import type { Broker, BrokerCounters, BrokerItem, BrokerStream } from '../types.js';
import type { MemoryBrokerSettings } from './memorySettings.js';

/** What every write returns: the items are in the list when write() returns. */
const STORED: Promise<void> = Promise.resolve();

/** Creates the in-process broker. */
export function createMemoryBroker(settings: MemoryBrokerSettings): Broker {
  return {
    kind: 'memory',
    async openStream(_streamId, options) {
      // One in-process list: there is no side another process could open.
      if ((options?.role ?? 'both') !== 'both') throw new Error('the memory broker lives in one process: its streams cannot be opened one side at a time');
      return openMemoryStream(settings);
    },
    close: async () => {},
  };
}

function openMemoryStream(settings: MemoryBrokerSettings): BrokerStream {
  const list: string[] = [];
  const counters = { brokerReads: 0, brokerItemsRead: 0, brokerBytesRead: 0, brokerSignals: 0, readLagMaxItems: 0 };
  let onSignal: ((control: boolean) => void) | undefined;

  // Signals sent in one turn are delivered one by one on the next, as before, from one
  // setImmediate (a chunk of tokens arriving in one read is many writes: an Immediate each
  // cost more than the signal's read).
  // Two arrays taking turns: the one being delivered is emptied and kept for the next turn
  // (a new array per stream per turn was garbage on every read).
  let queuedSignals: boolean[] = [];
  let spareSignals: boolean[] = [];
  const deliverSignals = () => {
    const signals = queuedSignals;
    queuedSignals = spareSignals;
    for (const control of signals) onSignal?.(control);
    signals.length = 0;
    spareSignals = signals;
  };
  const signal = (control: boolean) => {
    if (queuedSignals.push(control) === 1) setImmediate(deliverSignals);
  };

  return {
    awaitWrites: false, // the write is in the list when write() returns: nothing to wait for
    storesOnWrite: true,
    write(items) {
      for (const item of items) list.push(item);
      signal(false);
      // Stored now: one settled promise for every write, not an async function's new one each.
      return STORED;
    },
    async end(endItem) {
      list.push(endItem);
      signal(false);
      signal(true);
    },
    read(onItems) {
      return new Promise<void>((resolve) => {
        let nextPosition = 0;
        let finished = false;
        const endPosition = () => list.length; // exclusive

        const readRange = (start: number, stopExclusive: number): BrokerItem[] => {
          counters.brokerReads++;
          const items: BrokerItem[] = [];
          for (let position = start; position < stopExclusive; position++) {
            const payload = list[position];
            if (payload === undefined) break; // a range past the list's end reads what is there, as Redis's LRANGE does
            counters.brokerItemsRead++;
            counters.brokerBytesRead += Buffer.byteLength(payload);
            if (position >= nextPosition) items.push({ position, payload });
          }
          return items;
        };

        const deliver = (items: BrokerItem[]) => {
          const last = items.at(-1);
          if (last === undefined) return;
          nextPosition = last.position + 1;
          onItems(items);
        };

        const readOnSignal = () => {
          switch (settings.read) {
            case 'full':
              deliver(readRange(0, endPosition()));
              break;
            case 'from-index':
              deliver(readRange(nextPosition, endPosition()));
              break;
            case 'window':
              deliver(readRange(nextPosition, Math.min(endPosition(), nextPosition + settings.window)));
              break;
            case 'window-catchup':
              for (;;) {
                const items = readRange(nextPosition, Math.min(endPosition(), nextPosition + settings.window));
                deliver(items);
                if (items.length < settings.window) break;
              }
              break;
          }
          counters.readLagMaxItems = Math.max(counters.readLagMaxItems, endPosition() - nextPosition);
        };

        const stop = () => {
          finished = true;
          onSignal = undefined;
          resolve();
        };

        onSignal = (control) => {
          if (finished) return;
          counters.brokerSignals++;
          if (control) {
            deliver(readRange(nextPosition, endPosition()));
            return stop();
          }
          readOnSignal();
        };
        // Catch up on what was written before this reader joined.
        if (list.length > 0) readOnSignal();
      });
    },
    counters: (): BrokerCounters => ({ ...counters }),
    async dispose() {
      onSignal = undefined;
      list.length = 0;
    },
  };
}
