import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { readAppStream } from '../src/target/appStream/readAppStream.js';
import { AppStreamError, type AppFormat, type AppRequest, type AppResume } from '../src/target/appStream/types.js';
import { type AppServer, recordingObserver, startAppServer, writeFrames } from './helpers/appServer.js';
import { firstOf, itemAt } from './helpers/indexed.js';

const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

const WORDS = ['One', ' two', ' three', ' four', ' five', ' six', ' seven', ' eight'];
const TEXT = WORDS.join('');

function requestFor(url: string, format: AppFormat, resume: AppResume): AppRequest {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body: '{"messages":[{"role":"user","content":"count"}]}',
    format,
    resume,
    timeouts: { connectMs: 2_000, firstByteMs: 2_000, idleMs: 2_000 },
  };
}

async function appWith(handler: Parameters<typeof startAppServer>[0]): Promise<AppServer> {
  const server = await startAppServer(handler);
  stops.push(() => server.close());
  return server;
}

async function read(request: AppRequest) {
  const { seen, observer } = recordingObserver();
  const summary = await readAppStream(request, systemClock, observer, new AbortController().signal);
  return { seen, summary };
}

/** AI SDK UI parts with ids 0…: start, text-start, one text-delta per word, text-end, finish. */
const PARTS = [
  { type: 'start', messageId: 'msg-42' },
  { type: 'text-start', id: '0' },
  ...WORDS.map((delta) => ({ type: 'text-delta', id: '0', delta })),
  { type: 'text-end', id: '0' },
  { type: 'finish' },
];
const frame = (index: number) => `id: ${index}\ndata: ${JSON.stringify(PARTS[index])}\n\n`;

describe('readAppStream resume: Last-Event-ID', () => {
  it('reconnects with the same request and the last id; the text arrives once', async () => {
    const server = await appWith(async (request, response) => {
      const from = request.headers['last-event-id'] === undefined ? 0 : Number(request.headers['last-event-id']) + 1;
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-vercel-ai-ui-message-stream': 'v1' });
      await writeFrames(response, [...PARTS.keys()].slice(from).map(frame).concat('data: [DONE]\n\n'));
      response.end();
    });
    const { seen, summary } = await read(requestFor(`${server.url}/api/chat`, 'ai-sdk-ui', { mode: 'last-event-id', afterEvents: 3 }));
    expect(seen.text()).toBe(TEXT);
    expect(seen.contentEvents()).toBe(WORDS.length);
    expect(summary).toMatchObject({ ending: 'done', resumes: 1, resumeDuplicates: 0, malformedEvents: 0 });
    expect(server.requests).toHaveLength(2);
    // Parts 0 and 1 carry no text: the third content event is part 4.
    expect(server.requests[1]).toMatchObject({ method: 'POST', url: '/api/chat', headers: { 'last-event-id': '4', authorization: 'Bearer k' } });
    expect(itemAt(server.requests, 1, 'server.requests').body).toBe(firstOf(server.requests, 'server.requests').body);
    expect(seen.connectedMs).toHaveLength(1);
    expect(seen.heads).toHaveLength(1);
    // Both connections' bytes; what the server wrote after the drop may never have been read.
    expect(summary.wireBytes).toBeGreaterThan(seen.eventBytes());
    expect(summary.wireBytes).toBeLessThanOrEqual(server.bytesWritten());
  });

  it('goes to urlTemplate with the stream id from a header, as a GET without the body', async () => {
    const server = await appWith(async (request, response) => {
      const resumed = request.url.startsWith('/api/chat/');
      const from = resumed ? Number(request.headers['last-event-id']) + 1 : 0;
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-stream-id': 'chat 7' });
      await writeFrames(response, [...PARTS.keys()].slice(from).map(frame).concat('data: [DONE]\n\n'));
      response.end();
    });
    const resume: AppResume = { mode: 'last-event-id', afterEvents: 2, urlTemplate: '/api/chat/{streamId}/stream', streamIdFrom: { header: 'X-Stream-Id' } };
    const { seen, summary } = await read(requestFor(`${server.url}/api/chat`, 'ai-sdk-ui', resume));
    expect(seen.text()).toBe(TEXT);
    expect(summary.resumes).toBe(1);
    expect(server.requests[1]).toMatchObject({ method: 'GET', url: '/api/chat/chat%207/stream', body: '', headers: { 'last-event-id': '3' } });
    expect(itemAt(server.requests, 1, 'server.requests').headers['content-type']).toBeUndefined();
  });

  it('skips events whose id it already has when the app replays from the start, and counts them', async () => {
    const server = await appWith(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeFrames(response, [...PARTS.keys()].map(frame).concat('data: [DONE]\n\n'));
      response.end();
    });
    const { seen, summary } = await read(requestFor(`${server.url}/api/chat`, 'ai-sdk-ui', { mode: 'last-event-id', afterEvents: 3 }));
    expect(seen.text()).toBe(TEXT);
    expect(summary).toMatchObject({ resumes: 1, resumeDuplicates: 5 });
  });

  it('an app that sends no ids cannot be resumed this way: says so', async () => {
    const server = await appWith(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeFrames(
        response,
        PARTS.map((part) => `data: ${JSON.stringify(part)}\n\n`),
      );
      response.end();
    });
    const failure = read(requestFor(`${server.url}/api/chat`, 'ai-sdk-ui', { mode: 'last-event-id', afterEvents: 2 }));
    await expect(failure).rejects.toBeInstanceOf(AppStreamError);
    await expect(failure).rejects.toMatchObject({ kind: 'format', message: expect.stringMatching(/^resume\.mode last-event-id: the app sent no `id:` field/) });
  });
});

describe('readAppStream resume: URL with stream id and character offset', () => {
  /** Serves TEXT as ndjson lines of one word each; /resume/:id?offset=N serves the text from character N. */
  async function offsetApp(): Promise<AppServer> {
    return appWith(async (request, response) => {
      const url = new URL(request.url, 'http://x');
      const offset = url.pathname.startsWith('/resume/') ? Number(url.searchParams.get('offset')) : 0;
      response.writeHead(200, { 'content-type': 'application/x-ndjson', 'x-stream-id': 'ignored' });
      let at = 0;
      const lines = [JSON.stringify({ stream: 'run-9' }) + '\n'];
      for (const word of WORDS) {
        const rest = word.slice(Math.max(0, offset - at));
        if (at + word.length > offset) lines.push(`${JSON.stringify({ text: rest })}\n`);
        at += word.length;
      }
      await writeFrames(response, lines.concat('{"done":true}\n'));
      response.end();
    });
  }

  it('fills {streamId} from a JSON path and {offset} with the characters received', async () => {
    const server = await offsetApp();
    const resume: AppResume = { mode: 'url', afterEvents: 3, urlTemplate: '/resume/{streamId}?offset={offset}', streamIdFrom: { jsonPath: 'stream' } };
    const { seen, summary } = await read({ ...requestFor(`${server.url}/api/chat`, 'ndjson', resume), textPath: 'text', donePath: 'done' });
    expect(seen.text()).toBe(TEXT);
    expect(summary).toMatchObject({ ending: 'done', resumes: 1 });
    const offset = WORDS.slice(0, 3).join('').length;
    expect(server.requests[1]).toMatchObject({ method: 'GET', url: `/resume/run-9?offset=${offset}` });
  });

  it('fills {streamId} from a response header', async () => {
    const server = await offsetApp();
    const resume: AppResume = { mode: 'url', afterEvents: 1, urlTemplate: `${server.url}/resume/{streamId}?offset={offset}`, streamIdFrom: { header: 'x-stream-id' } };
    const { seen } = await read({ ...requestFor(`${server.url}/api/chat`, 'ndjson', resume), textPath: 'text', donePath: 'done' });
    expect(seen.text()).toBe(TEXT);
    expect(itemAt(server.requests, 1, 'server.requests').url).toBe(`/resume/ignored?offset=${firstOf(WORDS, 'WORDS').length}`);
  });

  it('says where the stream id was looked for when it is missing', async () => {
    const server = await offsetApp();
    const resume: AppResume = { mode: 'url', afterEvents: 1, urlTemplate: '/resume/{streamId}?offset={offset}', streamIdFrom: { header: 'x-run-id' } };
    await expect(read({ ...requestFor(`${server.url}/api/chat`, 'ndjson', resume), textPath: 'text' })).rejects.toMatchObject({
      kind: 'format',
      message: "resume.urlTemplate needs {streamId}, but the app's answer gave none (no response header x-run-id)",
    });
  });
});
