/**
 * The example relays (examples/*.mjs) run as child processes between the mock server (OpenAI
 * wire format) and the app-stream reader, with real Redis: the text arrives whole, the keys are
 * gone afterwards, and a private redis-server's INFO commandstats counts each relay's commands.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { STREAM_INDEX_HEADER, startMockServer, type RunningMockServer } from '../src/mock/mockServer.js';
import { resolveMockSettings } from '../src/mock/mockSettings.js';
import { readAppStream } from '../src/target/appStream/readAppStream.js';
import type { AppRequest } from '../src/target/appStream/types.js';
import { recordingObserver } from './helpers/appServer.js';
import { startExample, type RunningExample } from './helpers/exampleProcess.js';
import { privateRedisForTheseTests } from './helpers/privateRedis.js';
import { redisUrlForTests } from './helpers/redisUrl.js';
import { entryOf, firstOf, itemAt } from './helpers/indexed.js';

const sharedRedisUrl = await redisUrlForTests();
const describeRedis = sharedRedisUrl ? describe : describe.skip;

const running: Array<{ stop(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((item) => item.stop()));
});

const TIMEOUTS = { connectMs: 2_000, firstByteMs: 5_000, idleMs: 5_000 };

/** A mock model endpoint streaming `tokens` one-token chunks `gapMs` apart. */
async function mockUpstream(tokens: number, gapMs: number): Promise<RunningMockServer> {
  const server = await startMockServer({ settings: resolveMockSettings({ tokens, ttftMs: 10, gapMs }), seed: 7 });
  running.push({ stop: () => server.close() });
  return server;
}

/** Starts an example and registers it to be stopped. */
async function example(file: string, env: Record<string, string>, args: string[] = []): Promise<RunningExample> {
  const started = await startExample(file, env, args);
  running.push(started);
  return started;
}

/** A chat request to `url` read in `format`. */
function chatRequest(url: string, extra: Partial<AppRequest>): AppRequest {
  return {
    url: `${url}/api/chat`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Tell me about relays [sb-marker-1]' }] }),
    format: 'openai-sse',
    resume: { mode: 'none' },
    timeouts: TIMEOUTS,
    ...extra,
  };
}

/** Reads one answer, returning what the observer heard and the summary. */
async function read(request: AppRequest) {
  const { seen, observer } = recordingObserver();
  const summary = await readAppStream(request, systemClock, observer, new AbortController().signal);
  return { seen, summary };
}

/** What the mock streamed for its `index`-th request: read again directly, with the index header. */
async function upstreamAnswer(mock: RunningMockServer, index = 0) {
  const { seen } = await read({
    ...chatRequest(mock.url, { format: 'openai-sse' }),
    url: `${mock.baseUrl}/chat/completions`,
    headers: { 'content-type': 'application/json', [STREAM_INDEX_HEADER]: String(index) },
    body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'again' }] }),
  });
  return { text: seen.text(), chunks: seen.contentEvents() };
}

const FIELD_READ: Partial<AppRequest> = { format: 'sse', textPath: 'content@json.content', donePath: 'status' };

/** Keys under `prefix` on the Redis at `url`. */
async function keysUnder(url: string, prefix: string): Promise<string[]> {
  const redis = new Redis(url);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  } finally {
    redis.disconnect();
  }
}

describeRedis('example relays: the text arrives whole (shared Redis)', () => {
  const prefix = `sbtest:examples:${randomUUID()}:`;

  it('field-relay.mjs: JSON-in-JSON SSE read by the generic sse format, one event per token plus the status', async () => {
    const mock = await mockUpstream(40, 2);
    const relay = await example('field-relay.mjs', { OPENAI_BASE_URL: mock.baseUrl, REDIS_URL: sharedRedisUrl!, KEY_PREFIX: prefix });
    const { seen, summary } = await read(chatRequest(relay.url, FIELD_READ));
    const upstream = await upstreamAnswer(mock);
    expect(seen.text()).toBe(upstream.text);
    expect(seen.contentEvents()).toBe(upstream.chunks);
    expect(seen.events).toHaveLength(upstream.chunks + 1);
    expect(summary).toMatchObject({ ending: 'done', status: 200, malformedEvents: 0 });
    expect(await keysUnder(sharedRedisUrl!, prefix)).toEqual([]);
    expect(await relay.stop()).toBe(0);
  });

  it('corrected-relay.mjs: the AI SDK UI stream, fewer events than tokens, keys deleted', async () => {
    const mock = await mockUpstream(40, 2);
    const relay = await example('corrected-relay.mjs', { OPENAI_BASE_URL: mock.baseUrl, REDIS_URL: sharedRedisUrl!, KEY_PREFIX: prefix });
    const { seen, summary } = await read(chatRequest(relay.url, { format: 'ai-sdk-ui' }));
    const upstream = await upstreamAnswer(mock);
    expect(seen.text()).toBe(upstream.text);
    expect(seen.contentEvents()).toBeLessThan(upstream.chunks);
    expect(summary).toMatchObject({ ending: 'done', status: 200, malformedEvents: 0 });
    expect(firstOf(seen.heads, 'seen.heads').headers['x-vercel-ai-ui-message-stream']).toBe('v1');
    expect(await keysUnder(sharedRedisUrl!, prefix)).toEqual([]);
    expect(await relay.stop()).toBe(0);
  });

  it('corrected-relay.mjs: a dropped reader resumes with Last-Event-ID and gets the rest exactly once', async () => {
    // About 0.6 s: the drop comes after the first token, long before the relay could have delivered the whole answer.
    const mock = await mockUpstream(60, 10);
    const relay = await example('corrected-relay.mjs', { OPENAI_BASE_URL: mock.baseUrl, REDIS_URL: sharedRedisUrl!, KEY_PREFIX: prefix });
    const { seen, summary } = await read(
      chatRequest(relay.url, {
        format: 'ai-sdk-ui',
        resume: { mode: 'last-event-id', afterEvents: 1, urlTemplate: '/api/chat/{streamId}/stream', streamIdFrom: { header: 'x-stream-id' } },
      }),
    );
    const upstream = await upstreamAnswer(mock);
    expect(seen.text()).toBe(upstream.text);
    expect(summary).toMatchObject({ ending: 'done', resumes: 1, resumeDuplicates: 0 });
    expect(await keysUnder(sharedRedisUrl!, prefix)).toEqual([]);
  });
});

/** Reads until `contentEvents` content events arrived, then hangs up as a closed browser tab does. */
async function readThenHangUp(request: AppRequest, contentEvents: number): Promise<void> {
  const controller = new AbortController();
  const { seen, observer } = recordingObserver();
  const reading = readAppStream(
    request,
    systemClock,
    { ...observer, event: (atMs, text, wireBytes) => (observer.event(atMs, text, wireBytes), seen.contentEvents() >= contentEvents && controller.abort()) },
    controller.signal,
  );
  await expect(reading).rejects.toMatchObject({ kind: 'aborted' });
}

/** Waits (up to 10 s) until a list under `pattern` exists and its last item matches `last`; its key. */
async function untilLastItem(url: string, pattern: string, last: RegExp): Promise<string> {
  const redis = new Redis(url);
  try {
    for (let tries = 0; tries < 200; tries++) {
      const [key] = await keysUnder(url, pattern);
      if (key !== undefined && last.test((await redis.lrange(key, -1, -1))[0] ?? '')) return key;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no list under ${pattern} ended with ${last} within 10 s`);
  } finally {
    redis.disconnect();
  }
}

describeRedis('example relays: a reader that hangs up leaves the stream to its TTL (shared Redis)', () => {
  const cases = [
    { file: 'field-relay.mjs', read: FIELD_READ, last: /"type":"status"/ },
    { file: 'corrected-relay.mjs', read: { format: 'ai-sdk-ui' } as Partial<AppRequest>, last: /^\{"type":"finish"\}$/ },
  ];
  for (const { file, read: readAs, last } of cases) {
    it(`${file}: the producer finishes, the list keeps its TTL`, async () => {
      const prefix = `sbtest:examples:${randomUUID()}:`;
      // Slow enough (about 1 s) that the relay sees the hang-up long before the stream's end: a relay that wrote the
      // whole answer before it noticed has delivered it, as far as it can tell, and deletes the list.
      const mock = await mockUpstream(40, 25);
      const relay = await example(file, { OPENAI_BASE_URL: mock.baseUrl, REDIS_URL: sharedRedisUrl!, KEY_PREFIX: prefix });
      await readThenHangUp(chatRequest(relay.url, readAs), 2);
      const key = await untilLastItem(sharedRedisUrl!, prefix, last);
      const redis = new Redis(sharedRedisUrl!);
      try {
        const ttl = await redis.ttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(600);
        expect(await keysUnder(sharedRedisUrl!, prefix)).toEqual([key]);
        await redis.del(key);
      } finally {
        redis.disconnect();
      }
    });
  }
});

describe('proxy.mjs in front of the mock model endpoint', () => {
  /** Reads the mock's answer through the proxy started with `args`. */
  async function throughProxy(args: string[]) {
    const mock = await mockUpstream(30, 20);
    const proxy = await example('proxy.mjs', { TARGET_URL: mock.url }, args);
    const read1 = await read({
      ...chatRequest(proxy.url, { format: 'openai-sse' }),
      url: `${proxy.url}/v1/chat/completions`,
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const upstream = await upstreamAnswer(mock);
    expect(read1.seen.text()).toBe(upstream.text);
    expect(read1.summary.ending).toBe('done');
    const arrivals = new Set(read1.seen.events.filter((event) => event.text !== '').map((event) => event.atMs));
    return { arrivals: arrivals.size, chunks: upstream.chunks, exitCode: await proxy.stop() };
  }

  // 30 chunks 20 ms apart: streamed, they arrive at many moments (how many depends on the machine's load: chunks that
  // wait for a busy event loop arrive together — 5 ms apart, a loaded CI machine once delivered all 30 at one moment);
  // buffered, at one.
  it('streams through: the chunks arrive apart', async () => {
    const { arrivals, chunks, exitCode } = await throughProxy([]);
    expect(arrivals).toBeGreaterThan(1);
    expect(arrivals).toBeLessThanOrEqual(chunks);
    expect(exitCode).toBe(0);
  });

  it('--buffer: the whole answer arrives at once', async () => {
    const { arrivals } = await throughProxy(['--buffer']);
    expect(arrivals).toBe(1);
  });

  it('--delay-ms 5: still streams, the text whole', async () => {
    const { arrivals } = await throughProxy(['--delay-ms', '5']);
    expect(arrivals).toBeGreaterThan(1);
  });
});

/** INFO commandstats as calls per command. */
async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const calls: Record<string, number> = {};
  for (const match of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[itemAt(match, 1, 'cmdstat name')] = Number(match[2]);
  return calls;
}

/** The inspector's own calls, and connection handshakes (ioredis' HELLO on connect, QUIT on the relay's shutdown), not the relay's work per stream. */
const NOT_COUNTED = new Set(['info', 'dbsize', 'hello', 'quit', 'ping', 'select', 'auth']);

/** Calls per command between two readings, without NOT_COUNTED. */
function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, count] of Object.entries(after)) {
    const grown = count - (before[name] ?? 0);
    if (grown > 0 && !NOT_COUNTED.has(name) && !name.startsWith('client')) out[name] = grown;
  }
  return out;
}

const sum = (calls: Record<string, number>) => Object.values(calls).reduce((total, count) => total + count, 0);

describeRedis('example relays: Redis commands per token (private redis-server, INFO commandstats)', () => {
  const redis = privateRedisForTheseTests(sharedRedisUrl ?? 'redis://127.0.0.1:6379');
  // Counts are exact only on a server of our own: without redis-server on PATH these tests skip, except in CI.
  const noPrivateServer = () => {
    if (redis.server !== null) return false;
    if (process.env.CI === 'true') throw new Error('CI needs redis-server on PATH for the exact command counts');
    console.warn('Skipping the command-count tests: no redis-server on PATH');
    return true;
  };

  it('field-relay.mjs: RPUSH and PUBLISH per token, an LRANGE per signal: about 3 commands per token', async () => {
    if (noPrivateServer()) return;
    const mock = await mockUpstream(60, 3);
    const relay = await example('field-relay.mjs', { OPENAI_BASE_URL: mock.baseUrl, REDIS_URL: redis.url });
    const before = await commandCalls(redis.inspector);
    const { seen } = await read(chatRequest(relay.url, FIELD_READ));
    const calls = delta(before, await commandCalls(redis.inspector));
    const tokens = (await upstreamAnswer(mock)).chunks;
    expect(seen.contentEvents()).toBe(tokens);
    // One RPUSH per token and the status item; one PUBLISH per item and END_STREAM on the control channel.
    expect(calls.rpush).toBe(tokens + 1);
    expect(calls.publish).toBe(tokens + 2);
    // The first LRANGE 0 -1, then one per signal until the status item was read (signals still queued then are
    // dropped with the subscription, so a consumer that fell behind reads fewer times: ~3 per token when it keeps up).
    expect(calls.lrange).toBeGreaterThanOrEqual(2);
    expect(calls.lrange).toBeLessThanOrEqual(tokens + 2);
    expect(calls).toMatchObject({ expire: 1, del: 1, subscribe: 1 });
    expect(sum(calls) / tokens).toBeGreaterThan(2);
    console.log(`field relay: ${tokens} tokens, ${sum(calls)} commands: ${(sum(calls) / tokens).toFixed(3)} per token`, calls);
    expect(await redis.inspector.dbsize()).toBe(0);
  });

  it('corrected-relay.mjs: one EVALSHA (RPUSH + PUBLISH inside) per timer batch, catch-up reads once', async () => {
    if (noPrivateServer()) return;
    const mock = await mockUpstream(120, 2);
    const relay = await example('corrected-relay.mjs', { OPENAI_BASE_URL: mock.baseUrl, REDIS_URL: redis.url });
    const before = await commandCalls(redis.inspector);
    const { seen } = await read(chatRequest(relay.url, { format: 'ai-sdk-ui' }));
    const calls = delta(before, await commandCalls(redis.inspector));
    const tokens = (await upstreamAnswer(mock)).chunks;
    const batches = entryOf(calls, 'rpush', 'command calls');
    // Every batch is one script call (EVALSHA; EVAL once when the script was not loaded yet) that appends and publishes.
    expect((calls.evalsha ?? 0) + (calls.eval ?? 0)).toBe(batches);
    expect(calls.publish).toBe(batches);
    expect(calls).toMatchObject({ expire: 1, del: 1, subscribe: 1, unsubscribe: 1, lrange: 1 });
    // Text deltas come one part per batch (the first batch also holds start and text-start, the last text-end and finish).
    expect(seen.contentEvents()).toBeLessThanOrEqual(batches);
    expect(batches).toBeLessThan(tokens / 3);
    expect(await redis.inspector.dbsize()).toBe(0);
    console.log(`corrected relay: ${tokens} tokens, ${batches} batches, ${sum(calls)} commands: ${(sum(calls) / tokens).toFixed(3)} per token`, calls);
  });
});
