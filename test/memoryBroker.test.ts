import { describe, expect, it } from 'vitest';
import { createMemoryBroker } from '../src/pipeline/brokers/memoryBroker.js';
import type { ListReadStrategy } from '../src/pipeline/brokers/memorySettings.js';

async function burstThenEnd(read: ListReadStrategy, burst: number) {
  const stream = await createMemoryBroker({ type: 'memory', read, window: 10 }).openStream('s');
  const received: number[] = [];
  const done = stream.read((items) => received.push(...items.map((item) => item.position)));
  // One write of `burst` items: one signal for all of them, as a per-batch RPUSH + PUBLISH.
  await stream.write(Array.from({ length: burst }, (_, index) => `item ${index}`));
  await stream.end('end');
  await done;
  return { received, counters: stream.counters() };
}

describe('memory broker read strategies', () => {
  it.each(['full', 'from-index', 'window-catchup'] as const)('%s delivers every item once, in order', async (read) => {
    const { received } = await burstThenEnd(read, 30);
    expect(received).toEqual(Array.from({ length: 31 }, (_, index) => index));
  });

  it('window (the seed as written) falls behind a burst until the end drains it', async () => {
    const { received, counters } = await burstThenEnd('window', 30);
    // The burst and the end item are both in the list before the first signal is handled.
    // Two signals (the burst, the end item) read one window of 10 each, leaving 21 then 11
    // unread; the control signal then reads the last 11 in one read.
    expect(received).toEqual(Array.from({ length: 31 }, (_, index) => index));
    expect(counters.readLagMaxItems).toBe(21);
    expect(counters.brokerReads).toBe(3);
  });

  it('full re-reads the whole list on every signal', async () => {
    const stream = await createMemoryBroker({ type: 'memory', read: 'full', window: 10 }).openStream('s');
    const done = stream.read(() => {});
    for (let index = 0; index < 10; index++) {
      await stream.write([`i${index}`]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await stream.end('end');
    await done;
    // Reads after each write see 1, 2, … 10 items, then 11 with the end item: 66 items read.
    expect(stream.counters().brokerItemsRead).toBe(66);
  });

  it('a late reader catches up on what was written before it joined', async () => {
    const stream = await createMemoryBroker({ type: 'memory', read: 'from-index', window: 10 }).openStream('s');
    await stream.write(['a', 'b', 'c']);
    const received: string[] = [];
    const done = stream.read((items) => received.push(...items.map((item) => item.payload)));
    await stream.write(['d']);
    await stream.end('end');
    await done;
    expect(received).toEqual(['a', 'b', 'c', 'd', 'end']);
  });
});
