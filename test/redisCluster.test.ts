/**
 * The Redis brokers against a local three-master Redis Cluster (started here from
 * redis-server and `redis-cli --cluster create`), plus the cluster URL form, the hash slot
 * function and the error paths, which need no server.
 */
import { randomBytes } from 'node:crypto';
import keySlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { createRedisBroker, type RedisBroker } from '../src/pipeline/brokers/redis/broker.js';
import { isClusterUrl, parseClusterUrl } from '../src/pipeline/brokers/redis/clusterUrl.js';
import { redactUrl, resolveRedis, RedisSetupError } from '../src/pipeline/brokers/redis/connection.js';
import { runKeyPrefix, streamKeys } from '../src/pipeline/brokers/redis/keys.js';
import { startPrivateRedisServer, type PrivateRedisServer } from '../src/pipeline/brokers/redis/privateServer.js';
import { redisBrokerSettingsSchema, type RedisBrokerSettings } from '../src/pipeline/brokers/redis/settings.js';
import type { RedisBrokerStream } from '../src/pipeline/brokers/redis/streamBase.js';
import type { BrokerCounters, BrokerItem } from '../src/pipeline/types.js';
import { runScenario } from '../src/run/runScenario.js';
import { loadScenarioFile } from '../src/scenario/loadScenario.js';
import { contentItems, waitFor } from './helpers/brokerItems.js';
import { startLocalCluster } from './helpers/redisCluster.js';

const END_ITEM = '{"type":"status","status":"completed"}';

function settingsOf(input: Record<string, unknown>): RedisBrokerSettings {
  return redisBrokerSettingsSchema.parse(input);
}

/** Run ids of one fixed length, so key names (and so byte counts) match between runs. */
function newRunId(): string {
  return `cluster-test-${randomBytes(6).toString('hex')}`;
}

/** Everything a reader got, in order. */
function collect(): { items: BrokerItem[]; onItems: (items: BrokerItem[]) => void } {
  const items: BrokerItem[] = [];
  return { items, onItems: (batch) => items.push(...batch) };
}

function expectExactDelivery(items: readonly BrokerItem[], written: readonly string[]): void {
  expect(items.map((item) => item.position)).toEqual([...written.keys(), written.length]);
  expect(items.map((item) => item.payload)).toEqual([...written, END_ITEM]);
}

describe('redis+cluster:// URLs', () => {
  it('parses the startup nodes, credentials and TLS', () => {
    expect(parseClusterUrl('redis+cluster://127.0.0.1:7000,127.0.0.1:7001,[::1]:7002,node-d')).toEqual({
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: '127.0.0.1', port: 7001 },
        { host: '::1', port: 7002 },
        { host: 'node-d', port: 6379 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
    expect(parseClusterUrl('rediss+cluster://app:p%40ss@h1:7000/')).toEqual({
      nodes: [{ host: 'h1', port: 7000 }],
      username: 'app',
      password: 'p@ss',
      tls: true,
    });
    expect(parseClusterUrl('redis+cluster://:s3cret@h1:7000,h2:7001/0').password).toBe('s3cret');
    expect(isClusterUrl('REDIS+CLUSTER://h:1')).toBe(true);
    expect(isClusterUrl('redis://h:1')).toBe(false);
  });

  it('a malformed cluster URL is refused with the form to use, before any connection', async () => {
    await expect(resolveRedis('redis+cluster://:hunter2@h1:7000/1')).rejects.toThrow(
      'Not a usable Redis Cluster URL: redis+cluster://:***@h1:7000/1 (a Redis Cluster has only database 0: remove "/1"); ' +
        'the form is redis+cluster://[[user]:password@]host:port[,host:port...] (rediss+cluster:// for TLS).',
    );
  });

  it('refuses a database, an empty host list and a bad port, never naming the password', () => {
    expect(() => parseClusterUrl('redis+cluster://h1:7000/2')).toThrow('a Redis Cluster has only database 0: remove "/2"');
    expect(() => parseClusterUrl('redis+cluster://:pw@')).toThrow('name at least one node');
    expect(() => parseClusterUrl('redis+cluster://h1:99999')).toThrow('port 99999 is out of range');
    expect(() => parseClusterUrl('redis+cluster://:hunter2@h1:x')).toThrow('"h1:x" is not host:port');
  });

  it('redacts the password of a host list', () => {
    expect(redactUrl('redis+cluster://:s3cret@h1:7000,h2:7001')).toBe('redis+cluster://:***@h1:7000,h2:7001');
    expect(redactUrl('rediss+cluster://app:p@ss@h1:7000')).toBe('rediss+cluster://app:***@h1:7000');
    expect(redactUrl('redis+cluster://h1:7000,h2:7001')).toBe('redis+cluster://h1:7000,h2:7001');
  });

  it('an unreachable cluster gives a clear error with the redacted URL and no stack trace', async () => {
    const url = 'redis+cluster://:hunter2-secret@127.0.0.1:1,127.0.0.1:2';
    for (const attempt of [() => resolveRedis(url), () => createRedisBroker(settingsOf({ type: 'redis-list' }), { url, runId: newRunId(), clock: systemClock })]) {
      const error = (await attempt().catch((caught: unknown) => caught)) as Error;
      expect(error).toBeInstanceOf(RedisSetupError);
      const text = `${error.message} ${error.stack}`;
      expect(text).not.toContain('hunter2-secret');
      expect(error.message).toContain('Cannot connect to the Redis Cluster at redis+cluster://:***@127.0.0.1:1,127.0.0.1:2 (');
      expect(error.message).toContain('ECONNREFUSED');
      expect(text).not.toMatch(/\n\s+at /);
    }
  });

  it('--redis accepts the cluster form and names it when refusing a value', async () => {
    await expect(resolveRedis('cluster://h:1')).rejects.toThrow(
      '--redis must be a redis:// or rediss:// URL, a redis+cluster://host:port[,host:port...] URL, "auto", "private" or "off"; got "cluster://h:1".',
    );
  });
});

describe('keySlot (cluster-key-slot, as ioredis routes)', () => {
  it('computes the slots of the cluster specification', () => {
    // CRC16/XMODEM check value of "123456789" is 0x31C3 = 12739.
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    // An empty tag hashes the whole name (13694 is CRC16 of "a{}b"). The package differs from the
    // server for an empty tag followed by another ("foo{}{bar}"): streamKeys refuses braces in ids, so
    // streambench's keys never have that shape.
    expect(keySlot('a{}b')).toBe(13694);
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'));
    expect(keySlot(streamKeys('run', 'stream-1').responses)).toBe(keySlot('stream-1'));
  });

  it('stream names refuse braces and empty ids, which would move or empty the hash tag', () => {
    expect(() => streamKeys('run', '')).toThrow(/streamId must be non-empty/);
    expect(() => streamKeys('run', '}x')).toThrow(/without \{ or \}/);
    expect(() => streamKeys('r{u}n', 's')).toThrow(/runId must not contain/);
    expect(streamKeys('run', 's1')).toEqual({
      responses: 'streambench:run:{s1}:responses',
      signalChannel: 'streambench:run:{s1}:new_response',
      controlChannel: 'streambench:run:{s1}:control',
    });
  });
});

const cluster = await startLocalCluster();
afterAll(async () => {
  await cluster?.stop();
});

describe.skipIf(cluster === null)('Redis brokers on a three-master cluster', () => {
  // Collected even when skipped: no property access on a missing cluster here.
  const url = cluster?.url ?? '';
  /** One plain connection per master, to look at what each node holds. */
  let masters: Redis[];
  /** The port of the master serving each slot range, from CLUSTER SLOTS. */
  let slotOwners: { from: number; to: number; port: number }[];

  beforeAll(async () => {
    masters = cluster!.ports.map((port) => new Redis({ port, host: '127.0.0.1', lazyConnect: true }));
    await Promise.all(masters.map((master) => master.connect()));
    const slots = (await masters[0]!.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
    slotOwners = slots.map(([from, to, [, port]]) => ({ from, to, port }));
  });
  afterAll(() => masters?.forEach((master) => master.disconnect()));

  function portServing(slot: number): number {
    return slotOwners.find((range) => slot >= range.from && slot <= range.to)!.port;
  }

  /** Keys under a run's prefix, on every master. */
  async function keysOfRun(runId: string): Promise<string[]> {
    const perNode = await Promise.all(masters.map((master) => master.keys(`${runKeyPrefix(runId)}*`)));
    return perNode.flat().sort();
  }

  // Stream ids whose slots fall on all three masters (checked below), so every broker family
  // runs streams on different nodes at once.
  const streamIds = ['s0', 's1', 's2', 's3', 's4', 's5'];

  it('resolveRedis accepts the cluster and refuses a single-server URL to one of its nodes', async () => {
    const resolution = await resolveRedis(url);
    expect(resolution).toMatchObject({ url, redactedUrl: url });
    const nodeUrl = `redis://127.0.0.1:${cluster!.ports[0]}`;
    const error = (await resolveRedis(nodeUrl).catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(RedisSetupError);
    expect(error.message).toBe(
      `Redis at ${nodeUrl} is a node of a Redis Cluster: a single connection would get MOVED for keys on other nodes. ` +
        `Use --redis redis+cluster://127.0.0.1:${cluster!.ports[0]}`,
    );
  });

  it("all names of a stream hash to one slot (CLUSTER KEYSLOT), and the test's streams cover every master", async () => {
    const keys = streamIds.map((streamId) => streamKeys('run-1', streamId));
    const ports = new Set<number>();
    for (const { responses, signalChannel, controlChannel } of keys) {
      const slots = await Promise.all([responses, signalChannel, controlChannel].map((name) => masters[0]!.cluster('KEYSLOT', name)));
      expect(new Set(slots).size).toBe(1);
      expect(slots[0]).toBe(keySlot(responses));
      ports.add(portServing(keySlot(responses)));
    }
    expect([...ports].sort()).toEqual([...cluster!.ports].sort());
  });

  describe('every broker family delivers exactly the items written, in order, on streams spread over the nodes', () => {
    const items = contentItems(200);
    const cases: Record<string, unknown>[] = [
      // The field's data path: fire-and-forget RPUSH + PUBLISH, re-read from the last index.
      { type: 'redis-list', write: 'fire-and-forget', read: 'from-index' },
      { type: 'redis-list', write: 'eval', read: 'window-catchup', window: 7 },
      { type: 'redis-list', write: 'pipelined', read: 'window-catchup' },
      { type: 'redis-stream', count: 16 },
      { type: 'redis-pubsub' },
    ];
    for (const input of cases) {
      it(JSON.stringify(input), async () => {
        const runId = newRunId();
        const broker = await createRedisBroker(settingsOf(input), { url, runId, clock: systemClock });
        try {
          const streams = await Promise.all(streamIds.map((streamId) => broker.openStream(streamId)));
          const results = await Promise.all(
            streams.map(async (stream) => {
              const reader = collect();
              const reading = stream.read(reader.onItems);
              for (const item of items) {
                const write = stream.write([item]);
                if (stream.awaitWrites) await write;
              }
              await stream.end(END_ITEM);
              await reading;
              return reader.items;
            }),
          );
          for (const received of results) expectExactDelivery(received, items);

          // Before dispose: each stored stream's key is on the node that serves its slot.
          if (input.type !== 'redis-pubsub') {
            const expectedKeys = streamIds.map((streamId) => streamKeys(runId, streamId).responses);
            expect(await keysOfRun(runId)).toEqual([...expectedKeys].sort());
            for (const key of expectedKeys) {
              const owner = masters[cluster!.ports.indexOf(portServing(keySlot(key)))]!;
              expect(await owner.exists(key)).toBe(1);
              expect(await owner.ttl(key)).toBeGreaterThan(0);
            }
          }
          await Promise.all(streams.map((stream) => stream.dispose()));
          expect(await keysOfRun(runId)).toEqual([]);
          expect(broker.liveKeys()).toEqual([]);
        } finally {
          await broker.close();
        }
      });
    }
  });

  describe('counters are exact: a lockstep stream counts the same on the cluster as on one server', () => {
    // Lockstep (see test/redis.test.ts): the reader is in place first, then each item is written
    // only once the previous one was delivered, so every count is determined. Key names have the
    // same length on both, and PUBLISH answers 0 or 1 (one digit) on both, so bytes match too.
    let single: PrivateRedisServer | null = null;
    beforeAll(async () => {
      single = await startPrivateRedisServer();
    });
    afterAll(async () => {
      await single?.stop();
    });

    async function lockstep(brokerUrl: string, settings: RedisBrokerSettings, subscribers: (channel: string) => Promise<number>) {
      const runId = newRunId();
      const broker: RedisBroker = await createRedisBroker(settings, { url: brokerUrl, runId, clock: systemClock });
      try {
        const stream: RedisBrokerStream = await broker.openStream('s2');
        const items = contentItems(100);
        const reader = collect();
        let first = 0;
        if (settings.type === 'redis-list') {
          // Item 0 before the reader joins, so the join read returns exactly it; otherwise the
          // join LRANGE races the first RPUSH and its range (one digit more or less) varies.
          await stream.write([items[0]!]);
          first = 1;
        }
        const reading = stream.read(reader.onItems);
        if (settings.type === 'redis-list') {
          await waitFor(() => reader.items.length === 1, 'the join read');
        } else if (settings.type === 'redis-pubsub') {
          await waitFor(async () => (await subscribers(streamKeys(runId, 's2').signalChannel)) === 1, 'the SUBSCRIBE');
        } else {
          await waitFor(() => (stream.commandsByName().xread ?? 0) === 1, 'the first XREAD');
        }
        for (const [index, item] of items.entries()) {
          if (index < first) continue;
          await stream.write([item]);
          await waitFor(() => reader.items.length === index + 1, `item ${index}`);
        }
        await stream.end(END_ITEM);
        await reading;
        expectExactDelivery(reader.items, items);
        const result = { counters: stream.counters(), byName: stream.commandsByName() };
        await stream.dispose();
        return result;
      } finally {
        await broker.close();
      }
    }

    it('a single server given as a cluster URL is refused with a hint', async (context) => {
      if (single === null) context.skip();
      const port = new URL(single!.url).port;
      await expect(resolveRedis(`redis+cluster://127.0.0.1:${port}`)).rejects.toThrow(
        `Cannot connect to the Redis Cluster at redis+cluster://127.0.0.1:${port} ` +
          `(127.0.0.1:${port}: ERR This instance has cluster support disabled (a single server: use --redis redis://host:port)).`,
      );
    });

    const cases: { settings: Record<string, unknown>; bytesMatch: boolean }[] = [
      { settings: { type: 'redis-list', write: 'fire-and-forget', read: 'from-index' }, bytesMatch: true },
      { settings: { type: 'redis-list', write: 'pipelined', read: 'window-catchup' }, bytesMatch: true },
      { settings: { type: 'redis-list', write: 'eval', read: 'window' }, bytesMatch: true },
      { settings: { type: 'redis-pubsub' }, bytesMatch: true },
      // Entry ids (time-sequence) vary in length from run to run: commands and round trips only.
      { settings: { type: 'redis-stream' }, bytesMatch: false },
    ];
    for (const { settings, bytesMatch } of cases) {
      it(JSON.stringify(settings), async (context) => {
        if (single === null) context.skip();
        const singleInspector = new Redis(single!.url, { lazyConnect: true });
        await singleInspector.connect();
        try {
          const onOne = await lockstep(single!.url, settingsOf(settings), async (channel) => Number((await singleInspector.pubsub('NUMSUB', channel))[1]));
          // Non-sharded pub/sub counts subscribers per node: ask the node that holds the stream.
          const onCluster = await lockstep(url, settingsOf(settings), async (channel) => {
            const owner = masters[cluster!.ports.indexOf(portServing(keySlot(channel)))]!;
            return Number((await owner.pubsub('NUMSUB', channel))[1]);
          });
          expect(onCluster.byName).toEqual(onOne.byName);
          const comparable = (counters: BrokerCounters) => (bytesMatch ? counters : { ...counters, redisBytesWritten: 0, redisBytesRead: 0 });
          expect(comparable(onCluster.counters)).toEqual(comparable(onOne.counters));
          expect(onCluster.counters.redisBytesWritten).toBeGreaterThan(0);
          expect(onCluster.counters.redisBytesRead).toBeGreaterThan(0);
        } finally {
          singleInspector.disconnect();
        }
      });
    }
  });

  it('runs every preset scenario through the cluster with exact text and leaves no key behind', async () => {
    const document = await runScenario(await loadScenarioFile('test/fixtures/redis-presets.yaml'), { redis: url });
    expect(document.configs.map((config) => [config.name, config.state, config.message])).toEqual([
      ['field-baseline', 'completed', undefined],
      ['seed-proposed', 'completed', undefined],
      ['seed-corrected', 'completed', undefined],
      ['stream', 'completed', undefined],
    ]);
    expect(await keysOfRun(document.runId)).toEqual([]);
  });

  it('after a failure mid-stream, close() deletes the keys of streams on every node', async () => {
    const runId = newRunId();
    const broker = await createRedisBroker(settingsOf({ type: 'redis-list', write: 'awaited' }), { url, runId, clock: systemClock });
    const streams = await Promise.all(streamIds.map((streamId) => broker.openStream(streamId)));
    const readings = streams.map((stream) => stream.read(() => {}));
    for (const stream of streams) for (const item of contentItems(10)) await stream.write([item]);
    expect((await keysOfRun(runId)).length).toBe(streamIds.length);

    // The run fails here: no end(), no dispose(); the runner's error path calls close().
    await broker.close();
    for (const reading of readings) await expect(reading).rejects.toThrow(/disposed before its end item/);
    expect(await keysOfRun(runId)).toEqual([]);
    expect(broker.liveKeys()).toEqual([]);
  });
});
