/**
 * The mock LLM server: serves `POST /v1/chat/completions`, `POST /v1/completions` and
 * `POST /v1/messages` (Anthropic) with synthetic text on the synthetic timing model, over
 * real HTTP on loopback, so the http source and the official SDKs can be exercised with no
 * provider. Streams are deterministic: request n streams stream index n (counting POSTs
 * from 0), unless the request names one in the `x-streambench-stream` header.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenForOrigin } from '../net/loopbackServer.js';
import { type Clock, systemClock } from '../clock.js';
import { loadTokenizer, type Tokenizer } from '../sources/bpeTokens.js';
import { emitOnSchedule } from '../sources/synthetic.js';
import { anthropicErrorBody, anthropicWire } from './anthropicWire.js';
import { readBody, sendJson as sendJsonAnswer } from './httpMessages.js';
import { malformedAfter, requestFails, withStall } from './faults.js';
import { planMockResponse } from './mockPlan.js';
import { emitPrecisely } from './preciseSchedule.js';
import type { ResolvedMockSettings } from './mockSettings.js';
import { openAiChatWire, openAiCompletionsWire, openAiErrorBody } from './openaiWire.js';
import type { MockUsage, ResponseIdentity, ResponseWire } from './wire.js';

/** Header a client sets to choose the stream index (so every config of a run gets the same stream i). */
export const STREAM_INDEX_HEADER = 'x-streambench-stream';
/** Header the mock puts on every response, so a recorder can label its trace synthetic. */
export const MOCK_MARKER_HEADER = 'x-streambench-mock';

const MAX_BODY_BYTES = 1024 * 1024;

/** Where and how to run the mock server. */
export interface MockServerOptions {
  settings: ResolvedMockSettings;
  /** Seed used when `settings.seed` is null (default 1). */
  seed?: number;
  /** Loopback by default; the mock is a test tool, not a service. */
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  clock?: Clock;
  /** Called after each chunk's frame was handed to the socket, on the server's clock. */
  onChunkSent?: (sent: { streamIndex: number; chunkIndex: number; atMs: number; requestArrivedMs: number }) => void;
  /** One line per request answered (the CLI prints them). */
  log?: (line: string) => void;
  /** Send chunks on time to a fraction of a millisecond by polling the clock near each due time (costs CPU; for accuracy benchmarks). */
  precise?: boolean;
}

/** A running mock server. */
export interface RunningMockServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `http://127.0.0.1:<port>/v1`: the base URL for OpenAI-compatible clients and the http source. */
  readonly baseUrl: string;
  /** POST requests received so far. */
  requests(): number;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

type Api = 'openai-chat' | 'openai-completions' | 'anthropic';

const ROUTES: Record<string, Api> = {
  '/v1/chat/completions': 'openai-chat',
  '/v1/completions': 'openai-completions',
  '/v1/messages': 'anthropic',
};

/** The fields of a request body the mock uses. */
interface MockRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number | null;
  promptText: string;
}

/** The text of a message's content, whether a string or a list of content parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
  return '';
}

/** Picks the fields the mock needs out of a parsed body; throws with the provider-style reason. */
function parseMockRequest(api: Api, body: Record<string, unknown>): MockRequest {
  const maxTokens = body.max_tokens ?? body.max_completion_tokens;
  if (maxTokens !== undefined && (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw new Error('max_tokens: expected an integer >= 1');
  }
  if (api === 'anthropic' && maxTokens === undefined) throw new Error('max_tokens: Field required');
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const promptText =
    api === 'openai-completions'
      ? contentText(body.prompt)
      : [contentText(body.system), ...messages.map((message: { content?: unknown }) => contentText(message?.content))].filter(Boolean).join('\n');
  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
  return {
    model: typeof body.model === 'string' && body.model ? body.model : 'streambench-mock',
    stream: body.stream === true,
    includeUsage: streamOptions?.include_usage === true,
    maxTokens: (maxTokens as number | undefined) ?? null,
    promptText,
  };
}

/** The stream index a request asks for, or null. */
function requestedStreamIndex(request: IncomingMessage): number | null {
  const value = request.headers[STREAM_INDEX_HEADER];
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return null;
  return Number(value);
}

function errorBody(api: Api, status: number, message: string): unknown {
  return api === 'anthropic' ? anthropicErrorBody(status, message) : openAiErrorBody(status, message);
}

/** A JSON answer marked as the mock server's. */
function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJsonAnswer(response, status, body, { [MOCK_MARKER_HEADER]: '1', ...headers });
}

/** Starts the mock server and resolves once it listens. */
export async function startMockServer(options: MockServerOptions): Promise<RunningMockServer> {
  const { settings } = options;
  const clock = options.clock ?? systemClock;
  const seed = settings.seed ?? options.seed ?? 1;
  const tokenizer: Tokenizer = await loadTokenizer('o200k_base');
  let requestCount = 0;

  const usageOf = (request: MockRequest, text: string, reasoning: string): MockUsage => {
    const reasoningTokens = tokenizer.count(reasoning);
    return { promptTokens: tokenizer.count(request.promptText), completionTokens: tokenizer.count(text) + reasoningTokens, reasoningTokens };
  };

  const wireFor = (api: Api, identity: ResponseIdentity, request: MockRequest): ResponseWire => {
    if (api === 'anthropic') return anthropicWire(identity, tokenizer.count(request.promptText));
    return api === 'openai-chat' ? openAiChatWire(identity) : openAiCompletionsWire(identity);
  };

  const handle = async (httpRequest: IncomingMessage, response: ServerResponse): Promise<void> => {
    const arrivedMs = clock.nowMs();
    const [path = '/'] = (httpRequest.url ?? '/').split('?');
    if (httpRequest.method === 'GET' && path === '/v1/models') {
      sendJson(response, 200, { object: 'list', data: [{ id: 'streambench-mock', object: 'model', created: 0, owned_by: 'streambench' }] });
      return;
    }
    const api = ROUTES[path];
    if (httpRequest.method !== 'POST' || !api) {
      sendJson(response, 404, openAiErrorBody(404, `no route ${httpRequest.method} ${path}: the mock serves POST /v1/chat/completions, /v1/completions and /v1/messages`));
      return;
    }
    const requestNumber = requestCount++;
    const streamIndex = requestedStreamIndex(httpRequest) ?? requestNumber;

    let request: MockRequest;
    try {
      const body = JSON.parse(await readBody(httpRequest, MAX_BODY_BYTES)) as unknown;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('the body must be a JSON object');
      request = parseMockRequest(api, body as Record<string, unknown>);
    } catch (error) {
      sendJson(response, 400, errorBody(api, 400, `invalid request: ${(error as Error).message}`));
      options.log?.(`POST ${path} → 400 (${(error as Error).message})`);
      return;
    }

    const { faults } = settings;
    if (requestFails(faults, seed, requestNumber)) {
      const message =
        faults.failStatus === 429
          ? 'Rate limit reached for requests (mock server fault: --fail-rate)'
          : 'The server had an error while processing your request (mock server fault: --fail-rate)';
      sendJson(response, faults.failStatus, errorBody(api, faults.failStatus, message), faults.failStatus === 429 ? { 'retry-after': '1' } : {});
      options.log?.(`POST ${path} stream ${streamIndex} → ${faults.failStatus} (fault)`);
      return;
    }

    const identity: ResponseIdentity = {
      id: api === 'anthropic' ? `msg_mock_${requestNumber}` : `${api === 'openai-chat' ? 'chatcmpl' : 'cmpl'}-mock-${requestNumber}`,
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      includeUsage: request.includeUsage,
    };
    const wire = wireFor(api, identity, request);
    // Planned after the response head went out (streaming), as a provider sends its head at once.
    const planResponse = () => {
      const plan = planMockResponse(settings, seed, streamIndex, request.maxTokens);
      return { plan, usage: usageOf(request, plan.text, plan.reasoning), schedule: withStall(plan.schedule, faults.stall) };
    };
    // Stop writing when the client goes away.
    const hangUp = new AbortController();
    response.on('close', () => hangUp.abort());

    if (!request.stream) {
      const { plan, usage, schedule } = planResponse();
      // Answer when the whole stream would have been generated (emitOnSchedule does the waiting).
      const doneMs = schedule.offsetsMs[schedule.offsetsMs.length - 1] ?? 0;
      for await (const _done of emitOnSchedule({ chunks: [{ index: 0, text: '', tokens: 0 }], offsetsMs: [doneMs] }, arrivedMs, clock, hangUp.signal));
      if (!hangUp.signal.aborted) sendJson(response, 200, wire.complete(plan.text, plan.reasoning, plan.finishReason, usage));
      options.log?.(`POST ${path} stream ${streamIndex} → 200 (not streamed)`);
      return;
    }

    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': identity.id,
      [MOCK_MARKER_HEADER]: '1',
    });
    response.flushHeaders();
    const preamble = wire.preamble();
    if (preamble) response.write(preamble);
    const { plan, usage, schedule } = planResponse();

    let sent = 0;
    const drop = (): void => {
      // destroySoon flushes what was written, then closes: the client gets the frames so far and no end of stream.
      response.socket?.destroySoon();
      options.log?.(`POST ${path} stream ${streamIndex} → dropped after ${sent} chunks (fault)`);
    };
    if (faults.dropAfterChunks === 0) return drop();
    const emit = options.precise ? emitPrecisely : emitOnSchedule;
    for await (const chunk of emit(schedule, arrivedMs, clock, hangUp.signal)) {
      const frame = wire.chunk(chunk);
      if (frame) response.write(frame);
      sent++;
      options.onChunkSent?.({ streamIndex, chunkIndex: chunk.index, atMs: clock.nowMs(), requestArrivedMs: arrivedMs });
      if (malformedAfter(faults, sent)) response.write(wire.malformed());
      if (faults.dropAfterChunks !== null && sent >= faults.dropAfterChunks) return drop();
    }
    if (hangUp.signal.aborted) return;
    response.end(wire.end(plan.finishReason, usage));
    options.log?.(`POST ${path} stream ${streamIndex} → 200 (${sent} chunks)`);
  };

  const server = createServer({ noDelay: true }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, openAiErrorBody(500, `mock server error: ${(error as Error).message}`));
      else response.destroy();
    });
  });
  const url = await listenForOrigin(server, options.port, options.host);
  return {
    url,
    baseUrl: `${url}/v1`,
    requests: () => requestCount,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
