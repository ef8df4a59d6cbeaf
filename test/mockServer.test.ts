import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFails, withStall } from '../src/mock/faults.js';
import { planMockResponse } from '../src/mock/mockPlan.js';
import { type RunningMockServer, startMockServer } from '../src/mock/mockServer.js';
import { type MockServerSettingsInput, resolveMockSettings } from '../src/mock/mockSettings.js';
import { loadTokenizer, type Tokenizer } from '../src/sources/bpeTokens.js';
import { firstOf } from './helpers/indexed.js';

const SEED = 11;
const SETTINGS: MockServerSettingsInput = { tokens: 40, ttftMs: 3, gapMs: 1, reasoningTokens: 0 };
const settings = resolveMockSettings(SETTINGS);
const thinkingSettings = resolveMockSettings({ ...SETTINGS, reasoningTokens: 10 });

let server: RunningMockServer;
let thinkingServer: RunningMockServer;
let tokenizer: Tokenizer;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  tokenizer = await loadTokenizer('o200k_base');
  server = await startMockServer({ settings, seed: SEED });
  thinkingServer = await startMockServer({ settings: thinkingSettings, seed: SEED });
  openai = new OpenAI({ apiKey: 'sk-test-unused', baseURL: server.baseUrl, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: 'sk-ant-test-unused', baseURL: server.url, maxRetries: 0 });
});

afterAll(async () => {
  await server.close();
  await thinkingServer.close();
});

/** Asks for stream `index` explicitly, so tests do not depend on the request counter. */
const stream = (index: number) => ({ headers: { 'x-streambench-stream': String(index) } });

describe('mock server and the official OpenAI SDK', () => {
  it('streams chat completions: role chunk first, exact text, finish reason, usage chunk', async () => {
    const plan = planMockResponse(settings, SEED, 0, null);
    const chunks = await openai.chat.completions.create(
      { model: 'mock-model', messages: [{ role: 'user', content: 'Hello there' }], stream: true, stream_options: { include_usage: true } },
      stream(0),
    );
    let text = '';
    const roles: string[] = [];
    const finishReasons: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let contentChunks = 0;
    for await (const chunk of chunks) {
      expect(chunk.model).toBe('mock-model');
      const choice = chunk.choices[0];
      if (choice?.delta.role) roles.push(choice.delta.role);
      if (choice?.delta.content) {
        text += choice.delta.content;
        contentChunks++;
      }
      if (choice?.finish_reason) finishReasons.push(choice.finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(plan.text);
    expect(contentChunks).toBe(plan.schedule.chunks.length);
    expect(roles).toEqual(['assistant']);
    expect(finishReasons).toEqual(['stop']);
    expect(usage).toMatchObject({ prompt_tokens: tokenizer.count('Hello there'), completion_tokens: tokenizer.count(plan.text) });
  });

  it('streams legacy completions, answers without streaming, and stops at max_tokens with finish reason length', async () => {
    const plan = planMockResponse(settings, SEED, 1, null);
    let text = '';
    for await (const chunk of await openai.completions.create({ model: 'm', prompt: 'Hi', stream: true }, stream(1))) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(plan.text);

    const whole = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }, stream(1));
    expect(firstOf(whole.choices, 'whole.choices').message.content).toBe(plan.text);
    expect(whole.usage?.completion_tokens).toBe(tokenizer.count(plan.text));

    const short = planMockResponse(settings, SEED, 1, 5);
    expect(short.finishReason).toBe('length');
    let cut = '';
    let finish: string | null = null;
    for await (const chunk of await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true, max_tokens: 5 }, stream(1))) {
      cut += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(cut).toBe(short.text);
    expect(finish).toBe('length');
  });

  it('answers a fault with the provider’s error body, which the SDK turns into its typed error', async () => {
    const failing = await startMockServer({ settings: resolveMockSettings({ ...SETTINGS, faults: { failRate: 1, failStatus: 429 } }), seed: SEED });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: failing.baseUrl, maxRetries: 0 });
      const error = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect((error as InstanceType<typeof OpenAI.RateLimitError>).status).toBe(429);
      expect((error as Error).message).toMatch(/Rate limit reached for requests/);
    } finally {
      await failing.close();
    }
  });
});

describe('mock server and the official Anthropic SDK', () => {
  it('streams a message: exact text, stop reason, usage', async () => {
    const plan = planMockResponse(settings, SEED, 2, null);
    const messageStream = anthropic.messages.stream({ model: 'claude-mock', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello there' }] }, stream(2));
    let text = '';
    messageStream.on('text', (delta) => (text += delta));
    const message = await messageStream.finalMessage();
    expect(text).toBe(plan.text);
    expect(message.content).toEqual([{ type: 'text', text: plan.text }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: tokenizer.count('Hello there'), output_tokens: tokenizer.count(plan.text) });
  });

  it('streams thinking in its own block before the text', async () => {
    const plan = planMockResponse(thinkingSettings, SEED, 0, null);
    const client = new Anthropic({ apiKey: 'x', baseURL: thinkingServer.url, maxRetries: 0 });
    const messageStream = client.messages.stream({ model: 'claude-mock', max_tokens: 1024, messages: [{ role: 'user', content: 'Think' }] }, stream(0));
    let thinking = '';
    messageStream.on('thinking', (delta) => (thinking += delta));
    const message = await messageStream.finalMessage();
    expect(thinking).toBe(plan.reasoning);
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    expect(message.content[1]).toEqual({ type: 'text', text: plan.text });
  });

  it('answers without streaming too', async () => {
    const plan = planMockResponse(settings, SEED, 3, null);
    const message = await anthropic.messages.create({ model: 'claude-mock', max_tokens: 1024, messages: [{ role: 'user', content: 'Hi' }] }, stream(3));
    expect(message.content).toEqual([{ type: 'text', text: plan.text }]);
  });
});

describe('mock server determinism and routing', () => {
  it('request n streams stream n when no stream header is sent', async () => {
    const fresh = await startMockServer({ settings, seed: SEED });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: fresh.baseUrl, maxRetries: 0 });
      for (const index of [0, 1, 2]) {
        const reply = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
        expect(firstOf(reply.choices, 'reply.choices').message.content).toBe(planMockResponse(settings, SEED, index, null).text);
      }
      expect(fresh.requests()).toBe(3);
    } finally {
      await fresh.close();
    }
  });

  it('answers unknown routes with 404 and bad bodies with 400', async () => {
    const missing = await fetch(`${server.url}/v1/embeddings`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/^no route POST \/v1\/embeddings/);
    const bad = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: '{"model":"m","messages":[]}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'invalid request: max_tokens: Field required' } });
  });

  it('fails a share of requests fixed by the seed, and a stall delays every later chunk', () => {
    const faults = resolveMockSettings({ faults: { failRate: 0.3 } }).faults;
    const outcomes = Array.from({ length: 1000 }, (_, request) => requestFails(faults, SEED, request));
    expect(outcomes).toEqual(Array.from({ length: 1000 }, (_, request) => requestFails(faults, SEED, request)));
    const failures = outcomes.filter(Boolean).length;
    expect(failures).toBeGreaterThan(250);
    expect(failures).toBeLessThan(350);
    const schedule = { chunks: [], offsetsMs: [10, 20, 30, 40] };
    expect(withStall(schedule, { afterChunks: 2, ms: 500 }).offsetsMs).toEqual([10, 20, 530, 540]);
  });
});
