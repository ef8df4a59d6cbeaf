import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../src/clock.js';
import { STREAM_INDEX_HEADER, startMockServer } from '../src/mock/mockServer.js';
import { resolveMockSettings } from '../src/mock/mockSettings.js';
import { readAppStream } from '../src/target/appStream/readAppStream.js';
import { webSocketFrameHeaderBytes } from '../src/target/appStream/websocketAppStream.js';
import type { AppFormat, AppRequest } from '../src/target/appStream/types.js';
import { type AppServer, recordingObserver, startAppServer, writeFrames } from './helpers/appServer.js';

const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

const WORDS = ['Hello', ', wor', 'ld', ' — ünïcode ✓', '!'];
const TEXT = WORDS.join('');
const bytes = (frames: string[]) => frames.reduce((sum, frame) => sum + Buffer.byteLength(frame), 0);

function requestFor(url: string, format: AppFormat, extra: Partial<AppRequest> = {}): AppRequest {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"messages":[]}',
    format,
    resume: { mode: 'none' },
    timeouts: { connectMs: 2_000, firstByteMs: 2_000, idleMs: 2_000 },
    ...extra,
  };
}

/** Serves `frames`, one write each, with `contentType`. */
async function app(frames: string[], contentType: string): Promise<AppServer> {
  const server = await startAppServer(async (_request, response) => {
    response.writeHead(200, { 'content-type': contentType });
    await writeFrames(response, frames);
    response.end();
  });
  stops.push(() => server.close());
  return server;
}

async function read(request: AppRequest) {
  const { seen, observer } = recordingObserver();
  const summary = await readAppStream(request, systemClock, observer, new AbortController().signal);
  return { seen, summary };
}

describe('readAppStream: anthropic-sse', () => {
  it('reads the mock server’s Anthropic stream to the same text as its OpenAI stream', async () => {
    const mock = await startMockServer({ settings: resolveMockSettings({ tokens: 25, ttftMs: 5, gapMs: 1 }), seed: 3 });
    stops.push(() => mock.close());
    const headers = { 'content-type': 'application/json', [STREAM_INDEX_HEADER]: '0' };
    const anthropic = await read(
      requestFor(`${mock.baseUrl}/messages`, 'anthropic-sse', {
        headers,
        body: JSON.stringify({ model: 'm', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      }),
    );
    const openai = await read(
      requestFor(`${mock.baseUrl}/chat/completions`, 'openai-sse', {
        headers,
        body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      }),
    );
    expect(anthropic.seen.text()).toBe(openai.seen.text());
    expect(anthropic.seen.text().length).toBeGreaterThan(20);
    expect(anthropic.seen.contentEvents()).toBe(openai.seen.contentEvents());
    expect(anthropic.summary).toMatchObject({ ending: 'done', malformedEvents: 0 });
  });

  it('counts ping and block events as events without text', async () => {
    const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    const frames = [
      event('message_start', { type: 'message_start', message: { id: 'msg_1' } }),
      event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      event('ping', { type: 'ping' }),
      ...WORDS.map((word) => event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: word } })),
      event('content_block_stop', { type: 'content_block_stop', index: 0 }),
      event('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' } }),
      event('message_stop', { type: 'message_stop' }),
    ];
    const server = await app(frames, 'text/event-stream');
    const { seen, summary } = await read(requestFor(server.url, 'anthropic-sse'));
    expect(seen.text()).toBe(TEXT);
    expect(seen.events).toHaveLength(frames.length);
    expect(seen.eventBytes()).toBe(bytes(frames));
    expect(summary).toMatchObject({ ending: 'done', malformedEvents: 0 });
    expect(summary.wireBytes).toBe(server.bytesWritten());
  });
});

describe('readAppStream: errors the app reports inside its stream', () => {
  const cases: Array<[AppFormat, string[], string]> = [
    ['ai-sdk-ui', ['data: {"type":"start"}\n\n', 'data: {"type":"error","errorText":"upstream 429: rate limited"}\n\n'], 'upstream 429: rate limited'],
    ['ai-sdk-data', ['0:"Hi"\n', '3:"An error occurred."\n'], 'An error occurred.'],
    ['anthropic-sse', ['event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'], 'Overloaded'],
    ['openai-sse', ['data: {"error":{"message":"The server had an error","type":"server_error"}}\n\n'], 'The server had an error'],
  ];
  for (const [format, frames, message] of cases) {
    it(`${format}: the first error is in the summary`, async () => {
      const server = await app(frames, 'text/event-stream');
      const { summary } = await read(requestFor(server.url, format));
      expect(summary.appError).toBe(message);
      expect(summary.ending).toBe('closed-without-end-marker');
    });
  }
});

describe('readAppStream: a compressed answer', () => {
  it('gunzips a gzip body (events counted as decompressed, the total as received)', async () => {
    const { createGzip, constants } = await import('node:zlib');
    const frames = [...WORDS.map((word) => `data: ${JSON.stringify({ choices: [{ delta: { content: word } }] })}\n\n`), 'data: [DONE]\n\n'];
    const server = await startAppServer(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
      const gzip = createGzip();
      gzip.pipe(response);
      for (const frame of frames) {
        gzip.write(frame);
        await new Promise((resolve) => gzip.flush(constants.Z_SYNC_FLUSH, () => resolve(undefined)));
      }
      gzip.end();
    });
    stops.push(() => server.close());
    const { seen, summary } = await read(requestFor(server.url, 'openai-sse', { headers: { 'accept-encoding': 'gzip' } }));
    expect(seen.text()).toBe(TEXT);
    expect(seen.events).toHaveLength(frames.length);
    expect(seen.eventBytes()).toBe(bytes(frames));
    expect(summary).toMatchObject({ ending: 'done', malformedEvents: 0, wireBytes: server.bytesWritten() });
  });
});

describe('readAppStream: ai-sdk-data (the older data stream protocol)', () => {
  it('reads 0:"text" lines and ends at the d: part', async () => {
    const frames = [
      'f:{"messageId":"msg-1"}\n',
      ...WORDS.map((word) => `0:${JSON.stringify(word)}\n`),
      'e:{"finishReason":"stop","usage":{"promptTokens":3,"completionTokens":5},"isContinued":false}\n',
      'd:{"finishReason":"stop","usage":{"promptTokens":3,"completionTokens":5}}\n',
    ];
    const server = await app(frames, 'text/plain; charset=utf-8');
    const { seen, summary } = await read(requestFor(server.url, 'ai-sdk-data'));
    expect(seen.text()).toBe(TEXT);
    expect(seen.events).toHaveLength(frames.length);
    expect(seen.eventBytes()).toBe(bytes(frames));
    expect(summary).toMatchObject({ ending: 'done', malformedEvents: 0 });
  });
});

describe('readAppStream: generic sse with a text path', () => {
  it('descends into a JSON-encoded string with @json (the field relay’s JSON-in-JSON) and ends at donePath', async () => {
    const item = (content: string, sequence: number) =>
      `data: ${JSON.stringify({ sequence, type: 'assistant', content: JSON.stringify({ role: 'assistant', content }), metadata: '{"stream_status":"chunk"}' })}\n\n`;
    const frames = [...WORDS.map(item), `data: ${JSON.stringify({ type: 'status', status: 'completed' })}\n\n`];
    const server = await app(frames, 'text/event-stream');
    const { seen, summary } = await read(requestFor(server.url, 'sse', { textPath: 'content@json.content', donePath: 'status' }));
    expect(seen.text()).toBe(TEXT);
    expect(seen.events).toHaveLength(frames.length);
    expect(summary).toMatchObject({ ending: 'done', malformedEvents: 0 });
  });

  it('without a path, each event’s data is the text; a clean close ends it', async () => {
    const frames = WORDS.map((word) => `event: token\ndata: ${word}\n\n`);
    const server = await app(frames, 'text/event-stream');
    const { seen, summary } = await read(requestFor(server.url, 'sse'));
    expect(seen.text()).toBe(TEXT);
    expect(summary.ending).toBe('done');
  });

  it('says closed-without-end-marker when donePath never appeared', async () => {
    const server = await app(
      WORDS.map((word) => `data: ${JSON.stringify({ t: word })}\n\n`),
      'text/event-stream',
    );
    const { seen, summary } = await read(requestFor(server.url, 'sse', { textPath: 't', donePath: 'done' }));
    expect(seen.text()).toBe(TEXT);
    expect(summary.ending).toBe('closed-without-end-marker');
  });
});

describe('readAppStream: ndjson', () => {
  it('reads the text at the path, one event per line, blank lines’ bytes carried', async () => {
    const frames = [...WORDS.map((word) => `${JSON.stringify({ message: { content: word }, done: false })}\n`), '\n', '{"done":true,"stats":{}}\n'];
    const server = await app(frames, 'application/x-ndjson');
    const { seen, summary } = await read(requestFor(server.url, 'ndjson', { textPath: 'message.content' }));
    expect(seen.text()).toBe(TEXT);
    expect(seen.events).toHaveLength(WORDS.length + 1);
    expect(seen.eventBytes()).toBe(bytes(frames));
    expect(summary).toMatchObject({ ending: 'done', malformedEvents: 0 });
  });
});

describe('readAppStream: text', () => {
  it('takes every body chunk as content, bytes as received, a multi-byte character split across chunks included', async () => {
    const raw = Buffer.from(TEXT);
    const cut = raw.indexOf('ü') + 1;
    const server = await startAppServer(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      await writeFrames(response, [raw.subarray(0, 4), raw.subarray(4, cut), raw.subarray(cut)] as unknown as string[]);
      response.end();
    });
    stops.push(() => server.close());
    const { seen, summary } = await read(requestFor(server.url, 'text'));
    expect(seen.text()).toBe(TEXT);
    expect(seen.events).toHaveLength(3);
    expect(seen.eventBytes()).toBe(raw.length);
    expect(summary).toMatchObject({ ending: 'done', malformedEvents: 0, wireBytes: server.bytesWritten() });
  });
});

describe('readAppStream: websocket', () => {
  /** A ws server that answers the first message with `messages` and then closes. */
  async function wsApp(messages: string[], close = true) {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    const received: string[] = [];
    server.on('connection', (socket) => {
      // Not awaited by ws: the replies go out on their own timer; a throw still surfaces as an unhandled rejection, which fails the test run.
      socket.once('message', (data) => {
        void (async () => {
          received.push(String(data));
          for (const message of messages) {
            socket.send(message);
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
          if (close) socket.close(1000);
        })();
      });
    });
    stops.push(() => new Promise((resolve) => (server.clients.forEach((client) => client.terminate()), server.close(resolve))));
    return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/chat`, received };
  }

  it('sends the body as the first message and reads the text at the path until donePath', async () => {
    const messages = [...WORDS.map((word) => JSON.stringify({ type: 'token', data: { text: word } })), JSON.stringify({ type: 'end', done: true })];
    const server = await wsApp(messages, false);
    const { seen, summary } = await read(requestFor(server.url, 'websocket', { textPath: 'data.text', donePath: 'done', body: '{"prompt":"hi"}' }));
    expect(server.received).toEqual(['{"prompt":"hi"}']);
    expect(seen.text()).toBe(TEXT);
    expect(seen.events).toHaveLength(messages.length);
    expect(seen.eventBytes()).toBe(messages.reduce((sum, message) => sum + 2 + Buffer.byteLength(message), 0));
    expect(summary).toMatchObject({ ending: 'done', status: 101, malformedEvents: 0 });
    expect(seen.heads).toMatchObject([{ status: 101 }]);
    expect(summary.wireBytes).toBeGreaterThan(seen.eventBytes()); // the 101 head on top
  });

  it('takes whole messages as text without a path, and a normal close as the end', async () => {
    const server = await wsApp(WORDS);
    const { seen, summary } = await read(requestFor(server.url, 'websocket'));
    expect(seen.text()).toBe(TEXT);
    expect(summary.ending).toBe('done');
  });

  it('frame header sizes follow RFC 6455', () => {
    expect([0, 125, 126, 65_535, 65_536].map(webSocketFrameHeaderBytes)).toEqual([2, 2, 4, 4, 10]);
  });
});
