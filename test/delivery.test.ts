import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ManualClock, systemClock, type Clock } from '../src/clock.js';
import { createDelivery } from '../src/pipeline/delivery/createDelivery.js';
import { deliverySettingsSchema, type ReconnectSettings } from '../src/pipeline/delivery/settings.js';
import type { NetworkDelivery, NetworkDeliveryChannel } from '../src/pipeline/delivery/relayDelivery.js';
import { createSseDelivery } from '../src/pipeline/delivery/sse.js';
import { formatSseEvent } from '../src/pipeline/delivery/sseFrames.js';
import { createWebSocketDelivery } from '../src/pipeline/delivery/websocket.js';
import type { Delivery } from '../src/pipeline/types.js';

const opened: Delivery[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((delivery) => delivery.close()));
});

async function sse(overrides: Record<string, unknown> = {}, clock: Clock = systemClock): Promise<NetworkDelivery> {
  const settings = deliverySettingsSchema.parse({ type: 'sse', ...overrides });
  if (settings.type !== 'sse') throw new Error('unreachable');
  const delivery = await createSseDelivery(settings, clock);
  opened.push(delivery);
  return delivery;
}

async function websocket(overrides: Record<string, unknown> = {}): Promise<NetworkDelivery> {
  const settings = deliverySettingsSchema.parse({ type: 'websocket', ...overrides });
  if (settings.type !== 'websocket') throw new Error('unreachable');
  const delivery = await createWebSocketDelivery(settings, systemClock);
  opened.push(delivery);
  return delivery;
}

/** Opens a stream on `delivery`, sends `events` (data, seq = index), ends it; returns what the client got. */
async function roundTrip(delivery: NetworkDelivery, events: string[], streamId = 's1') {
  const received: string[] = [];
  const channel: NetworkDeliveryChannel = await delivery.open(streamId, (data) => received.push(data));
  events.forEach((data, seq) => channel.send(data, seq));
  await channel.end();
  return { received, counters: channel.counters() };
}

/** A raw TCP client: writes `request`, collects every byte until `complete(bytes)` says so, then hangs up. */
function rawCapture(origin: string, request: string, headComplete: string, complete: (bytes: Buffer) => boolean) {
  const { hostname, port } = new URL(origin);
  const socket: Socket = connect(Number(port), hostname, () => socket.write(request));
  let bytes = Buffer.alloc(0);
  let markHead!: () => void;
  const head = new Promise<void>((resolve) => (markHead = resolve));
  const all = new Promise<Buffer>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      if (bytes.includes(headComplete)) markHead();
      if (complete(bytes)) {
        socket.destroy();
        resolve(bytes);
      }
    });
  });
  return { head, all };
}

/** Sequence numbers carried inside event data shaped like `{"seq":n,...}`. */
const seqsOf = (received: string[]) => received.map((data) => (JSON.parse(data) as { seq: number }).seq);

/** Counts TCP handles (servers and sockets) the process holds open. */
const openTcpHandles = () => process.getActiveResourcesInfo().filter((name) => name.startsWith('TCP')).length;

const TEXTS = [
  '{"seq":0,"text":"Hello"}',
  'line one\nline two\n\nline four', // multi-line: several data: lines, an empty one among them
  'héllo wörld — 日本語 🚀 ∑', // non-ASCII, an astral code point
  '', // an empty event still dispatches (one empty data: line)
  ' leading space and trailing \t',
  'x'.repeat(40_000) + '🚀'.repeat(10_000) + 'é', // spans many reads; multi-byte chars split across chunks
];

describe('settings', () => {
  it('defaults to the field: bare data lines, no heartbeat, no compression, no reconnect', () => {
    expect(deliverySettingsSchema.parse({ type: 'sse' })).toEqual({
      type: 'sse',
      ids: false,
      eventName: null,
      heartbeatMs: null,
      compression: false,
    });
    expect(deliverySettingsSchema.parse({ type: 'websocket' })).toEqual({ type: 'websocket', perMessageDeflate: false });
    expect(deliverySettingsSchema.parse({ type: 'sse', reconnect: { afterEvents: 3 } })).toMatchObject({
      reconnect: { afterEvents: 3, resume: false },
    });
  });

  it('rejects unknown fields and bad values', () => {
    expect(() => deliverySettingsSchema.parse({ type: 'sse', idz: true })).toThrow();
    expect(() => deliverySettingsSchema.parse({ type: 'sse', compression: 'br' })).toThrow();
    expect(() => deliverySettingsSchema.parse({ type: 'sse', eventName: 'a\nb' })).toThrow();
    expect(() => deliverySettingsSchema.parse({ type: 'websocket', reconnect: { afterEvents: 0 } })).toThrow();
    expect(() => deliverySettingsSchema.parse({ type: 'carrier-pigeon' })).toThrow();
  });

  it('createDelivery builds each kind', async () => {
    for (const type of ['direct', 'sse', 'websocket'] as const) {
      const delivery = await createDelivery(deliverySettingsSchema.parse({ type }), { clock: systemClock });
      opened.push(delivery);
      expect(delivery.kind).toBe(type);
    }
  });
});

describe('SSE frames', () => {
  it('writes id, event and one data line per line of data', () => {
    expect(formatSseEvent('{"a":1}', 7, { ids: false, eventName: null })).toBe('data: {"a":1}\n\n');
    expect(formatSseEvent('a\nb\r\nc\rd', 7, { ids: true, eventName: 'token' })).toBe('id: 7\nevent: token\ndata: a\ndata: b\ndata: c\ndata: d\n\n');
  });
});

describe.each([
  ['sse', () => sse()],
  ['sse with ids, event names, gzip', () => sse({ ids: true, eventName: 'token', compression: 'gzip' })],
  ['websocket', () => websocket()],
  ['websocket with permessage-deflate', () => websocket({ perMessageDeflate: true })],
])('%s delivers exact text', (_name, make) => {
  it('in order, once each, with first byte before first event', async () => {
    const { received, counters } = await roundTrip(await make(), TEXTS);
    expect(received).toEqual(TEXTS);
    expect(counters.events).toBe(TEXTS.length);
    expect(counters.reconnects).toBe(0);
    expect(counters.heartbeats).toBe(0);
    expect(counters.firstByteAtMs).not.toBeNull();
    expect(counters.firstEventAtMs).not.toBeNull();
    expect(counters.firstByteAtMs!).toBeLessThanOrEqual(counters.firstEventAtMs!);
  });

  it('serves several streams at once, each its own', async () => {
    const delivery = await make();
    const results = await Promise.all(['a', 'b', 'c'].map((id) => roundTrip(delivery, [`${id}0`, `${id}1`, `${id}2`], `stream ${id}/é`)));
    expect(results.map((result) => result.received)).toEqual([
      ['a0', 'a1', 'a2'],
      ['b0', 'b1', 'b2'],
      ['c0', 'c1', 'c2'],
    ]);
  });
});

describe('bytes on the wire (hand count)', () => {
  const events = ['{"seq":0,"text":"Hi"}', '{"seq":1,"text":"é\\n✓"}', '{"seq":2,"end":true}'];
  const DATE = 'Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n'; // RFC 7231 dates are fixed-width

  it.each([
    ['the field’s bare frames', { ids: false, eventName: null }],
    ['ids and event names', { ids: true, eventName: 'message' }],
  ])('SSE with %s: client count = head + chunked frames, byte for byte', async (_name, frameOptions) => {
    const delivery = await sse(frameOptions);
    const channel = await delivery.open('s1', () => {});
    const raw = rawCapture(delivery.origin, 'GET /streams/s1 HTTP/1.1\r\nhost: relay\r\n\r\n', '\r\n\r\n', (bytes) => bytes.toString('latin1').endsWith('\r\n0\r\n\r\n'));
    await raw.head;
    events.forEach((data, seq) => channel.send(data, seq));
    await channel.end();

    const frames = [...events.map((data, seq) => (frameOptions.ids ? `id: ${seq}\nevent: message\ndata: ${data}\n\n` : `data: ${data}\n\n`))];
    const expectedWire =
      'HTTP/1.1 200 OK\r\n' +
      'content-type: text/event-stream\r\n' +
      'cache-control: no-cache\r\n' +
      'connection: keep-alive\r\n' +
      'x-accel-buffering: no\r\n' +
      DATE +
      'Transfer-Encoding: chunked\r\n' +
      '\r\n' +
      frames.map((frame) => `${Buffer.byteLength(frame).toString(16)}\r\n${frame}\r\n`).join('') +
      '0\r\n\r\n';
    const captured = (await raw.all).toString('utf8').replace(/Date: [^\r]*\r\n/, DATE);
    expect(captured).toBe(expectedWire);
    expect(channel.counters().bytes).toBe(Buffer.byteLength(expectedWire));
    expect(channel.counters().events).toBe(3);
  });

  it('WebSocket: client count = upgrade response + frames + close frame, byte for byte', async () => {
    const delivery = await websocket();
    const channel = await delivery.open('s1', () => {});
    // RFC 6455's sample key, so the accept value is known.
    const request =
      'GET /streams/s1 HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
    const closeFrame = Buffer.from([0x88, 0x02, 0x03, 0xe8]); // FIN+close, 2-byte payload: code 1000
    const raw = rawCapture(delivery.origin, request, '\r\n\r\n', (bytes) => bytes.subarray(-4).equals(closeFrame));
    await raw.head;
    events.forEach((data, seq) => channel.send(data, seq));
    await channel.end();

    const head = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' + 'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';
    const textFrame = (data: string) => {
      const payload = Buffer.from(data);
      return Buffer.concat([Buffer.from([0x81, payload.length]), payload]); // FIN+text, unmasked, length < 126
    };
    const expectedWire = Buffer.concat([Buffer.from(head), ...events.map(textFrame), closeFrame]);
    expect((await raw.all).equals(expectedWire)).toBe(true);
    // The client's own upgrade has a random key, but its accept value is as long (28 chars).
    expect(channel.counters().bytes).toBe(expectedWire.length);
  });

  it('gzip shrinks a repetitive SSE stream and still counts the wire', async () => {
    const repetitive = Array.from({ length: 50 }, (_, seq) => JSON.stringify({ seq, type: 'assistant', text: 'token ' }));
    const plain = await roundTrip(await sse(), repetitive);
    const gzipped = await roundTrip(await sse({ compression: 'gzip' }), repetitive);
    expect(gzipped.received).toEqual(repetitive);
    expect(gzipped.counters.bytes).toBeLessThan(plain.counters.bytes);
  });

  it('permessage-deflate shrinks a repetitive WebSocket stream and still counts the wire', async () => {
    const repetitive = Array.from({ length: 50 }, (_, seq) => JSON.stringify({ seq, type: 'assistant', text: 'token ' }));
    const plain = await roundTrip(await websocket(), repetitive);
    const deflated = await roundTrip(await websocket({ perMessageDeflate: true }), repetitive);
    expect(deflated.received).toEqual(repetitive);
    expect(deflated.counters.bytes).toBeLessThan(plain.counters.bytes);
  });
});

describe('SSE heartbeats', () => {
  it('arrive as comments and are not events', async () => {
    const clock = new ManualClock();
    const delivery = await sse({ heartbeatMs: 15_000 }, clock);
    const received: string[] = [];
    const channel = await delivery.open('s1', (data) => received.push(data));
    clock.advance(15_000);
    clock.advance(15_000);
    channel.send('{"seq":0}', 0);
    clock.advance(15_000);
    channel.send('{"seq":1}', 1);
    await channel.end();

    expect(received).toEqual(['{"seq":0}', '{"seq":1}']);
    expect(channel.counters()).toMatchObject({ events: 2, heartbeats: 3 });
    expect(clock.pendingTimers()).toBe(0); // the heartbeat stops with the stream
  });
});

describe.each([
  ['sse', (reconnect: ReconnectSettings, ids: boolean) => sse({ ids, reconnect })],
  ['websocket', (reconnect: ReconnectSettings, ids: boolean) => websocket({ reconnect: ids ? reconnect : { ...reconnect, resume: false } })],
])('%s reconnect after 3 events', (_name, make) => {
  const TOTAL = 10;

  /** Sends one event per event the client first sees (the stream runs live across the drop). */
  async function pingPong(delivery: NetworkDelivery) {
    const received: string[] = [];
    let nextSeq = 0;
    let markLast!: () => void;
    const lastSeen = new Promise<void>((resolve) => (markLast = resolve));
    const channel: NetworkDeliveryChannel = await delivery.open('s1', (data) => {
      received.push(data);
      const seq = (JSON.parse(data) as { seq: number }).seq;
      if (seq === nextSeq - 1 && nextSeq < TOTAL) send();
      else if (seq === TOTAL - 1) markLast();
    });
    const send = () => {
      channel.send(JSON.stringify({ seq: nextSeq, text: `t${nextSeq}` }), nextSeq);
      nextSeq++;
    };
    send();
    await lastSeen;
    await channel.end();
    return { received, counters: channel.counters() };
  }

  /** Sends the whole stream before the client reads it: the replay comes from the relay's memory. */
  async function burst(delivery: NetworkDelivery) {
    const events = Array.from({ length: TOTAL }, (_, seq) => JSON.stringify({ seq }));
    return roundTrip(delivery, events);
  }

  it.each([
    ['live', pingPong],
    ['burst', burst],
  ])('%s: resuming gets every event exactly once', async (_mode, drive) => {
    const { received, counters } = await drive(await make({ afterEvents: 3, resume: true }, true));
    expect(seqsOf(received)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(counters).toMatchObject({ events: TOTAL, reconnects: 1 });
  });

  it.each([
    ['live', pingPong],
    ['burst', burst],
  ])('%s: replay from the start gets exactly 3 duplicates', async (_mode, drive) => {
    const { received, counters } = await drive(await make({ afterEvents: 3, resume: false }, false));
    expect(seqsOf(received)).toEqual([0, 1, 2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(counters).toMatchObject({ events: TOTAL + 3, reconnects: 1 });
  });

  it('bytes include both connections', async () => {
    const withoutDrop = await burst(await make({ afterEvents: TOTAL + 1, resume: false }, false));
    const withDrop = await burst(await make({ afterEvents: 3, resume: false }, false));
    expect(withoutDrop.counters.reconnects).toBe(0);
    // The second connection replays the whole stream, byte for byte what a single connection gets.
    expect(withDrop.counters.bytes).toBeGreaterThan(withoutDrop.counters.bytes);
  });
});

describe('SSE resume needs ids', () => {
  it('with resume asked but no ids on the wire, the client has nothing to resume from and gets duplicates', async () => {
    const events = Array.from({ length: 5 }, (_, seq) => JSON.stringify({ seq }));
    const { received } = await roundTrip(await sse({ ids: false, reconnect: { afterEvents: 2, resume: true } }), events);
    expect(seqsOf(received)).toEqual([0, 1, 0, 1, 2, 3, 4]);
  });

  it('with ids but no resume, the field client replays from the start', async () => {
    const events = Array.from({ length: 5 }, (_, seq) => JSON.stringify({ seq }));
    const { received } = await roundTrip(await sse({ ids: true, reconnect: { afterEvents: 2, resume: false } }), events);
    expect(seqsOf(received)).toEqual([0, 1, 0, 1, 2, 3, 4]);
  });
});

describe('close()', () => {
  it.each([
    ['sse', () => sse({ heartbeatMs: 60_000 })],
    ['websocket', () => websocket()],
  ])('%s leaves no open TCP handles, even with a stream still running', async (_name, make) => {
    const before = openTcpHandles();
    const delivery = await make();
    const finished = await delivery.open('done', () => {});
    finished.send('{"seq":0}', 0);
    await finished.end();
    const running = await delivery.open('running', () => {});
    running.send('{"seq":0}', 0);
    expect(openTcpHandles()).toBeGreaterThan(before);

    await delivery.close();
    opened.splice(opened.indexOf(delivery), 1);
    expect(openTcpHandles()).toBe(before);
    await expect(running.end()).rejects.toThrow();
  });

  it('rejects a second stream with the same id', async () => {
    const delivery = await sse();
    await delivery.open('same', () => {});
    await expect(delivery.open('same', () => {})).rejects.toThrow(/already open/);
  });
});

describe('SSE for a browser page (a remote client)', () => {
  it('hands the stream URL to the remote client, answers its CORS preflight and streams to its POST', async () => {
    const delivery = await sse();
    let url = '';
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const channel = await delivery.open(
      'page',
      () => {
        throw new Error('no Node client: the remote client reads the stream');
      },
      {
        connect(target) {
          url = target;
          const counters = () => ({ events: 0, bytes: 0, firstByteAtMs: null, firstEventAtMs: null, reconnects: 0, heartbeats: 0 });
          return { connected: Promise.resolve(), done, counters, abort: async () => finish() };
        },
      },
    );
    expect(url).toBe(`${delivery.origin}/streams/page`);
    const origin = 'http://127.0.0.1:1';
    const preflight = await request(url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(origin);
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, POST');
    await preflight.body.dump();

    const response = await request(url, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{"messages":[]}' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(origin);
    channel.send('{"seq":0}', 0);
    const ending = channel.end();
    expect(await response.body.text()).toBe('data: {"seq":0}\n\n');
    finish();
    await ending;
  });

  it('refuses a remote client on direct delivery: it has no URL', async () => {
    const direct = await createDelivery({ type: 'direct' }, { clock: systemClock });
    await expect(
      direct.open('s', () => {}, {
        connect: () => {
          throw new Error('unreachable');
        },
      }),
    ).rejects.toThrow(/delivery\.type sse or websocket/);
  });
});
