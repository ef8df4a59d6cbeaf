/**
 * The yardstick: a minimal hand-written Node relay doing the same work as streambench's
 * corrected relay (seed-corrected, shared connections, SSE), with nothing else — no traces,
 * no histograms, no counters. Per stream: a timer source on the planned schedule, timer
 * batches (5 tokens or 25 ms, the first chunk at once), one EVAL per batch (RPUSH + EXPIRE +
 * PUBLISH, END_STREAM on the last; awaited as streambench's `write: eval` producer awaits them,
 * see YardstickOptions.awaitWrites) on one shared auto-pipelined ioredis connection, one shared
 * subscriber, LRANGE catch-up reads of at most 10 items until a short read, SSE frames over
 * node:http to an undici client parsing with eventsource-parser, and the text checked at the end.
 *
 * What it keeps per stream is what the plan check needs: the source's worst lateness and the
 * client's first and last content arrival (time per output token).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createParser } from 'eventsource-parser';
import { Redis } from 'ioredis';
import { Agent, request } from 'undici';
import { monotonicNowMs } from '../../clock.js';
import { listenersFor, listenSpread } from '../../net/listenerSpread.js';
import type { SyntheticStreamPlan } from '../../sources/synthetic.js';

const BATCH_SIZE = 5;
const BATCH_TIMEOUT_MS = 25;
const READ_WINDOW = 10;
const KEY_TTL_SECONDS = 120;
const END_STREAM = 'END_STREAM';

// The same script as streambench's eval write mode (src/pipeline/brokers/redis/listScript.ts).
const PUSH_SCRIPT = `local length = redis.call('RPUSH', KEYS[1], unpack(ARGV, 6))
if ARGV[1] ~= '0' then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
redis.call('PUBLISH', ARGV[2], ARGV[4])
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[5]) end
return length`;

type PushCommand = (key: string, ttl: number, signal: string, control: string, message: string, end: string, ...items: string[]) => Promise<number>;

/** What one yardstick run measured. */
export interface YardstickOutcome {
  streams: number;
  failedStreams: number;
  failures: string[];
  deliveredTokens: number;
  durationMs: number;
  cpuUs: number;
  /** Time per output token at the client, per stream (ms). */
  tpotMs: number[];
  /** The source's worst lateness against its plan, per stream (ms). */
  sourceLagMaxMs: number[];
}

/** How to run the yardstick. */
export interface YardstickOptions {
  redisUrl: string;
  /** Key prefix (ends with ':'); every key written is under it and deleted at the end. */
  keyPrefix: string;
  plans: SyntheticStreamPlan[];
  rampMs: number;
  /** No stream may outlive this (ms after its start). */
  streamDeadlineMs: number;
  /**
   * The producer awaits its writes as streambench's `write: eval` producer does: a batch's EVAL
   * is sent once the one before it was acknowledged, and no chunk is taken while the latest
   * write is unacknowledged (the chunk waits, late against its plan: source lag). Off, writes
   * are pipelined and the source never waits for Redis.
   */
  awaitWrites: boolean;
}

interface RelayStream {
  list: string;
  signal: string;
  control: string;
  response: ServerResponse | null;
  /** Frames read before the client connected, sent when it does. */
  held: string[];
  next: number;
  reading: boolean;
  readAgain: boolean;
  ended: boolean;
  finished: boolean;
}

/** Runs every plan as one stream, started evenly over the ramp, and resolves when all ended. */
export async function runYardstick(options: YardstickOptions): Promise<YardstickOutcome> {
  const redis = new Redis(options.redisUrl, { enableAutoPipelining: true, lazyConnect: true, maxRetriesPerRequest: 1 });
  const subscriber = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await Promise.all([redis.connect(), subscriber.connect()]);
  redis.defineCommand('relayPush', { numberOfKeys: 1, lua: PUSH_SCRIPT });
  const push = (redis as unknown as { relayPush: PushCommand }).relayPush.bind(redis);

  const byChannel = new Map<string, RelayStream>();
  const relays = new Map<string, RelayStream>();

  const readPass = async (stream: RelayStream): Promise<void> => {
    if (stream.reading) {
      stream.readAgain = true;
      return;
    }
    stream.reading = true;
    try {
      do {
        stream.readAgain = false;
        for (;;) {
          const items = await redis.lrange(stream.list, stream.next, stream.next + READ_WINDOW - 1);
          for (const item of items) {
            const frame = `id: ${stream.next++}\ndata: ${item}\n\n`;
            if (stream.response) stream.response.write(frame);
            else stream.held.push(frame);
          }
          if (items.length < READ_WINDOW) break;
        }
      } while (stream.readAgain);
      if (stream.ended && !stream.finished) {
        stream.finished = true;
        stream.response?.end();
        byChannel.delete(stream.signal);
        byChannel.delete(stream.control);
        await subscriber.unsubscribe(stream.signal, stream.control);
      }
    } finally {
      stream.reading = false;
    }
  };

  subscriber.on('message', (channel: string, message: string) => {
    const stream = byChannel.get(channel);
    if (!stream) return;
    if (channel === stream.control && message === END_STREAM) stream.ended = true;
    void readPass(stream).catch((error) => stream.response?.destroy(error as Error));
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const stream = relays.get(req.url!.slice(3));
    if (!stream) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    stream.response = res;
    for (const frame of stream.held) res.write(frame);
    stream.held.length = 0;
    if (stream.finished) res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The same listening sockets as streambench's relay for this many streams: Node 20 accepts
  // one connection per socket per loop turn, and a hand-written relay would spread too.
  const spread = await listenSpread(server, listenersFor(options.plans.length) - 1);
  const origins = [`http://127.0.0.1:${(server.address() as AddressInfo).port}`, ...spread.origins];
  const agent = new Agent({ connections: null, pipelining: 0 });

  const outcome: YardstickOutcome = {
    streams: options.plans.length,
    failedStreams: 0,
    failures: [],
    deliveredTokens: 0,
    durationMs: 0,
    cpuUs: 0,
    tpotMs: [],
    sourceLagMaxMs: [],
  };

  const runOne = async (index: number, plan: SyntheticStreamPlan): Promise<void> => {
    const id = `${index}`;
    const base = `${options.keyPrefix}{${id}}:`;
    const stream: RelayStream = {
      list: `${base}l`,
      signal: `${base}n`,
      control: `${base}c`,
      response: null,
      held: [],
      next: 0,
      reading: false,
      readAgain: false,
      ended: false,
      finished: false,
    };
    relays.set(id, stream);
    // The relay reads from the start, whenever the client connects (as streambench's does):
    // subscribed before anything is written, so no signal is missed, and holding what it read.
    byChannel.set(stream.signal, stream);
    byChannel.set(stream.control, stream);
    await subscriber.subscribe(stream.signal, stream.control);
    // The joining catch-up read, as streambench's relay does one.
    void readPass(stream).catch(() => {});
    const startMs = monotonicNowMs();

    // The client: SSE over undici, parsed with eventsource-parser, text appended and checked.
    let text = '';
    let tokens = 0;
    let firstContentMs = 0;
    let lastContentMs = 0;
    let sawEnd = false;
    const tokensOf = new Map<number, number>();
    const client = (async () => {
      const response = await request(`${origins[index % origins.length]!}/s/${id}`, { dispatcher: agent, headers: { accept: 'text/event-stream' } });
      const parser = createParser({
        onEvent(event) {
          const message = JSON.parse(event.data) as { seq: number; type: string; text?: string };
          if (message.type === 'end') {
            sawEnd = true;
            return;
          }
          const now = monotonicNowMs();
          if (firstContentMs === 0) firstContentMs = now;
          lastContentMs = now;
          text += message.text;
          tokens += tokensOf.get(message.seq) ?? 0;
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of response.body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
    })();

    // The producer: timer source → timer batcher → one EVAL per batch.
    let seq = 0;
    let batch = '';
    let batchTokens = 0;
    let batchCount = 0;
    let batchTimer: ReturnType<typeof setTimeout> | null = null;
    let firstWrite = true;
    let lagMaxMs = 0;
    const writes: Promise<number>[] = [];
    // Awaiting writes: the latest one, which the next write and the next chunk wait for.
    let latestWrite: Promise<number> | null = null;
    const write = (items: string[], ends: boolean) => {
      const ttl = firstWrite ? KEY_TTL_SECONDS : 0;
      const send = () => push(stream.list, ttl, stream.signal, ends ? stream.control : '', 'new', END_STREAM, ...items);
      const sent = options.awaitWrites && latestWrite !== null ? latestWrite.then(send) : send();
      if (options.awaitWrites) latestWrite = sent;
      writes.push(sent);
      firstWrite = false;
    };
    const flush = () => {
      if (batchTimer !== null) clearTimeout(batchTimer);
      batchTimer = null;
      if (batchCount === 0) return;
      tokensOf.set(seq, batchTokens);
      write([JSON.stringify({ seq, type: 'content', text: batch })], false);
      seq++;
      batch = '';
      batchTokens = 0;
      batchCount = 0;
    };
    const producer = new Promise<void>((resolve) => {
      let index = 0;
      const emit = () => {
        const now = monotonicNowMs();
        const chunk = plan.chunks[index];
        const dueMs = startMs + (plan.offsetsMs[index] ?? 0);
        if (chunk === undefined) throw new Error(`yardstick: stream ${seq} has no chunk ${index} (an empty plan)`);
        if (dueMs - now >= 1) {
          setTimeout(emit, dueMs - now);
          return;
        }
        lagMaxMs = Math.max(lagMaxMs, now - dueMs);
        index++;
        if (chunk.text.length > 0) {
          batch += chunk.text;
          batchTokens += chunk.tokens;
          batchCount++;
          if (seq === 0 && batchCount === 1)
            flush(); // the first chunk goes at once
          else if (batchCount >= BATCH_SIZE) flush();
          else batchTimer ??= setTimeout(flush, BATCH_TIMEOUT_MS);
        }
        if (index < plan.chunks.length) {
          const next = () => setTimeout(emit, startMs + (plan.offsetsMs[index] ?? 0) - monotonicNowMs());
          // After an acknowledgement, a chunk already due goes at once, as streambench's source steps on.
          const afterWrite = () => (startMs + (plan.offsetsMs[index] ?? 0) - monotonicNowMs() >= 1 ? next() : emit());
          if (latestWrite !== null) latestWrite.then(afterWrite, afterWrite);
          else next();
          return;
        }
        flush();
        write([JSON.stringify({ seq, type: 'end' })], true);
        resolve();
      };
      setTimeout(emit, plan.offsetsMs[0]);
    });

    let deadline: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.all([producer.then(() => Promise.all(writes)), client]),
        new Promise((_, reject) => (deadline = setTimeout(() => reject(new Error(`not done within ${options.streamDeadlineMs} ms`)), options.streamDeadlineMs))),
      ]);
      const sent = plan.chunks.map((chunk) => chunk.text).join('');
      if (!sawEnd || text !== sent) throw new Error(`text differs from what was sent (${text.length} of ${sent.length} characters, end ${sawEnd ? 'seen' : 'missing'})`);
      outcome.deliveredTokens += tokens;
      outcome.tpotMs.push(tokens > 1 ? (lastContentMs - firstContentMs) / (tokens - 1) : 0);
      outcome.sourceLagMaxMs.push(lagMaxMs);
    } catch (error) {
      outcome.failedStreams++;
      if (outcome.failures.length < 3) outcome.failures.push(`stream ${index}: ${(error as Error).message}`);
      stream.response?.destroy();
    } finally {
      clearTimeout(deadline);
      relays.delete(id);
    }
  };

  const cpuAtStart = process.cpuUsage();
  const startedMs = monotonicNowMs();
  const runs: Promise<void>[] = [];
  const spacingMs = options.plans.length > 1 ? options.rampMs / (options.plans.length - 1) : 0;
  await new Promise<void>((resolve) => {
    let next = 0;
    const startDue = () => {
      const elapsedMs = monotonicNowMs() - startedMs;
      for (let plan = options.plans[next]; plan !== undefined && next * spacingMs <= elapsedMs; plan = options.plans[next]) runs.push(runOne(next++, plan));
      if (next < options.plans.length) setTimeout(startDue, next * spacingMs - elapsedMs);
      else resolve();
    };
    startDue();
  });
  await Promise.all(runs);
  const cpu = process.cpuUsage(cpuAtStart);
  outcome.durationMs = monotonicNowMs() - startedMs;
  outcome.cpuUs = cpu.user + cpu.system;

  // Cleanup: every key this run wrote, then the connections and the server.
  for (let start = 0; start < options.plans.length; start += 500) {
    const keys = [];
    for (let index = start; index < Math.min(options.plans.length, start + 500); index++) keys.push(`${options.keyPrefix}{${index}}:l`);
    await redis.unlink(...keys);
  }
  await agent.close();
  await Promise.all([spread.close(), new Promise<void>((resolve) => server.close(() => resolve()))]);
  redis.disconnect();
  subscriber.disconnect();
  return outcome;
}
