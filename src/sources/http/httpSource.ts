/**
 * The http token source: each stream is one streaming request to an OpenAI-compatible or
 * Anthropic endpoint, or to the in-process mock server when the scenario sets
 * `mockServer`. The API key is read from the environment variable the scenario names, at
 * each request, and never leaves the request headers.
 */
import { Agent, request as undiciRequest } from 'undici';
import { type MockServerThread, startMockServerThread } from '../../mock/mockServerThread.js';
import { loadTokenizer } from '../bpeTokens.js';
import type { SourceChunk, TokenSource } from '../types.js';
import type { ResolvedHttpSettings } from './httpSchema.js';
import { AbortFanout } from './abortFanout.js';
import { openHttpStream } from './openHttpStream.js';
import { publicHeaders, publicUrl, redactSecrets, secretHeaderValues } from './redact.js';
import { buildUpstreamRequest, type UpstreamRequest } from './upstreamRequest.js';
import { warmDecoder } from './warmDecoder.js';

/** The key named by `apiKeyEnv`: null when none is named; throws when the variable is unset. */
export function readApiKey(apiKeyEnv: string | null, environment: NodeJS.ProcessEnv = process.env): string | null {
  if (apiKeyEnv === null) return null;
  const key = environment[apiKeyEnv];
  if (!key) throw new Error(`the environment variable ${apiKeyEnv} (apiKeyEnv) is not set: export it with your API key, or remove apiKeyEnv for an endpoint that needs none`);
  return key;
}

/** A stream that fails with `error` when read (errors belong to the stream, not to open()). */
async function* failingStream(error: Error): AsyncGenerator<SourceChunk> {
  throw error;
}

/** How the source counts tokens, in words, for the result document. */
function tokenCountingNote(settings: ResolvedHttpSettings): string {
  const tokenizer = `gpt-tokenizer ${settings.tokenizer}`;
  return settings.includeUsage
    ? `per chunk: ${tokenizer}; per stream: the server's usage when it sends one (see counters.tokensFromUsageShare), else ${tokenizer}`
    : `${tokenizer} (server usage not requested)`;
}

/** How long a warm-up request may take beyond connecting. */
const WARM_RESPONSE_MS = 5000;

/** Builds an http source (the API key read from `environment`); starts the mock server when the settings ask for one (`close()` stops it). */
export async function createHttpSource(settings: ResolvedHttpSettings, seed: number, environment: NodeJS.ProcessEnv = process.env): Promise<TokenSource> {
  const tokenizer = await loadTokenizer(settings.tokenizer);
  // On its own thread, so a pipeline that blocks the event loop cannot delay the upstream.
  const mock: MockServerThread | null = settings.mockServer ? await startMockServerThread({ settings: settings.mockServer, seed }) : null;
  const baseUrl = mock?.baseUrl ?? settings.baseUrl;
  if (!baseUrl) throw new Error('http source: baseUrl is required unless mockServer is set');
  const dispatcher = new Agent({ connect: { timeout: settings.connectTimeoutMs }, headersTimeout: 0, bodyTimeout: 0 });
  // Aborts every request still in flight when the source closes.
  const closing = new AbortController();
  const abortFanout = new AbortFanout();
  const headerSecrets = secretHeaderValues(settings.headers);
  // Without a per-stream header every request is the same: built once per API key read (not
  // per stream: a URL parse and the body's JSON each time).
  let lastRequest: { apiKey: string | null; request: UpstreamRequest } | null = null;
  const sameRequestFor = (apiKey: string | null): UpstreamRequest => {
    if (lastRequest?.apiKey !== apiKey) lastRequest = { apiKey, request: buildUpstreamRequest(settings, baseUrl, apiKey, null) };
    return lastRequest.request;
  };

  const describe = (): Record<string, unknown> => {
    const described = {
      type: 'http',
      api: settings.api,
      baseUrl: mock ? `${publicUrl(baseUrl)} (built-in mock server, ${mock.isolated ? 'worker thread' : 'in-process'})` : publicUrl(baseUrl),
      model: settings.model,
      messages: settings.messages,
      prompt: settings.prompt,
      maxTokens: settings.maxTokens,
      temperature: settings.temperature,
      headers: publicHeaders(settings.headers),
      extraBody: settings.extraBody,
      apiKeyEnv: settings.apiKeyEnv,
      apiKeySet: settings.apiKeyEnv !== null && Boolean(environment[settings.apiKeyEnv]),
      includeUsage: settings.includeUsage,
      tokenizer: settings.tokenizer,
      tokenCounting: tokenCountingNote(settings),
      connectTimeoutMs: settings.connectTimeoutMs,
      firstByteTimeoutMs: settings.firstByteTimeoutMs,
      idleTimeoutMs: settings.idleTimeoutMs,
      streamIndexHeader: settings.streamIndexHeader,
      mockServer: settings.mockServer ? { ...settings.mockServer, seed: settings.mockServer.seed ?? seed } : null,
    };
    // Belt and braces: even a key pasted into a prompt or header never reaches the result.
    const key = settings.apiKeyEnv ? environment[settings.apiKeyEnv] : undefined;
    return JSON.parse(redactSecrets(JSON.stringify(described), [key, ...headerSecrets])) as Record<string, unknown>;
  };

  return {
    kind: 'http',
    describe,
    open({ clock, streamIndex, signal, observer }) {
      let apiKey: string | null;
      try {
        apiKey = readApiKey(settings.apiKeyEnv, environment);
      } catch (error) {
        return failingStream(error as Error);
      }
      return openHttpStream({
        request: settings.streamIndexHeader ? buildUpstreamRequest(settings, baseUrl, apiKey, streamIndex) : sameRequestFor(apiKey),
        api: settings.api,
        dispatcher,
        clock,
        tokenizer,
        includeUsage: settings.includeUsage,
        connectTimeoutMs: settings.connectTimeoutMs,
        firstByteTimeoutMs: settings.firstByteTimeoutMs,
        idleTimeoutMs: settings.idleTimeoutMs,
        secrets: [...(apiKey !== null ? [apiKey] : []), ...headerSecrets],
        signals: signal ? [signal, closing.signal] : [closing.signal],
        abortFanout,
        observer,
      });
    },
    async warm() {
      // GET …/models on the request's own connection pool: it opens the kept-alive connection
      // (TCP, TLS) and runs the client's request and response code once, and no server counts it
      // as a stream. Any answer will do, a 401 or 404 too; a failure is left to the timed request.
      let apiKey: string | null = null;
      try {
        apiKey = readApiKey(settings.apiKeyEnv, environment);
      } catch {
        // The timed request reports a missing key.
      }
      const upstream = buildUpstreamRequest(settings, baseUrl, apiKey, null);
      const modelsUrl = upstream.url.replace(/\/(chat\/completions|completions|messages)(\?.*)?$/, '/models$2');
      // Then the same with a body (a POST to …/models is refused without taking a stream), so
      // the client's body-writing path is warm too.
      for (const method of ['GET', 'POST'] as const) {
        try {
          const response = await undiciRequest(modelsUrl, {
            method,
            headers: { ...upstream.headers, accept: 'application/json' },
            ...(method === 'POST' && { body: upstream.body }),
            dispatcher,
            signal: AbortSignal.any([AbortSignal.timeout(settings.connectTimeoutMs + WARM_RESPONSE_MS), closing.signal]),
          });
          // Read as a stream is read (async iteration, text decoding), so that path is warm too.
          const text = new TextDecoder();
          for await (const bytes of response.body) text.decode(bytes as Buffer, { stream: true });
          // undici frees the connection for the next request only after this turn: a request sent
          // at once would open a second, cold connection.
          await new Promise((resolve) => setImmediate(resolve));
        } catch {
          // Best effort.
        }
      }
      // The first timed chunk would otherwise carry the SSE parser's, JSON decoding's and the
      // tokenizer's first run.
      warmDecoder(settings.api, tokenizer, settings.includeUsage);
    },
    async close() {
      closing.abort();
      await dispatcher.destroy();
      await mock?.close();
    },
  };
}
