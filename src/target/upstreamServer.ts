/**
 * The upstream of target mode: an OpenAI-compatible (`POST /v1/chat/completions`) and
 * Anthropic (`POST /v1/messages`) streaming endpoint the user's app calls as its model. Its
 * streams come from the scenario's source (synthetic profile or replayed trace), in the
 * providers' wire formats (the mock server's encoders), and it stamps, on the tool's one
 * clock, the moment each chunk was handed to the socket. Each request is tied to the client
 * stream that caused it by the marker in the forwarded body (markerMatching.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenForOrigin } from '../net/loopbackServer.js';
import type { Clock } from '../clock.js';
import { anthropicErrorBody, anthropicWire } from '../mock/anthropicWire.js';
import { readBody, sendJson } from '../mock/httpMessages.js';
import { openAiChatWire, openAiErrorBody } from '../mock/openaiWire.js';
import type { ResponseWire } from '../mock/wire.js';
import type { TokenSource } from '../sources/types.js';
import type { MarkerRegistry } from './markerMatching.js';
import type { MatchMethod } from '../stats/targetSample.js';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

type Api = 'openai-chat' | 'anthropic';
const ROUTES: Record<string, Api> = { '/v1/chat/completions': 'openai-chat', '/v1/messages': 'anthropic' };

/** One chunk the upstream wrote for a stream. */
export interface UpstreamWrite {
  text: string;
  tokens: number;
  /** When the chunk's frame was handed to the socket. */
  writeMs: number;
}

/** What the upstream recorded about one client stream's upstream request. */
export class UpstreamStreamRecord {
  /** When the app's request for this stream arrived (head received). */
  requestAtMs: number | null = null;
  matchedBy: MatchMethod | null = null;
  api: Api | null = null;
  readonly writes: UpstreamWrite[] = [];
  /** The stream's last frame was written. */
  completed = false;
  /** The app closed its upstream connection before the stream ended. */
  abandonedByApp = false;
  private settle!: () => void;
  /** Resolves when the upstream stream ended (completed, abandoned, or failed). */
  readonly ended = new Promise<void>((resolve) => (this.settle = resolve));
  private requested!: () => void;
  /** Resolves when the app's upstream request arrived. */
  readonly requestArrived = new Promise<void>((resolve) => (this.requested = resolve));

  /** Marks the request arrived. */
  arrive(atMs: number, api: Api, method: MatchMethod): void {
    this.requestAtMs = atMs;
    this.api = api;
    this.matchedBy = method;
    this.requested();
  }

  /** Marks the stream ended. */
  end(): void {
    this.settle();
  }

  /** The text written, in order. */
  text(): string {
    return this.writes.map((write) => write.text).join('');
  }
}

/** A running upstream. */
export interface RunningUpstream {
  /** `http://host:port` */
  readonly url: string;
  /** `http://host:port/v1`, what OpenAI-compatible clients take as their base URL. */
  readonly baseUrl: string;
  /** Upstream requests that matched no waiting client stream (each answered 400, which SDKs do not retry), with why. */
  readonly unmatched: string[];
  close(): Promise<void>;
}

/** Where and how the upstream runs. */
export interface UpstreamOptions {
  source: TokenSource;
  clock: Clock;
  registry: MarkerRegistry<UpstreamStreamRecord>;
  host?: string;
  port?: number;
}

const errorBody = (api: Api, status: number, message: string) => (api === 'anthropic' ? anthropicErrorBody(status, message) : openAiErrorBody(status, message));

/** Starts the upstream; resolves once it listens. */
export async function startUpstream(options: UpstreamOptions): Promise<RunningUpstream> {
  const { clock, registry, source } = options;
  const unmatched: string[] = [];
  let requestNumber = 0;

  const handle = async (httpRequest: IncomingMessage, response: ServerResponse): Promise<void> => {
    const arrivedMs = clock.nowMs();
    const [path = '/'] = (httpRequest.url ?? '/').split('?');
    if (httpRequest.method === 'GET' && (path === '/health' || path === '/v1/models')) {
      sendJson(response, 200, path === '/health' ? { ok: true } : { object: 'list', data: [{ id: 'streambench-upstream', object: 'model', created: 0, owned_by: 'streambench' }] });
      return;
    }
    const api = ROUTES[path];
    if (httpRequest.method !== 'POST' || !api) {
      sendJson(response, 404, openAiErrorBody(404, `no route ${httpRequest.method} ${path}: the streambench upstream serves POST /v1/chat/completions and /v1/messages`));
      return;
    }
    const text = await readBody(httpRequest, MAX_BODY_BYTES);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('the body must be a JSON object');
    } catch (error) {
      sendJson(response, 400, errorBody(api, 400, `invalid request: ${(error as Error).message}`));
      return;
    }
    if (body.stream !== true) {
      // A side call (a title, a moderation check): answered at once, not a measured stream.
      const identity = { id: `sb-side-${requestNumber++}`, created: Math.floor(Date.now() / 1000), model: String(body.model ?? 'streambench-upstream'), includeUsage: false };
      const wire = api === 'anthropic' ? anthropicWire(identity, 0) : openAiChatWire(identity);
      sendJson(response, 200, wire.complete('ok', '', 'stop', { promptTokens: 0, completionTokens: 1, reasoningTokens: 0 }));
      return;
    }
    const match = registry.match(text);
    if (match.expectation === null) {
      unmatched.push(match.reason);
      sendJson(response, 400, errorBody(api, 400, `streambench upstream: ${match.reason}`));
      return;
    }
    const { expectation, method } = match;
    const record = expectation.value;
    record.arrive(arrivedMs, api, method);
    const identity = {
      id: api === 'anthropic' ? `msg_sb_${requestNumber}` : `chatcmpl-sb-${requestNumber}`,
      created: Math.floor(Date.now() / 1000),
      model: typeof body.model === 'string' && body.model ? body.model : 'streambench-upstream',
      includeUsage: (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
    };
    requestNumber++;
    const wire: ResponseWire = api === 'anthropic' ? anthropicWire(identity, 0) : openAiChatWire(identity);
    const hangUp = new AbortController();
    response.on('close', () => {
      if (!record.completed) record.abandonedByApp = true;
      hangUp.abort();
    });
    try {
      response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      response.flushHeaders();
      response.write(wire.preamble());
      let tokens = 0;
      for await (const chunk of source.open({ clock, streamIndex: expectation.streamIndex, signal: hangUp.signal })) {
        if (hangUp.signal.aborted) break;
        if (chunk.reasoning !== undefined) continue; // content only: the app's client shows content
        response.write(wire.chunk(chunk));
        // The frame is in the socket's hands now (written, or queued if the app reads slowly).
        record.writes.push({ text: chunk.text, tokens: chunk.tokens, writeMs: clock.nowMs() });
        tokens += chunk.tokens;
      }
      if (!hangUp.signal.aborted) {
        response.end(wire.end('stop', { promptTokens: 0, completionTokens: tokens, reasoningTokens: 0 }));
        record.completed = true;
      }
    } finally {
      record.end();
    }
  };

  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, openAiErrorBody(500, `streambench upstream error: ${(error as Error).message}`));
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const url = await listenForOrigin(server, options.port, options.host);
  return {
    url,
    baseUrl: `${url}/v1`,
    unmatched,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
