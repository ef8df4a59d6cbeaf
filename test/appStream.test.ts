import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { readAppStream } from '../src/target/appStream/readAppStream.js';
import type { AppFormat, AppRequest } from '../src/target/appStream/types.js';
import { type AppServer, recordingObserver, startAppServer, writeFrames } from './helpers/appServer.js';
import { firstOf, itemAt } from './helpers/indexed.js';

const servers: AppServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const WORDS = ['Hello', ', wor', 'ld', ' — ünïcode ✓', '!'];

/** A request for `format` to `url` with roomy deadlines. */
function requestFor(url: string, format: AppFormat, extra: Partial<AppRequest> = {}): AppRequest {
  return {
    url: `${url}/api/chat`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-secret-key' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
    format,
    resume: { mode: 'none' },
    timeouts: { connectMs: 2_000, firstByteMs: 2_000, idleMs: 2_000 },
    ...extra,
  };
}

/** Serves `frames` as an SSE body (one write each) with `headers`. */
async function sseApp(frames: string[], headers: Record<string, string> = {}): Promise<AppServer> {
  const server = await startAppServer(async (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    await writeFrames(response, frames);
    response.end();
  });
  servers.push(server);
  return server;
}

const sse = (data: unknown, extra = '') => `${extra}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
const bytes = (frames: string[]) => frames.reduce((sum, frame) => sum + Buffer.byteLength(frame), 0);

describe('readAppStream: openai-sse', () => {
  it('reads the content deltas exactly, with every event and byte counted', async () => {
    const frames = [
      sse({ choices: [{ index: 0, delta: { role: 'assistant' } }] }),
      ...WORDS.map((word) => sse({ choices: [{ index: 0, delta: { content: word } }] })),
      sse({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
      sse({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 5 } }),
      sse('[DONE]'),
    ];
    const server = await sseApp(frames);
    const { seen, observer } = recordingObserver();
    const summary = await readAppStream(requestFor(server.url, 'openai-sse'), systemClock, observer, new AbortController().signal);
    expect(seen.text()).toBe(WORDS.join(''));
    expect(seen.events).toHaveLength(frames.length);
    expect(seen.contentEvents()).toBe(WORDS.length);
    expect(seen.eventBytes()).toBe(bytes(frames));
    expect(summary).toMatchObject({ ending: 'done', status: 200, malformedEvents: 0, resumes: 0 });
    expect(summary.wireBytes).toBe(server.bytesWritten());
    expect(summary.wireBytes).toBeGreaterThan(bytes(frames)); // head and chunked framing on top
    expect(seen.connectedMs).toHaveLength(1);
    expect(seen.heads).toMatchObject([{ status: 200, headers: { 'content-type': 'text/event-stream' } }]);
    // One clock, in order: connected ≤ head ≤ first event ≤ … ≤ last event.
    const times = [firstOf(seen.connectedMs, 'seen.connectedMs'), firstOf(seen.heads, 'seen.heads').atMs, ...seen.events.map((event) => event.atMs)];
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/api/chat' });
    expect(JSON.parse(firstOf(server.requests, 'server.requests').body)).toEqual({ messages: [{ role: 'user', content: 'hi' }] });
  });

  it('splits events that share a chunk and joins events split across chunks, CRLF framing included', async () => {
    const all = WORDS.map((word) => sse({ choices: [{ delta: { content: word } }] }).replace(/\n/g, '\r\n')).join('') + 'data: [DONE]\r\n\r\n';
    // Chunks cut at arbitrary points, inside a multi-byte character and between \r and \n.
    const raw = Buffer.from(all);
    const cuts = [3, 40, 41, 97, raw.indexOf('ü') + 1, raw.indexOf('\r\n\r\n') + 1, raw.length];
    const server = await startAppServer(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      let from = 0;
      for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
        response.write(raw.subarray(from, cut));
        from = cut;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      response.end();
    });
    servers.push(server);
    const { seen, observer } = recordingObserver();
    const summary = await readAppStream(requestFor(server.url, 'openai-sse'), systemClock, observer, new AbortController().signal);
    expect(seen.text()).toBe(WORDS.join(''));
    expect(seen.events).toHaveLength(WORDS.length + 1);
    expect(seen.eventBytes()).toBe(raw.length);
    expect(summary).toMatchObject({ ending: 'done', malformedEvents: 0 });
  });

  it('stamps on the clock it is given', async () => {
    const server = await sseApp([sse({ choices: [{ delta: { content: 'Hi' } }] }), sse('[DONE]')]);
    const OFFSET_MS = 1e9;
    const shifted = { ...systemClock, nowMs: () => systemClock.nowMs() + OFFSET_MS };
    const { seen, observer } = recordingObserver();
    const before = systemClock.nowMs() + OFFSET_MS;
    await readAppStream(requestFor(server.url, 'openai-sse'), shifted, observer, new AbortController().signal);
    const after = systemClock.nowMs() + OFFSET_MS;
    for (const atMs of [seen.connectedMs[0], firstOf(seen.heads, 'seen.heads').atMs, ...seen.events.map((event) => event.atMs)]) {
      expect(atMs).toBeGreaterThanOrEqual(before);
      expect(atMs).toBeLessThanOrEqual(after);
    }
  });

  it('says closed-without-end-marker when the body ends before [DONE]', async () => {
    const server = await sseApp(WORDS.map((word) => sse({ choices: [{ delta: { content: word } }] })));
    const { seen, observer } = recordingObserver();
    const summary = await readAppStream(requestFor(server.url, 'openai-sse'), systemClock, observer, new AbortController().signal);
    expect(seen.text()).toBe(WORDS.join(''));
    expect(summary.ending).toBe('closed-without-end-marker');
  });
});

describe('readAppStream: ai-sdk-ui', () => {
  it('reads text-delta parts and counts the other parts as events without text', async () => {
    const frames = [
      sse({ type: 'start', messageId: 'msg-1' }),
      sse({ type: 'start-step' }),
      sse({ type: 'text-start', id: '0' }),
      ...WORDS.map((word) => sse({ type: 'text-delta', id: '0', delta: word })),
      sse({ type: 'text-end', id: '0' }),
      sse({ type: 'finish-step' }),
      sse({ type: 'finish' }),
      sse('[DONE]'),
    ];
    const server = await sseApp(frames, { 'x-vercel-ai-ui-message-stream': 'v1' });
    const { seen, observer } = recordingObserver();
    const summary = await readAppStream(requestFor(server.url, 'ai-sdk-ui'), systemClock, observer, new AbortController().signal);
    expect(seen.text()).toBe(WORDS.join(''));
    expect(seen.events).toHaveLength(frames.length);
    expect(seen.contentEvents()).toBe(WORDS.length);
    expect(seen.eventBytes()).toBe(bytes(frames));
    expect(summary).toMatchObject({ ending: 'done', status: 200, malformedEvents: 0 });
    expect(summary.wireBytes).toBe(server.bytesWritten());
    expect(firstOf(seen.heads, 'seen.heads').headers['x-vercel-ai-ui-message-stream']).toBe('v1');
  });

  it('counts malformed parts without failing when others parse, and passes heartbeat bytes on to the next event', async () => {
    const frames = [
      sse({ type: 'start' }),
      ': ping\n\n',
      sse({ type: 'text-delta', id: '0', delta: 'a' }),
      'data: {"type":"text-delta","id":"0","delta":\n\n',
      sse({ type: 'text-delta', id: '0', delta: 'b' }),
      sse({ type: 'finish' }),
    ];
    const server = await sseApp(frames);
    const { seen, observer } = recordingObserver();
    const summary = await readAppStream(requestFor(server.url, 'ai-sdk-ui'), systemClock, observer, new AbortController().signal);
    expect(seen.text()).toBe('ab');
    expect(seen.events).toHaveLength(5);
    expect(itemAt(seen.events, 1, 'seen.events').wireBytes).toBe(Buffer.byteLength(itemAt(frames, 1, 'frames') + itemAt(frames, 2, 'frames')));
    expect(seen.eventBytes()).toBe(bytes(frames));
    expect(summary).toMatchObject({ ending: 'done', malformedEvents: 1 });
  });
});
