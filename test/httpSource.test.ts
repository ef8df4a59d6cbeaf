import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { planMockResponse } from '../src/mock/mockPlan.js';
import { type RunningMockServer, startMockServer } from '../src/mock/mockServer.js';
import { type MockServerSettingsInput, resolveMockSettings } from '../src/mock/mockSettings.js';
import { runScenario } from '../src/run/runScenario.js';
import { attributeTokens, IncrementalTokenCounter, loadTokenizer, type Tokenizer } from '../src/sources/bpeTokens.js';
import { type HttpSourceInput, resolveHttpSettings } from '../src/sources/http/httpSchema.js';
import { createHttpSource } from '../src/sources/http/httpSource.js';
import { publicHeaders, publicUrl, redactSecrets } from '../src/sources/http/redact.js';
import { StreamDecoder } from '../src/sources/http/streamDecoder.js';
import { decodeEvent, MALFORMED } from '../src/sources/http/upstreamEvents.js';
import { buildUpstreamRequest } from '../src/sources/http/upstreamRequest.js';
import { isPushable, type SourceChunk, type TokenSource } from '../src/sources/types.js';
import { systemClock } from '../src/clock.js';
import { UpstreamRecord } from '../src/probes/upstreamRecord.js';
import { scenarioFrom } from './helpers/scenario.js';
import { contentOf, readStream, reasoningOf, streamError } from './helpers/httpStreams.js';
import { firstOf } from './helpers/indexed.js';

const SEED = 3;
const SECRET = 'sk-test-SECRET123';

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer('o200k_base');
});

// Fast, constant timing: 30 tokens, first token after 5 ms, 1 ms apart.
const fastStream = (overrides: MockServerSettingsInput = {}) => resolveMockSettings({ tokens: 30, ttftMs: 5, gapMs: 1, ...overrides });

const servers: { close(): Promise<void> }[] = [];
const sources: TokenSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map(async (source) => source.close?.()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function mockServer(overrides: MockServerSettingsInput = {}): Promise<RunningMockServer> {
  const server = await startMockServer({ settings: fastStream(overrides), seed: SEED });
  servers.push(server);
  return server;
}

async function httpSource(input: Partial<HttpSourceInput>): Promise<TokenSource> {
  const source = await createHttpSource(resolveHttpSettings({ type: 'http', model: 'test-model', streamIndexHeader: true, ...input } as HttpSourceInput), SEED);
  sources.push(source);
  return source;
}

/** A server answering every request with `status` and `body` (as JSON when an object). */
async function fixedServer(status: number, body: (authorization: string) => unknown): Promise<string> {
  const server: Server = createServer((request, response) => {
    request.resume();
    const payload = body(String(request.headers.authorization ?? request.headers['x-api-key'] ?? ''));
    response.writeHead(status, { 'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json' });
    response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

describe('http source against the mock server (real HTTP)', () => {
  it('openai-chat: exact text, one chunk per delta plus a closing chunk, tokens summing to the tokenizer count', async () => {
    const server = await mockServer();
    const source = await httpSource({ baseUrl: server.baseUrl });
    const plan = planMockResponse(fastStream(), SEED, 2, null);
    const { chunks, upstream } = await readStream(source, 2);

    expect(contentOf(chunks)).toBe(plan.text);
    expect(chunks.slice(0, -1).map((chunk) => chunk.text)).toEqual(plan.schedule.chunks.map((chunk) => chunk.text));
    expect(chunks).toHaveLength(plan.schedule.chunks.length + 1);
    // The closing chunk carries no text, only the tokens completed by the end of the stream.
    expect(chunks.at(-1)).toMatchObject({ text: '' });
    expect(chunks.at(-1)!.tokens).toBeGreaterThan(0);
    expect(chunks.map((chunk) => chunk.index)).toEqual(chunks.map((_, index) => index));
    expect(chunks.reduce((sum, chunk) => sum + chunk.tokens, 0)).toBe(tokenizer.count(plan.text));
    expect(upstream.tokenCountMethod).toBe('tokenizer:o200k_base');
    expect(upstream.usageReport).toBeNull(); // not asked for
    expect(upstream.malformedLines).toBe(0);
    expect(upstream.firstByteAtMs).not.toBeNull();
    expect(upstream.firstEventAtMs!).toBeGreaterThanOrEqual(upstream.firstByteAtMs!);
  });

  it('pushed (pushTo) and iterated, a stream gives the same chunks', async () => {
    const server = await mockServer();
    const source = await httpSource({ baseUrl: server.baseUrl });
    const { chunks: iterated } = await readStream(source, 4);
    const pushedChunks = source.open({ clock: systemClock, streamIndex: 4 });
    const pushed: SourceChunk[] = [];
    expect(isPushable(pushedChunks)).toBe(true);
    if (!isPushable(pushedChunks)) return;
    // A consumer that makes the source wait on every chunk, as an awaiting producer does.
    await pushedChunks.pushTo(async (chunk) => {
      pushed.push(chunk);
      await new Promise<void>((resolve) => setImmediate(resolve));
    });
    expect(pushed).toEqual(iterated);
  });

  it('a reader that leaves after the first chunk ends the request; the source then closes', async () => {
    const server = await mockServer({ tokens: 200 });
    const source = await httpSource({ baseUrl: server.baseUrl });
    let read = 0;
    for await (const chunk of source.open({ clock: systemClock, streamIndex: 0 })) {
      read += chunk.text.length > 0 ? 1 : 0;
      break;
    }
    expect(read).toBe(1);
    await source.close?.();
  });

  it('closing the source mid-stream ends every open stream quietly', async () => {
    const server = await mockServer({ tokens: 200, gapMs: 5 });
    const source = await httpSource({ baseUrl: server.baseUrl });
    const reads = [0, 1, 2].map((streamIndex) => readStream(source, streamIndex));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await source.close?.();
    // No error: each stream ends where it was, with a prefix of its answer.
    const results = await Promise.all(reads);
    for (const [streamIndex, { chunks }] of results.entries()) {
      const answer = planMockResponse(fastStream({ tokens: 200, gapMs: 5 }), SEED, streamIndex, null).text;
      expect(answer.startsWith(contentOf(chunks))).toBe(true);
      expect(contentOf(chunks).length).toBeLessThan(answer.length);
    }
  });

  it('parses the usage chunk when includeUsage is set and counts the stream with it', async () => {
    const server = await mockServer();
    const source = await httpSource({ baseUrl: server.baseUrl, includeUsage: true, messages: [{ role: 'user', content: 'Say something.' }] });
    const plan = planMockResponse(fastStream(), SEED, 0, null);
    const { chunks, upstream } = await readStream(source, 0);

    expect(contentOf(chunks)).toBe(plan.text);
    expect(upstream.usageReport).toEqual({ promptTokens: tokenizer.count('Say something.'), completionTokens: tokenizer.count(plan.text), reasoningTokens: 0 });
    expect(upstream.tokenCountMethod).toBe('usage');
    expect(chunks.reduce((sum, chunk) => sum + chunk.tokens, 0)).toBe(tokenizer.count(plan.text));
  });

  it('openai-completions and anthropic stream the exact text too', async () => {
    const server = await mockServer();
    const plan = planMockResponse(fastStream(), SEED, 1, null);
    const completions = await httpSource({ api: 'openai-completions', baseUrl: server.baseUrl, includeUsage: true });
    const anthropic = await httpSource({ api: 'anthropic', baseUrl: server.baseUrl, includeUsage: true });

    const viaCompletions = await readStream(completions, 1);
    expect(contentOf(viaCompletions.chunks)).toBe(plan.text);
    expect(viaCompletions.upstream.usageReport?.completionTokens).toBe(tokenizer.count(plan.text));

    const viaAnthropic = await readStream(anthropic, 1);
    expect(contentOf(viaAnthropic.chunks)).toBe(plan.text);
    expect(viaAnthropic.chunks).toHaveLength(plan.schedule.chunks.length + 1);
    // Anthropic splits usage: input tokens in message_start, output tokens in message_delta.
    expect(viaAnthropic.upstream.usageReport).toEqual({
      promptTokens: tokenizer.count(firstOf(resolveHttpSettings({ type: 'http', model: 'm', baseUrl: 'http://x/v1' }).messages!, 'messages').content),
      completionTokens: tokenizer.count(plan.text),
      reasoningTokens: null,
    });
    expect(viaAnthropic.upstream.tokenCountMethod).toBe('usage');
  });

  it('keeps reasoning apart from content (OpenAI reasoning_content, Anthropic thinking deltas)', async () => {
    const server = await mockServer({ reasoningTokens: 12 });
    const plan = planMockResponse(fastStream({ reasoningTokens: 12 }), SEED, 0, null);
    expect(plan.reasoning.length).toBeGreaterThan(0);

    for (const api of ['openai-chat', 'anthropic'] as const) {
      const source = await httpSource({ api, baseUrl: server.baseUrl, includeUsage: true });
      const { chunks, upstream } = await readStream(source, 0);
      expect(contentOf(chunks)).toBe(plan.text);
      expect(reasoningOf(chunks)).toBe(plan.reasoning);
      // Reasoning chunks carry no content and no content tokens.
      for (const chunk of chunks.filter((item) => item.reasoning !== undefined)) expect(chunk).toMatchObject({ text: '', tokens: 0 });
      expect(chunks.reduce((sum, chunk) => sum + chunk.tokens, 0)).toBe(tokenizer.count(plan.text));
      expect(upstream.reasoningTokens).toBe(tokenizer.count(plan.reasoning));
      // OpenAI breaks reasoning tokens out of the usage; Anthropic does not, so its content count falls back to the tokenizer.
      expect(upstream.tokenCountMethod).toBe(api === 'openai-chat' ? 'usage' : 'tokenizer:o200k_base');
    }
  });

  it('gives stream i the same text whatever the order of requests (x-streambench-stream)', async () => {
    const server = await mockServer();
    const source = await httpSource({ baseUrl: server.baseUrl });
    const later = await readStream(source, 4);
    const first = await readStream(source, 0);
    expect(contentOf(later.chunks)).toBe(planMockResponse(fastStream(), SEED, 4, null).text);
    expect(contentOf(first.chunks)).toBe(planMockResponse(fastStream(), SEED, 0, null).text);
    expect(server.requests()).toBe(2);
  });
});

describe('http source faults and errors', () => {
  it('a 429 fails the stream with the status and the server message', async () => {
    const server = await mockServer({ faults: { failRate: 1, failStatus: 429 } });
    const error = await streamError(await httpSource({ baseUrl: server.baseUrl }));
    expect(error.name).toBe('HttpStatusError');
    expect(error.message).toBe(`HTTP 429 from POST ${server.baseUrl}/chat/completions: Rate limit reached for requests (mock server fault: --fail-rate) (requests)`);
  });

  it('a 500 on the Anthropic endpoint carries Anthropic’s error type', async () => {
    const server = await mockServer({ faults: { failRate: 1, failStatus: 500 } });
    const error = await streamError(await httpSource({ api: 'anthropic', baseUrl: server.baseUrl }));
    expect(error.message).toBe(`HTTP 500 from POST ${server.baseUrl}/messages: The server had an error while processing your request (mock server fault: --fail-rate) (api_error)`);
  });

  it('a stall longer than idleTimeoutMs is an idle timeout naming the setting; a shorter one is not', async () => {
    const server = await mockServer({ faults: { stallMs: 400, stallAfterChunks: 5 } });
    const impatient = await httpSource({ baseUrl: server.baseUrl, idleTimeoutMs: 100 });
    const error = await streamError(impatient);
    expect(error.name).toBe('UpstreamTimeoutError');
    expect(error.message).toBe(`idle timeout: no data after 5 chunks from ${server.baseUrl}/chat/completions within 100 ms (idleTimeoutMs)`);

    const patient = await httpSource({ baseUrl: server.baseUrl, idleTimeoutMs: 2_000 });
    const { chunks } = await readStream(patient, 0);
    expect(contentOf(chunks)).toBe(planMockResponse(fastStream(), SEED, 0, null).text);
  });

  it('a dropped connection fails the stream, saying after how many chunks', async () => {
    const server = await mockServer({ faults: { dropAfterChunks: 7 } });
    const error = await streamError(await httpSource({ baseUrl: server.baseUrl }));
    expect(error.name).toBe('UpstreamStreamError');
    expect(error.message).toMatch(/^the connection closed mid-stream after 7 chunks \(/);
  });

  it('malformed events are counted, not fatal', async () => {
    const server = await mockServer({ faults: { malformedEvery: 4 } });
    for (const api of ['openai-chat', 'anthropic'] as const) {
      const { chunks, upstream } = await readStream(await httpSource({ api, baseUrl: server.baseUrl }), 0);
      const plan = planMockResponse(fastStream(), SEED, 0, null);
      expect(contentOf(chunks)).toBe(plan.text);
      expect(upstream.malformedLines).toBe(Math.floor(plan.schedule.chunks.length / 4));
    }
  });

  it('a server that never answers is a first-byte timeout naming the setting', async () => {
    const server = createServer(() => {}); // accepts, never responds
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({
      close: () =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    });
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const error = await streamError(await httpSource({ baseUrl, firstByteTimeoutMs: 100 }));
    expect(error.name).toBe('UpstreamTimeoutError');
    expect(error.message).toBe(`first-byte timeout: no response head from ${baseUrl}/chat/completions within 100 ms (firstByteTimeoutMs)`);
  });

  it('a refused connection says which request failed', async () => {
    const baseUrl = await fixedServer(200, () => ({}));
    await servers.pop()!.close(); // nothing listens there any more
    const error = await streamError(await httpSource({ baseUrl }));
    expect(error.message).toMatch(new RegExp(`^request to ${baseUrl.replace(/[.]/g, '\\.')}/chat/completions failed: .*ECONNREFUSED`));
  });

  it('a stream that ends without a finish reason or [DONE] is an error', async () => {
    const baseUrl = await fixedServer(200, () => 'data: {"choices":[{"index":0,"delta":{"content":"half"}}]}\n\n');
    // text/plain is read as an event stream too (servers are not always precise about content types).
    const error = await streamError(await httpSource({ baseUrl }));
    expect(error.message).toBe('the stream ended after 1 chunks without the server finishing it (no finish reason, no end marker)');
  });

  it('never shows the API key: not in error messages (even when the server echoes it), not in describe()', async () => {
    process.env.STREAMBENCH_TEST_KEY = SECRET;
    try {
      const baseUrl = await fixedServer(401, (authorization) => ({
        error: { message: `Incorrect API key provided: ${authorization.replace('Bearer ', '')}`, type: 'invalid_request_error' },
      }));
      const source = await httpSource({ baseUrl, apiKeyEnv: 'STREAMBENCH_TEST_KEY', headers: { 'X-Gateway-Token': 'gw-secret-value' } });
      const error = await streamError(source);
      expect(error.message).toBe(`HTTP 401 from POST ${baseUrl}/chat/completions: Incorrect API key provided: [REDACTED] (invalid_request_error)`);
      expect(error.stack).not.toContain('SECRET123');
      const described = JSON.stringify(source.describe());
      expect(described).not.toContain('SECRET123');
      expect(described).not.toContain('gw-secret-value');
      expect(source.describe()).toMatchObject({ apiKeyEnv: 'STREAMBENCH_TEST_KEY', apiKeySet: true, headers: { 'X-Gateway-Token': '[REDACTED]' } });
    } finally {
      delete process.env.STREAMBENCH_TEST_KEY;
    }
  });

  it('an unset apiKeyEnv variable fails the stream with the variable name', async () => {
    const server = await mockServer();
    const error = await streamError(await httpSource({ baseUrl: server.baseUrl, apiKeyEnv: 'STREAMBENCH_TEST_UNSET_KEY' }));
    expect(error.message).toMatch(/^the environment variable STREAMBENCH_TEST_UNSET_KEY \(apiKeyEnv\) is not set/);
  });
});

describe('http source in a scenario (mockServer:)', () => {
  it('runs the presets over HTTP with upstream metrics, and a 429 marks every config errored with the status', async () => {
    const source = { type: 'http', includeUsage: true, mockServer: { tokens: 20, ttftMs: 30, gapMs: 2 } };
    const variants = [
      { name: 'baseline', pipeline: { preset: 'field-baseline' } },
      { name: 'corrected', pipeline: { preset: 'seed-corrected' } },
    ];
    const document = await runScenario(scenarioFrom({ source, iterations: 2, warmup: 0, variants }));
    expect(document.configs.map((config) => config.state)).toEqual(['completed', 'completed']);
    for (const config of document.configs) {
      const metrics = config.metrics!;
      expect(metrics.upstreamTimeToFirstByteMs?.n).toBe(2);
      expect(metrics.upstreamTimeToFirstEventMs?.n).toBe(2);
      expect(metrics.upstreamTimeToFirstEventMs!.min).toBeGreaterThanOrEqual(metrics.upstreamTimeToFirstByteMs!.min);
      // The mock's first token comes 30 ms after the request arrives, so no stage can see it
      // sooner — less the under-1 ms early release the schedule allows (sources/synthetic.ts
      // waits again only while 1 ms or more is left).
      expect(metrics.stages.emit?.ttftMs?.min).toBeGreaterThanOrEqual(29);
      expect(metrics.counters).toMatchObject({ malformedLinesPerStream: 0, reasoningTokensPerStream: 0, tokensFromUsageShare: 1 });
      expect(metrics.counters.usageCompletionTokensPerStream).toBe(metrics.counters.tokensPerStream);
    }
    expect(document.scenario.settings).toBeDefined();

    const failing = await runScenario(scenarioFrom({ source: { ...source, mockServer: { ...source.mockServer, faults: { failRate: 1 } } }, iterations: 1, warmup: 0, variants }));
    expect(failing.configs.map((config) => config.state)).toEqual(['errored', 'errored']);
    for (const config of failing.configs) expect(config.message).toMatch(/^stream 1: HTTP 429 from POST http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions: Rate limit reached/);
  });

  it('a synthetic source reports no upstream metrics', async () => {
    const document = await runScenario(scenarioFrom({ iterations: 1, warmup: 0 }));
    const metrics = firstOf(document.configs, 'document.configs').metrics!;
    expect(metrics.upstreamTimeToFirstByteMs).toBeNull();
    expect(metrics.upstreamTimeToFirstEventMs).toBeNull();
    expect(Object.keys(metrics.counters)).not.toContain('malformedLinesPerStream');
  });
});

describe('http source settings', () => {
  it('requires baseUrl and model unless mockServer is set, and rejects a key in apiKeyEnv', () => {
    expect(() => resolveHttpSettings({ type: 'http' })).toThrow(/baseUrl[\s\S]*required unless mockServer is set/);
    expect(() => resolveHttpSettings({ type: 'http', baseUrl: 'https://api.openai.com/v1' })).toThrow(/model[\s\S]*required unless mockServer/);
    expect(() => resolveHttpSettings({ type: 'http', baseUrl: 'https://x/v1', model: 'm', apiKeyEnv: SECRET })).toThrow(/NAME of an environment variable/);
    expect(resolveHttpSettings({ type: 'http', mockServer: {} })).toMatchObject({ baseUrl: null, model: 'streambench-mock', streamIndexHeader: true });
  });

  it('builds each API’s request: path, auth header, body', () => {
    const settings = (api: 'openai-chat' | 'openai-completions' | 'anthropic') =>
      resolveHttpSettings({
        type: 'http',
        api,
        baseUrl: 'https://example.test/v1/?api-version=1',
        model: 'm',
        ...(api === 'openai-completions'
          ? { prompt: 'P' }
          : {
              messages: [
                { role: 'system', content: 'S' },
                { role: 'user', content: 'U' },
              ],
            }),
        maxTokens: 9,
        includeUsage: true,
      });
    const chat = buildUpstreamRequest(settings('openai-chat'), 'https://example.test/v1/?api-version=1', 'KEY1', 3);
    expect(chat.url).toBe('https://example.test/v1/chat/completions?api-version=1');
    expect(chat.headers).toMatchObject({ authorization: 'Bearer KEY1', 'x-streambench-stream': '3' });
    expect(JSON.parse(chat.body)).toEqual({
      model: 'm',
      max_tokens: 9,
      stream: true,
      messages: [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'U' },
      ],
      stream_options: { include_usage: true },
    });
    const completions = buildUpstreamRequest(settings('openai-completions'), 'https://example.test/v1', null, null);
    expect(completions.url).toBe('https://example.test/v1/completions');
    expect(completions.headers.authorization).toBeUndefined();
    expect(JSON.parse(completions.body)).toMatchObject({ prompt: 'P', stream_options: { include_usage: true } });
    const anthropic = buildUpstreamRequest(settings('anthropic'), 'https://api.anthropic.com/v1', 'KEY2', null);
    expect(anthropic.url).toBe('https://api.anthropic.com/v1/messages');
    expect(anthropic.headers).toMatchObject({ 'x-api-key': 'KEY2', 'anthropic-version': '2023-06-01' });
    expect(JSON.parse(anthropic.body)).toEqual({ model: 'm', max_tokens: 9, stream: true, system: 'S', messages: [{ role: 'user', content: 'U' }] });
  });
});

describe('SSE event decoding', () => {
  it('reads content, both reasoning field names, usage, finish and [DONE]; flags bad JSON', () => {
    const chunk = (delta: object, extra: object = {}) => JSON.stringify({ choices: [{ index: 0, delta, finish_reason: null }], ...extra });
    expect(decodeEvent('openai-chat', chunk({ content: 'hi' }), undefined)).toMatchObject({ content: 'hi', reasoning: '' });
    expect(decodeEvent('openai-chat', chunk({ reasoning_content: 'hmm' }), undefined)).toMatchObject({ content: '', reasoning: 'hmm' });
    expect(decodeEvent('openai-chat', chunk({ reasoning: 'hmm' }), undefined)).toMatchObject({ reasoning: 'hmm' });
    expect(decodeEvent('openai-chat', JSON.stringify({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 5 } }), undefined)).toMatchObject({
      usage: { promptTokens: 3, completionTokens: 5, reasoningTokens: null },
    });
    expect(decodeEvent('openai-chat', JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }), undefined)).toMatchObject({ finished: true });
    expect(decodeEvent('openai-chat', '[DONE]', undefined)).toMatchObject({ done: true });
    expect(decodeEvent('openai-chat', '{"choices":[', undefined)).toBe(MALFORMED);
    expect(decodeEvent('openai-chat', JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }), undefined)).toMatchObject({ error: 'overloaded (server_error)' });
    expect(
      decodeEvent('anthropic', JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'x' } }), 'content_block_delta'),
    ).toMatchObject({ reasoning: 'x' });
    expect(decodeEvent('anthropic', JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), 'error')).toMatchObject({
      error: 'Overloaded (overloaded_error)',
    });
  });

  it('an error event mid-stream fails the stream with the server message', () => {
    const decoder = new StreamDecoder('anthropic', tokenizer, false, new UpstreamRecord());
    expect(() => decoder.feed('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n', 1)).toThrow(
      'the server sent an error in the stream after 0 chunks: Overloaded (overloaded_error)',
    );
  });

  it('splits across any byte boundaries gives the same chunks, and counts lines that are not SSE', () => {
    const body =
      ['data: {"choices":[{"index":0,"delta":{"content":"Hello"}}]}', 'this line is not SSE', 'data: {"choices":[{"index":0,"delta":{"content":" world"}}]}', 'data: [DONE]'].join(
        '\n\n',
      ) + '\n\n';
    for (const cut of [1, 7, 40, body.length]) {
      const record = new UpstreamRecord();
      const decoder = new StreamDecoder('openai-chat', tokenizer, false, record);
      const texts: string[] = [];
      for (let start = 0; start < body.length; start += cut) texts.push(...decoder.feed(body.slice(start, start + cut), start).map((chunk) => chunk.text));
      expect(texts).toEqual(['Hello', ' world']);
      expect(decoder.done).toBe(true);
      expect(record.malformedLines).toBe(1);
      expect(record.firstEventAtMs).toBe(Math.floor((body.indexOf('\n\n') + 1) / cut) * cut); // stamped with the read that completed it
    }
  });
});

describe('token counting', () => {
  it('streamed counts sum to the tokenizer count of the whole text, however the text is cut', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 40 }), (text, cuts) => {
        const counter = new IncrementalTokenCounter(tokenizer);
        let position = 0;
        let counted = 0;
        for (const cut of cuts) {
          counted += counter.push(text.slice(position, position + cut));
          position += cut;
        }
        counted += counter.push(text.slice(position));
        counted += counter.finish();
        expect(counted).toBe(tokenizer.count(text));
      }),
      { numRuns: 300 },
    );
  });

  it("streamed counts sum to the whole text's count without it being counted again: whitespace runs, CRLF, contractions, astral characters", () => {
    // Pieces the pre-tokenizer splits differently at a text's end than inside it ("\t\t" then a word).
    const fragments = ['a', 'Bo', ' ', '  ', '\t', '\n', '\n\n', '\r\n', "'s", '123', '!', 'é', '日本', '😀', ' the', '   x'];
    const chunk = fc.array(fc.constantFrom(...fragments), { maxLength: 4 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 30 }), (chunks) => {
        const counter = new IncrementalTokenCounter(tokenizer);
        const counted = chunks.reduce((sum, text) => sum + counter.push(text), 0) + counter.finish();
        expect(counted).toBe(tokenizer.count(chunks.join('')));
      }),
      { numRuns: 3000 },
    );
    // "\t\t" settles as two tokens once a word follows, as the whole text counts it (one token on its own).
    const counter = new IncrementalTokenCounter(tokenizer);
    expect([counter.push('\t\t'), counter.push("😀's"), counter.finish()]).toEqual([0, 2, 3]);
    expect(tokenizer.count("\t\t😀's")).toBe(5);
  });

  it('a known text: tokens count at the chunk holding their last character', () => {
    // o200k_base: "Hello" " world" "!" → 3 tokens.
    expect(tokenizer.count('Hello world!')).toBe(3);
    expect(attributeTokens(['Hel', 'lo wo', 'rld', '!'], tokenizer)).toEqual([0, 1, 1, 1]);
    expect(attributeTokens(['', 'Hello world!', ''], tokenizer)).toEqual([0, 3, 0]);
  });
});

describe('redaction', () => {
  it('removes key values, Bearer tokens, sk- keys and key=value pairs', () => {
    expect(redactSecrets(`key ${SECRET} and Bearer abc.def and api_key=zzz9 and sk-live-abcdefgh`, [SECRET])).toBe(
      'key [REDACTED] and Bearer [REDACTED] and api_key=[REDACTED] and [REDACTED]',
    );
    expect(redactSecrets('max_tokens: 512 is fine')).toBe('max_tokens: 512 is fine');
    expect(publicUrl('https://user:pw@example.test/v1?key=abc#x')).toBe('https://example.test/v1');
    expect(publicHeaders({ Authorization: 'Bearer x', 'X-Title': 'bench' })).toEqual({ Authorization: '[REDACTED]', 'X-Title': 'bench' });
  });
});

afterAll(() => {
  delete process.env.STREAMBENCH_TEST_KEY;
});
