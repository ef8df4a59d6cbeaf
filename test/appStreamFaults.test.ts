import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { readAppStream } from '../src/target/appStream/readAppStream.js';
import { AppStreamError, type AppFormat, type AppRequest } from '../src/target/appStream/types.js';
import { recordingObserver, startAppServer, writeFrames } from './helpers/appServer.js';

const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

const SECRET = 'sk-live-SECRET-do-not-echo';

function requestFor(url: string, format: AppFormat, extra: Partial<AppRequest> = {}): AppRequest {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}`, 'x-api-key': SECRET },
    body: '{"messages":[]}',
    format,
    resume: { mode: 'none' },
    timeouts: { connectMs: 2_000, firstByteMs: 2_000, idleMs: 2_000 },
    ...extra,
  };
}

/** The AppStreamError a read fails with (fails the test when it succeeds). */
async function failure(request: AppRequest, signal = new AbortController().signal): Promise<{ error: AppStreamError; seen: ReturnType<typeof recordingObserver>['seen'] }> {
  const { seen, observer } = recordingObserver();
  try {
    await readAppStream(request, systemClock, observer, signal);
  } catch (error) {
    expect(error).toBeInstanceOf(AppStreamError);
    expect((error as Error).message).not.toContain(SECRET);
    return { error: error as AppStreamError, seen };
  }
  throw new Error('expected the read to fail');
}

async function appWith(handler: Parameters<typeof startAppServer>[0]) {
  const server = await startAppServer(handler);
  stops.push(() => server.close());
  return server;
}

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('readAppStream faults', () => {
  it('unreachable: names the URL (without credentials or query) and the cause', async () => {
    const port = await closedPort();
    const { error, seen } = await failure(requestFor(`http://user:${SECRET}@127.0.0.1:${port}/api/chat?key=${SECRET}`, 'openai-sse'));
    expect(error.kind).toBe('unreachable');
    expect(error.message).toBe(`cannot reach the app at http://127.0.0.1:${port}/api/chat?…: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(seen.connectedMs).toEqual([]);
  });

  it('unreachable over WebSocket too', async () => {
    const port = await closedPort();
    const { error } = await failure(requestFor(`ws://127.0.0.1:${port}/chat`, 'websocket'));
    expect(error.kind).toBe('unreachable');
    expect(error.message).toMatch(/^cannot reach the app at ws:\/\/127\.0\.0\.1:\d+\/chat: .*ECONNREFUSED/);
  });

  it('a refused WebSocket upgrade: the status and the first bytes of the body', async () => {
    const server = await appWith((_request, response) => {
      response.writeHead(403, { 'content-type': 'text/plain' });
      response.end('forbidden: no session');
    });
    const url = server.url.replace('http:', 'ws:') + '/chat';
    const { error } = await failure(requestFor(url, 'websocket'));
    expect(error.kind).toBe('status');
    expect(error.message).toBe(`the app answered 403 to the WebSocket upgrade at ${url}, expected 101; the body begins: "forbidden: no session"`);
  });

  it('non-2xx: the status and the first bytes of the body, escaped', async () => {
    const server = await appWith((_request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end('{"error":"missing key"}\n' + 'x'.repeat(500));
    });
    const { error, seen } = await failure(requestFor(`${server.url}/api/chat`, 'ai-sdk-ui'));
    expect(error.kind).toBe('status');
    expect(error.message).toBe(
      `the app answered 401 to POST ${server.url}/api/chat, expected 2xx; the body begins: ${JSON.stringify(`{"error":"missing key"}\n${'x'.repeat(176)}`)} …`,
    );
    expect(seen.heads).toMatchObject([{ status: 401 }]);
  });

  it("events that parse but hold no text (another API's events, a misspelt text path) name --format and --text-path, not lost text", async () => {
    // AI SDK UI events read as OpenAI SSE: valid SSE and JSON, no choices[0].delta.content anywhere.
    const aiSdk = await appWith((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end('data: {"type":"text-delta","id":"0","delta":"Hello"}\n\ndata: {"type":"finish"}\n\ndata: [DONE]\n\n');
    });
    const { error } = await failure(requestFor(`${aiSdk.url}/api/chat`, 'openai-sse'));
    expect(error.kind).toBe('format');
    expect(error.message).toMatch(
      new RegExp(
        `^the answer from ${aiSdk.url}/api/chat parsed as format openai-sse, but none of its \\d+ events held text: check --format and --text-path \\(target\\.format, target\\.textPath\\) against what the app sends; the first bytes received: "data: \\{`,
      ),
    );
    const field = await appWith((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end('data: {"content":"Hello"}\n\ndata: {"content":" world"}\n\n');
    });
    const misspelt = await failure(requestFor(`${field.url}/api/chat`, 'sse', { textPath: 'contnet' }));
    expect(misspelt.error.message).toMatch(/parsed as format sse, but none of its 2 events held text at text path `contnet`: check --format and --text-path/);
  });

  it('a body that is not the format: names the expected format and shows the first bytes', async () => {
    const server = await appWith((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html>\n<html><body>Sign in</body></html>');
    });
    const { error } = await failure(requestFor(`${server.url}/api/chat`, 'openai-sse'));
    expect(error.kind).toBe('format');
    expect(error.message).toBe(
      `the answer from ${server.url}/api/chat does not parse as format openai-sse: expected SSE events ` +
        '`data: {"choices":[{"delta":{"content":"…"}}]}` ending with `data: [DONE]`; the first bytes received: ' +
        JSON.stringify('<!doctype html>\n<html><body>Sign in</body></html>'),
    );
  });

  it('a non-streaming JSON answer where SSE was expected is a format error, not an empty success', async () => {
    const server = await appWith((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"choices":[{"message":{"content":"Hello"}}]}');
    });
    const { error } = await failure(requestFor(`${server.url}/api/chat`, 'ai-sdk-ui'));
    expect(error.kind).toBe('format');
    expect(error.message).toContain('does not parse as format ai-sdk-ui');
  });

  it('SSE events of the wrong format (ai-sdk-ui parts read as openai-sse) are a format error', async () => {
    const server = await appWith(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeFrames(response, ['data: {"type":"text-delta","id":"0","delta":"Hi"}\n\n', 'data: not json\n\n']);
      response.end();
    });
    const { error } = await failure(requestFor(`${server.url}/api/chat`, 'ai-sdk-data'));
    expect(error.kind).toBe('format');
    expect(error.message).toContain('expected lines of data stream parts like `0:"text"`');
  });

  it('first-byte timeout: the app accepts the connection and never answers', async () => {
    const server = await appWith(() => {}); // never responds
    const { error, seen } = await failure(requestFor(`${server.url}/api/chat`, 'openai-sse', { timeouts: { connectMs: 1_000, firstByteMs: 150, idleMs: 1_000 } }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe(`${server.url}/api/chat accepted the connection but sent no response head within 150 ms (timeouts.firstByteMs)`);
    expect(seen.connectedMs).toHaveLength(1);
  });

  it('idle timeout: the stream stops mid-way; what arrived was passed on', async () => {
    const server = await appWith(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeFrames(response, ['data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n', 'data: {"choices":[{"delta":{"content":"lo"}}]}\n\n']);
      // … and nothing more
    });
    const { error, seen } = await failure(requestFor(`${server.url}/api/chat`, 'openai-sse', { timeouts: { connectMs: 1_000, firstByteMs: 1_000, idleMs: 150 } }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe(`${server.url}/api/chat sent nothing more after 2 content events within 150 ms (timeouts.idleMs)`);
    expect(seen.text()).toBe('Hello');
  });

  it('idle timeout over WebSocket', async () => {
    const { WebSocketServer } = await import('ws');
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (socket) => socket.send('Hi'));
    stops.push(() => new Promise((resolve) => (server.clients.forEach((client) => client.terminate()), server.close(resolve))));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const { error, seen } = await failure(requestFor(url, 'websocket', { timeouts: { connectMs: 1_000, firstByteMs: 1_000, idleMs: 150 } }));
    expect(error.message).toBe(`${url} sent no message after 1 content events within 150 ms (timeouts.idleMs)`);
    expect(seen.text()).toBe('Hi');
  });

  it('a connection cut mid-stream is kind closed, with the content events so far', async () => {
    const server = await appWith(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeFrames(response, ['data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n']);
      response.socket?.destroy();
    });
    const { error, seen } = await failure(requestFor(`${server.url}/api/chat`, 'openai-sse'));
    expect(error.kind).toBe('closed');
    expect(error.message).toMatch(new RegExp(`^the app at ${server.url}/api/chat closed the connection mid-stream after 1 content events \\(`));
    expect(seen.text()).toBe('Hel');
  });

  it('abort: the signal ends the read at once, kind aborted', async () => {
    const server = await appWith(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeFrames(response, ['data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n']);
    });
    const controller = new AbortController();
    const { seen, observer } = recordingObserver();
    const reading = readAppStream(requestFor(`${server.url}/api/chat`, 'openai-sse'), systemClock, observer, controller.signal);
    while (seen.events.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(reading).rejects.toMatchObject({ kind: 'aborted', message: `the read of ${server.url}/api/chat was aborted` });
  });

  it('a URL of the wrong scheme for the format says which one it needs', async () => {
    const read = (url: string, format: AppFormat) => readAppStream(requestFor(url, format), systemClock, recordingObserver().observer, new AbortController().signal);
    await expect(read('ws://127.0.0.1:1/chat', 'openai-sse')).rejects.toMatchObject({
      kind: 'unreachable',
      message: 'url ws://127.0.0.1:1/chat: format openai-sse needs an http:// or https:// URL (ws:// and wss:// go with format websocket)',
    });
    await expect(read('127.0.0.1:3000/api/chat', 'text')).rejects.toMatchObject({ message: expect.stringMatching(/^url .*: format text needs an http:\/\/ or https:\/\/ URL/) });
    await expect(read('http://127.0.0.1:1/chat', 'websocket')).rejects.toMatchObject({ message: 'url http://127.0.0.1:1/chat: format websocket needs a ws:// or wss:// URL' });
  });

  it('a malformed textPath is an error naming the field', async () => {
    await expect(
      readAppStream(requestFor('http://127.0.0.1:1/', 'sse', { textPath: 'a..b' }), systemClock, recordingObserver().observer, new AbortController().signal),
    ).rejects.toThrow(/^textPath: path "a\.\.b": empty segment/);
  });
});
