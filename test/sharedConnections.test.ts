/**
 * `connections: shared` against a real Redis: concurrent streams on one broker's three shared
 * connections get exactly their own items; each stream's computed bytes, plus the bytes no
 * stream was charged, add up to the shared sockets' own byte counters; one stream counts
 * exactly what it counts on connections of its own; nothing is left behind; a Redis Cluster
 * is refused before anything connects; a shared connection killed mid-stream fails the reads.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { createRedisBroker, type RedisBroker } from '../src/pipeline/brokers/redis/broker.js';
import { RedisSetupError } from '../src/pipeline/brokers/redis/connection.js';
import { runKeyPrefix, streamKeys } from '../src/pipeline/brokers/redis/keys.js';
import { redisBrokerSettingsSchema, type RedisBrokerSettings } from '../src/pipeline/brokers/redis/settings.js';
import type { RedisBrokerStream } from '../src/pipeline/brokers/redis/streamBase.js';
import type { BrokerItem } from '../src/pipeline/types.js';
import { waitFor } from './helpers/brokerItems.js';
import { privateRedisForTheseTests } from './helpers/privateRedis.js';
import { newRunId, withRedisBroker } from './helpers/redisBroker.js';
import { redisUrlForTests } from './helpers/redisUrl.js';

const sharedUrl = await redisUrlForTests();

const END_ITEM = '{"type":"status","status":"completed"}';
const STREAMS = 8;
/** Batch sizes of every stream: one write per batch. */
const BATCHES = [3, 1, 6, 2, 5];

function settingsOf(input: Record<string, unknown>): RedisBrokerSettings {
  return redisBrokerSettingsSchema.parse(input);
}

/** Field-shaped items of one stream, in batches, with 2-, 3- and 4-byte UTF-8 characters. */
function batchesOf(streamIndex: number): string[][] {
  let sequence = 0;
  return BATCHES.map((size, batch) =>
    Array.from({ length: size }, () => {
      const index = sequence++;
      return JSON.stringify({ sequence: index, content: `s${streamIndex} b${batch} tökén ${index} 漢字 🙂 é ` });
    }),
  );
}

/** What a consumer got. */
class Collector {
  readonly items: BrokerItem[] = [];
  readonly onItems = (items: BrokerItem[]): void => {
    this.items.push(...items);
  };
}

function expectExactDelivery(collector: Collector, items: string[]): void {
  expect(collector.items.map((item) => item.position)).toEqual([...items.keys(), items.length]);
  expect(collector.items.map((item) => item.payload)).toEqual([...items, END_ITEM]);
}

/** Writes each batch as the runner does (awaiting only when writes are awaited), ends, and returns what the reader got. */
async function relayBatches(stream: RedisBrokerStream, batches: string[][]): Promise<Collector> {
  const collector = new Collector();
  const reading = stream.read(collector.onItems);
  for (const batch of batches) {
    const write = stream.write(batch);
    if (stream.awaitWrites) await write;
  }
  await stream.end(END_ITEM);
  await reading;
  return collector;
}

/** Keys under `prefix` on the server, found with SCAN MATCH. */
async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

// RESP2 wire text, written independently of src/…/respBytes.ts, for the expected unattributed bytes.
const bulk = (text: string) => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
const commandWire = (...parts: string[]) => `*${parts.length}\r\n${parts.map(bulk).join('')}`;
const unsubscribeConfirmationWire = (channel: string, count: number) => `*3\r\n${bulk('unsubscribe')}${bulk(channel)}:${count}\r\n`;
const byteLength = (wire: string) => Buffer.byteLength(wire);

interface Sums {
  written: number;
  read: number;
}

function sumStreamBytes(streams: readonly RedisBrokerStream[]): Sums {
  const sums = { written: 0, read: 0 };
  for (const stream of streams) {
    sums.written += stream.counters().redisBytesWritten!;
    sums.read += stream.counters().redisBytesRead!;
  }
  return sums;
}

/**
 * The shared sockets' bytes once the replies still in flight (UNSUBSCRIBE confirmations after
 * dispose()) have arrived: polls until the sockets read what the streams and the unattributed
 * part account for, or gives up after a while and returns what it saw, so the assertion that
 * follows shows the difference instead of a timeout.
 */
async function settledSharedBytes(broker: RedisBroker, streamBytes: Sums) {
  for (let attempt = 0; attempt < 2000; attempt++) {
    const bytes = (await broker.sharedBytes())!;
    if (bytes.socket.read === streamBytes.read + bytes.unattributed.read && bytes.socket.written === streamBytes.written + bytes.unattributed.written) {
      return bytes;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return (await broker.sharedBytes())!;
}

/** Asserts that `streams`' bytes plus the unattributed ones are exactly the shared sockets' bytes; returns the unattributed part. */
async function expectSocketBytesAccountedFor(broker: RedisBroker, streams: readonly RedisBrokerStream[]): Promise<Sums> {
  const streamBytes = sumStreamBytes(streams);
  const { socket, unattributed } = await settledSharedBytes(broker, streamBytes);
  expect(socket).toEqual({ written: streamBytes.written + unattributed.written, read: streamBytes.read + unattributed.read });
  return unattributed;
}

describe.skipIf(sharedUrl === null)('connections: shared', () => {
  const url = sharedUrl!;
  let inspector: Redis;

  beforeAll(async () => {
    inspector = new Redis(url, { lazyConnect: true });
    await inspector.connect();
  });
  afterAll(() => inspector?.disconnect());

  const withBroker = <T>(settings: RedisBrokerSettings, body: (broker: RedisBroker, runId: string) => Promise<T>, brokerUrl = url) => withRedisBroker(settings, brokerUrl, body);

  /**
   * Runs `STREAMS` concurrent streams on one shared broker, checks exact delivery, disposes
   * them one by one, and checks that the streams' bytes plus the unattributed ones are the
   * sockets' bytes, written and read separately, with the unattributed part exactly the
   * UNSUBSCRIBEs and their confirmations.
   */
  async function concurrentStreams(input: Record<string, unknown>): Promise<void> {
    await withBroker(settingsOf({ ...input, connections: 'shared' }), async (broker, runId) => {
      const streamIds = Array.from({ length: STREAMS }, (_, index) => `s${index}`);
      const streams = await Promise.all(streamIds.map((streamId) => broker.openStream(streamId)));
      const batches = streamIds.map((_, index) => batchesOf(index));
      const collectors = await Promise.all(streams.map((stream, index) => relayBatches(stream, batches[index]!)));
      collectors.forEach((collector, index) => expectExactDelivery(collector, batches[index]!.flat()));
      for (const stream of streams) {
        expect(stream.counters().redisSignalsReceived).toBeGreaterThan(0);
        expect(stream.counters().redisBytesWritten).toBeGreaterThan(0);
        expect(stream.counters().redisBytesRead).toBeGreaterThan(0);
      }

      // Disposed one after another: stream i leaves its two channels while 2 × (STREAMS - i) are subscribed.
      for (const stream of streams) await stream.dispose();
      const unattributed = await expectSocketBytesAccountedFor(broker, streams);

      let unsubscribeWritten = 0;
      let unsubscribeRead = 0;
      let subscribed = 2 * STREAMS;
      for (const streamId of streamIds) {
        const { signalChannel, controlChannel } = streamKeys(runId, streamId);
        unsubscribeWritten += byteLength(commandWire('unsubscribe', signalChannel, controlChannel));
        unsubscribeRead += byteLength(unsubscribeConfirmationWire(signalChannel, --subscribed));
        unsubscribeRead += byteLength(unsubscribeConfirmationWire(controlChannel, --subscribed));
      }
      expect(unattributed).toEqual({ written: unsubscribeWritten, read: unsubscribeRead });

      expect(broker.liveKeys()).toEqual([]);
      expect(await keysUnder(inspector, runKeyPrefix(runId))).toEqual([]);
    });
  }

  describe('redis-list: concurrent streams on one broker', () => {
    for (const write of ['eval', 'fire-and-forget', 'pipelined'] as const) {
      for (const read of ['from-index', 'window-catchup'] as const) {
        const input = { type: 'redis-list', write, read, window: 4 };
        it(`get exactly their items, and their bytes plus the unattributed ones are the sockets' bytes: ${write} / ${read}`, async () => {
          await concurrentStreams(input);
        });
      }
    }
  });

  describe('redis-pubsub: concurrent streams on one broker', () => {
    it("get exactly their items, and their bytes plus the unattributed ones are the sockets' bytes", async () => {
      await concurrentStreams({ type: 'redis-pubsub' });
    });
  });

  /**
   * One stream in lockstep: each batch is written once the previous one arrived, so every
   * read's range, and with it every counter, is determined. List: batch 0 is written before
   * the reader joins (the join read returns it); pub/sub: after its SUBSCRIBE was processed.
   * `afterBatch` runs after each batch arrived. With shared connections, also checks that the
   * stream's bytes plus the unattributed ones (its UNSUBSCRIBE) are the sockets' bytes.
   */
  async function lockstep(settings: RedisBrokerSettings, options: { url?: string; inspector?: Redis; afterBatch?: (index: number) => Promise<void> } = {}) {
    const batches = batchesOf(0);
    const serverInspector = options.inspector ?? inspector;
    return withBroker(
      settings,
      async (broker, runId) => {
        const stream = await broker.openStream('lockstep');
        const collector = new Collector();
        let reading: Promise<void>;
        if (settings.type === 'redis-pubsub') {
          reading = stream.read(collector.onItems);
          const channel = streamKeys(runId, 'lockstep').signalChannel;
          await waitFor(async () => (await serverInspector.pubsub('NUMSUB', channel))[1] === 1, 'the SUBSCRIBE');
          await stream.write(batches[0]!);
        } else {
          await stream.write(batches[0]!);
          reading = stream.read(collector.onItems);
        }
        let written = 0;
        for (const [index, batch] of batches.entries()) {
          if (index > 0) {
            const write = stream.write(batch);
            if (stream.awaitWrites) await write;
          }
          written += batch.length;
          await waitFor(() => collector.items.length === written, `batch ${index}`);
          await options.afterBatch?.(index);
        }
        await stream.end(END_ITEM);
        await reading;
        expectExactDelivery(collector, batches.flat());
        await stream.dispose();
        const counters = stream.counters();
        const byName = stream.commandsByName();

        const shared = await broker.sharedBytes();
        if (shared === null) {
          expect(settings).toMatchObject({ connections: 'per-stream' });
        } else {
          // Alone on the shared connections, the stream's bytes and its UNSUBSCRIBE are all there is.
          const { socket, unattributed } = await settledSharedBytes(broker, { written: counters.redisBytesWritten!, read: counters.redisBytesRead! });
          expect(socket).toEqual({ written: counters.redisBytesWritten! + unattributed.written, read: counters.redisBytesRead! + unattributed.read });
        }
        return { counters, byName };
      },
      options.url,
    );
  }

  describe('one stream counts exactly what it counts on connections of its own', () => {
    const inputs: Record<string, unknown>[] = [
      ...(['eval', 'fire-and-forget', 'pipelined'] as const).flatMap((write) =>
        (['from-index', 'window-catchup'] as const).map((read) => ({ type: 'redis-list', write, read, window: 4 })),
      ),
      { type: 'redis-pubsub' },
    ];
    for (const input of inputs) {
      it(JSON.stringify(input), async () => {
        const own = await lockstep(settingsOf({ ...input, connections: 'per-stream' }));
        const shared = await lockstep(settingsOf({ ...input, connections: 'shared' }));
        // Own connections: bytes read off the sockets. Shared: computed from the RESP encoding.
        expect(shared.byName).toEqual(own.byName);
        expect(shared.counters).toEqual(own.counters);
        expect(shared.counters.redisBytesWritten).toBeGreaterThan(0);
        expect(shared.counters.redisBytesRead).toBeGreaterThan(0);
      });
    }
  });

  describe('nothing is left behind', () => {
    it('close() after a failure mid-stream (no end, no dispose) deletes every key and ends the reads', async () => {
      const runId = newRunId();
      const prefix = runKeyPrefix(runId);
      const broker = await createRedisBroker(settingsOf({ type: 'redis-list', write: 'eval', read: 'from-index', connections: 'shared' }), {
        url,
        runId,
        clock: systemClock,
      });
      try {
        const streamIds = ['a', 'b', 'c', 'd'];
        const streams = await Promise.all(streamIds.map((streamId) => broker.openStream(streamId)));
        const readings = streams.map((stream) => stream.read(() => {}));
        await Promise.all(streams.map((stream, index) => stream.write(batchesOf(index)[0]!)));
        const keys = streamIds.map((streamId) => streamKeys(runId, streamId).responses).sort();
        expect(await keysUnder(inspector, prefix)).toEqual(keys);
        for (const key of keys) expect(await inspector.ttl(key)).toBeGreaterThan(0);
        expect(broker.liveKeys().sort()).toEqual(keys);

        await broker.close();
        for (const reading of readings) await expect(reading).rejects.toThrow(/disposed before its end item/);
        expect(broker.liveKeys()).toEqual([]);
        expect(await keysUnder(inspector, prefix)).toEqual([]);
      } finally {
        await broker.close();
      }
    });

    it('a stream disposed with writes in flight on the shared connection (an interrupted run), then written to: no key is made again', async () => {
      const runId = newRunId();
      const prefix = runKeyPrefix(runId);
      for (const write of ['fire-and-forget', 'eval'] as const) {
        const broker = await createRedisBroker(settingsOf({ type: 'redis-list', write, read: 'from-index', connections: 'shared' }), { url, runId, clock: systemClock });
        try {
          const stream = await broker.openStream(`interrupted-${write}`);
          const reading = stream.read(() => {});
          reading.catch(() => {});
          // Writes sent and not yet answered when the stream is disposed (the DEL must come after them)…
          const inFlight = batchesOf(0).map((batch) => stream.write(batch));
          for (const sent of inFlight) sent.catch(() => {});
          await stream.dispose();
          // …and a write after it (an aborted producer's next chunk) is refused, not sent.
          await expect(stream.write(['late'])).rejects.toThrow(/write\(\) on a disposed stream/);
          await expect(stream.end(END_ITEM)).rejects.toThrow(/end\(\) on a disposed stream/);
          await Promise.allSettled(inFlight);
          expect(await keysUnder(inspector, prefix)).toEqual([]);
        } finally {
          await broker.close();
        }
      }
      expect(await keysUnder(inspector, prefix)).toEqual([]);
    });

    it('producer and consumer sides on two shared brokers: exact delivery, and the consumer side deletes the list', async () => {
      const runId = newRunId();
      const settings = settingsOf({ type: 'redis-list', write: 'pipelined', read: 'window-catchup', window: 4, connections: 'shared' });
      const producerBroker = await createRedisBroker(settings, { url, runId, clock: systemClock });
      const consumerBroker = await createRedisBroker(settings, { url, runId, clock: systemClock });
      try {
        const consumers = await Promise.all(['x', 'y'].map((streamId) => consumerBroker.openStream(streamId, { role: 'consumer' })));
        const producers = await Promise.all(['x', 'y'].map((streamId) => producerBroker.openStream(streamId, { role: 'producer' })));
        const collectors = consumers.map(() => new Collector());
        const readings = consumers.map((consumer, index) => consumer.read(collectors[index]!.onItems));
        await Promise.all(
          producers.map(async (producer, index) => {
            for (const batch of batchesOf(index)) await producer.write(batch);
            await producer.end(END_ITEM);
          }),
        );
        await Promise.all(readings);
        collectors.forEach((collector, index) => expectExactDelivery(collector, batchesOf(index).flat()));
        for (const producer of producers) await producer.dispose();
        // The producer side forgets the list; the consumer side still owns it.
        expect(producerBroker.liveKeys()).toEqual([]);
        expect((await keysUnder(inspector, runKeyPrefix(runId))).length).toBe(2);
        for (const consumer of consumers) await consumer.dispose();
        expect(consumerBroker.liveKeys()).toEqual([]);
        expect(await keysUnder(inspector, runKeyPrefix(runId))).toEqual([]);
      } finally {
        await producerBroker.close();
        await consumerBroker.close();
      }
    });
  });

  describe('traffic in flight when a stream ends belongs to no stream, and is counted', () => {
    it('redis-pubsub: readers disposed mid-stream while their producers keep publishing', async () => {
      const runId = newRunId();
      const consumerBroker = await createRedisBroker(settingsOf({ type: 'redis-pubsub', connections: 'shared' }), { url, runId, clock: systemClock });
      const producerBroker = await createRedisBroker(settingsOf({ type: 'redis-pubsub', connections: 'per-stream' }), { url, runId, clock: systemClock });
      try {
        const streamIds = ['p0', 'p1', 'p2', 'p3'];
        const consumers = await Promise.all(streamIds.map((streamId) => consumerBroker.openStream(streamId, { role: 'consumer' })));
        const producers = await Promise.all(streamIds.map((streamId) => producerBroker.openStream(streamId, { role: 'producer' })));
        const collectors = consumers.map(() => new Collector());
        const readings = consumers.map((consumer, index) => consumer.read(collectors[index]!.onItems));
        for (const consumer of consumers) await consumer.readerJoined!();
        const items = Array.from({ length: 300 }, (_, index) => `late ${index} tökén 漢字 🙂`);
        // All 300 PUBLISHes of each producer leave at once; each reader leaves after its first item.
        const publishing = producers.map((producer) => producer.write(items));
        await Promise.all(
          consumers.map(async (consumer, index) => {
            await waitFor(() => collectors[index]!.items.length > 0, `stream ${index}'s first item`);
            await consumer.dispose();
          }),
        );
        await Promise.all(publishing);
        await Promise.all(producers.map((producer) => producer.end(END_ITEM)));
        for (const reading of readings) await expect(reading).rejects.toThrow(/disposed before its end item/);

        for (const [index, collector] of collectors.entries()) {
          // A prefix of the items, in order, without gaps; every message the stream counted was delivered.
          const count = collector.items.length;
          expect(collector.items.map((item) => item.position)).toEqual([...Array(count).keys()]);
          expect(collector.items.map((item) => item.payload)).toEqual(items.slice(0, count));
          expect(consumers[index]!.counters().redisSignalsReceived).toBe(count);
        }
        const unattributed = await expectSocketBytesAccountedFor(consumerBroker, consumers);
        // Written: exactly the UNSUBSCRIBEs. Read: their confirmations, plus any message already on its way.
        let unsubscribeWritten = 0;
        let confirmationsAtLeast = 0;
        for (const streamId of streamIds) {
          const { signalChannel, controlChannel } = streamKeys(runId, streamId);
          unsubscribeWritten += byteLength(commandWire('unsubscribe', signalChannel, controlChannel));
          // Counts are between 0 and 7: one digit whatever the order the readers left in.
          confirmationsAtLeast += byteLength(unsubscribeConfirmationWire(signalChannel, 0)) + byteLength(unsubscribeConfirmationWire(controlChannel, 0));
        }
        expect(unattributed.written).toBe(unsubscribeWritten);
        expect(unattributed.read).toBeGreaterThanOrEqual(confirmationsAtLeast);
      } finally {
        await consumerBroker.close();
        await producerBroker.close();
      }
    });

    it('redis-list: streams disposed while their reads are still behind', async () => {
      await withBroker(settingsOf({ type: 'redis-list', write: 'eval', read: 'window-catchup', window: 1, connections: 'shared' }), async (broker, runId) => {
        const streamIds = ['b0', 'b1', 'b2', 'b3'];
        const streams = await Promise.all(streamIds.map((streamId) => broker.openStream(streamId)));
        // Each list holds 34 items before its reader joins, then reads them one LRANGE at a time.
        await Promise.all(
          streams.map((stream, index) =>
            stream.write(
              batchesOf(index)
                .flat()
                .concat(batchesOf(index + 10).flat()),
            ),
          ),
        );
        const collectors = streams.map(() => new Collector());
        const readings = streams.map((stream, index) => stream.read(collectors[index]!.onItems));
        await Promise.all(
          streams.map(async (stream, index) => {
            await waitFor(() => collectors[index]!.items.length >= 3, `stream ${index}'s third item`);
            await stream.dispose();
          }),
        );
        for (const reading of readings) await expect(reading).rejects.toThrow(/disposed before its end item/);
        await expectSocketBytesAccountedFor(broker, streams);
        expect(broker.liveKeys()).toEqual([]);
        expect(await keysUnder(inspector, runKeyPrefix(runId))).toEqual([]);
      });
    });
  });

  describe('on a server of their own (CLIENT LIST and CLIENT KILL see only these connections)', () => {
    const own = privateRedisForTheseTests(url);

    async function sharedClientId(name: 'consumer' | 'subscriber'): Promise<string> {
      const clients = ((await own.inspector.client('LIST')) as string).split('\n');
      const matching = clients.filter((line) => line.includes(` name=streambench-shared-${name} `));
      expect(matching).toHaveLength(1);
      return /^id=(\d+)/.exec(matching[0]!)![1]!;
    }

    it('an EVALSHA answered NOSCRIPT (script cache flushed mid-stream) counts as on connections of its own, error reply included', async (context) => {
      if (own.server === null) context.skip(); // SCRIPT FLUSH on a server other tests use would change their counts
      const settings = { type: 'redis-list', write: 'eval', read: 'window-catchup', window: 4 };
      const flushAfterBatch2 = async (index: number) => {
        if (index === 2) await own.inspector.script('FLUSH');
      };
      const options = { url: own.url, inspector: own.inspector, afterBatch: flushAfterBatch2 };
      const perStream = await lockstep(settingsOf({ ...settings, connections: 'per-stream' }), options);
      const shared = await lockstep(settingsOf({ ...settings, connections: 'shared' }), options);
      // Batches 0-2: EVAL, EVALSHA, EVALSHA; batch 3: EVALSHA (NOSCRIPT) then EVAL; batch 4 and the end: EVALSHA.
      expect(perStream.byName).toMatchObject({ eval: 2, evalsha: 5 });
      expect(shared.byName).toEqual(perStream.byName);
      expect(shared.counters).toEqual(perStream.counters);
    });

    const cases: { input: Record<string, unknown>; kill: 'consumer' | 'subscriber'; readers: 'idle' | 'busy' }[] = [
      { input: { type: 'redis-list', write: 'eval', read: 'from-index' }, kill: 'consumer', readers: 'idle' },
      { input: { type: 'redis-list', write: 'awaited', read: 'window-catchup', window: 1 }, kill: 'consumer', readers: 'busy' },
      { input: { type: 'redis-list', write: 'fire-and-forget', read: 'window-catchup', window: 4 }, kill: 'subscriber', readers: 'idle' },
      { input: { type: 'redis-list', write: 'pipelined', read: 'window-catchup', window: 1 }, kill: 'subscriber', readers: 'busy' },
      { input: { type: 'redis-pubsub' }, kill: 'subscriber', readers: 'idle' },
    ];
    for (const { input, kill, readers } of cases) {
      it(`killing the shared ${kill} connection fails every open stream's read with a message, never a hang; the next stream reconnects: ${JSON.stringify(input)}, readers ${readers}`, async (context) => {
        if (own.server === null) context.skip(); // without redis-server on PATH, other connections may share these names
        const serverUrl = own.url;
        await withBroker(
          settingsOf({ ...input, connections: 'shared' }),
          async (broker, runId) => {
            const streamIds = ['k0', 'k1', 'k2', 'k3'];
            const streams = await Promise.all(streamIds.map((streamId) => broker.openStream(streamId)));
            const collectors = streams.map(() => new Collector());
            let readings: Promise<void>[];
            if (readers === 'idle') {
              readings = streams.map((stream, index) => stream.read(collectors[index]!.onItems));
              // Every reader is subscribed (the pub/sub write waits for it) and has read its first batch: idle now.
              for (const [index, stream] of streams.entries()) {
                const batch = batchesOf(index)[0]!;
                await stream.write(batch);
                await waitFor(() => collectors[index]!.items.length === batch.length, `stream ${index}'s first batch`);
              }
            } else {
              // 100 items wait in each list; the join reads fetch them one LRANGE at a time, still at it when the kill lands.
              for (const [index, stream] of streams.entries()) {
                await stream.write(Array.from({ length: 100 }, (_, item) => `k${index} item ${item} tökén 漢字 🙂`));
              }
              readings = streams.map((stream, index) => stream.read(collectors[index]!.onItems));
              await waitFor(() => collectors.every((collector) => collector.items.length >= 2), 'every reader under way');
            }
            await own.inspector.client('KILL', 'ID', await sharedClientId(kill));
            for (const reading of readings) {
              const error = (await reading.catch((caught: unknown) => caught)) as Error;
              expect(error).toBeInstanceOf(Error);
              expect(error.message).toBe(`Redis ${kill} connection to ${serverUrl} closed during the stream`);
            }
            for (const stream of streams) await stream.dispose();

            // The next streams open a new connection for the role.
            const next = await Promise.all(['n0', 'n1'].map((streamId) => broker.openStream(streamId)));
            const collected = await Promise.all(next.map((stream, index) => relayBatches(stream, batchesOf(index))));
            collected.forEach((collector, index) => expectExactDelivery(collector, batchesOf(index).flat()));
            await sharedClientId(kill); // exactly one again
            for (const stream of next) await stream.dispose();
            // The killed connection's bytes still count in the sockets' totals.
            await expectSocketBytesAccountedFor(broker, [...streams, ...next]);
            expect(broker.liveKeys()).toEqual([]);
            expect(await keysUnder(own.inspector, runKeyPrefix(runId))).toEqual([]);
          },
          serverUrl,
        );
      });
    }
  });

  describe('a Redis Cluster is refused', () => {
    let server: Server;
    let port = 0;
    const accepted: Socket[] = [];

    beforeAll(async () => {
      // Stands in for a cluster node: counts every connection attempt, answers nothing.
      server = createServer((socket) => {
        accepted.push(socket);
        socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    for (const input of [{ type: 'redis-list', write: 'eval', read: 'from-index' }, { type: 'redis-pubsub' }]) {
      for (const scheme of ['redis+cluster', 'rediss+cluster']) {
        it(`with a message naming connections: shared, before any connection attempt: ${input.type}, ${scheme}://`, async () => {
          const error = (await createRedisBroker(settingsOf({ ...input, connections: 'shared' }), {
            url: `${scheme}://127.0.0.1:${port}`,
            runId: newRunId(),
            clock: systemClock,
          }).catch((caught: unknown) => caught)) as Error;
          expect(error).toBeInstanceOf(RedisSetupError);
          expect(error.message).toContain('connections: shared');
          expect(error.message).toMatch(/needs a single Redis server, not a Redis Cluster/);
          // A connection attempt would have reached the listener by the time a PING on the real server returns.
          await inspector.ping();
          await new Promise((resolve) => setTimeout(resolve, 20));
          expect(accepted).toHaveLength(0);
        });
      }
    }
  });
});
