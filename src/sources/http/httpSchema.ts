/**
 * Settings of the http source as written in a scenario, and their resolution. The API key
 * is never a setting: `apiKeyEnv` names the environment variable that holds it.
 */
import { z } from 'zod';
import { mockServerSettingsSchema, resolveMockSettings, type ResolvedMockSettings } from '../../mock/mockSettings.js';
import { type TokenizerEncoding, tokenizerEncodingSchema } from '../bpeTokens.js';

import { type HttpApi, httpApis } from './httpApis.js';

export { httpApis, type HttpApi };

/** The prompt sent when a scenario gives neither `messages` nor `prompt`. */
export const DEFAULT_PROMPT = 'Explain in about 300 words how token streaming works in chat applications, with a short code example.';

export const HTTP_DEFAULTS = {
  maxTokens: 512,
  connectTimeoutMs: 10_000,
  firstByteTimeoutMs: 60_000,
  idleTimeoutMs: 30_000,
} as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const chatMessageSchema = z.strictObject({
  role: z.enum(['system', 'developer', 'user', 'assistant']).describe('who says it (system messages become the `system` field for Anthropic)'),
  content: z.string().describe('the message text'),
});
/** One chat message. */
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const httpSourceSchema = z
  .strictObject({
    type: z.literal('http').describe('a real LLM endpoint (OpenAI-compatible or Anthropic) streamed over HTTP'),
    api: z
      .enum(httpApis)
      .default('openai-chat')
      .describe('openai-chat: POST {baseUrl}/chat/completions; openai-completions: POST {baseUrl}/completions; anthropic: POST {baseUrl}/messages'),
    baseUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('the API base URL up to and including its version segment, e.g. https://api.openai.com/v1 (not needed with mockServer)'),
    model: z.string().min(1).optional().describe('model name as the endpoint knows it (not needed with mockServer)'),
    messages: z.array(chatMessageSchema).min(1).optional().describe('chat messages to send (openai-chat, anthropic); default: one user message with `prompt`'),
    prompt: z.string().min(1).optional().describe('the prompt (openai-completions), or the one user message when `messages` is not set'),
    maxTokens: z.number().int().min(1).default(HTTP_DEFAULTS.maxTokens).describe('max_tokens of the request'),
    temperature: z.number().min(0).max(2).optional().describe("sampling temperature (default: the endpoint's)"),
    headers: z.record(z.string(), z.string()).default({}).describe('extra request headers (shown redacted in results when their name suggests a secret)'),
    extraBody: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('extra fields merged into the request body, e.g. {reasoning_effort: low} or {thinking: {type: enabled, budget_tokens: 1024}}'),
    apiKeyEnv: z
      .string()
      .regex(ENV_NAME, 'give the NAME of an environment variable that holds the key (e.g. OPENAI_API_KEY), never the key itself')
      .optional()
      .describe('name of the environment variable holding the API key (sent as a Bearer token, or x-api-key for anthropic)'),
    includeUsage: z.boolean().default(false).describe("ask for the server's token usage (OpenAI: stream_options.include_usage) and count tokens with it when it comes"),
    tokenizer: tokenizerEncodingSchema.default('o200k_base'),
    connectTimeoutMs: z.number().positive().default(HTTP_DEFAULTS.connectTimeoutMs).describe('give up when the TCP/TLS connection takes longer (ms)'),
    firstByteTimeoutMs: z.number().positive().default(HTTP_DEFAULTS.firstByteTimeoutMs).describe('give up when the response head takes longer than this after the request (ms)'),
    idleTimeoutMs: z.number().positive().default(HTTP_DEFAULTS.idleTimeoutMs).describe('give up when the response body stays silent longer than this (ms)'),
    streamIndexHeader: z
      .boolean()
      .optional()
      .describe('send x-streambench-stream: <stream index>, so a streambench mock server gives stream i the same text in every config (default: true with mockServer)'),
    mockServer: mockServerSettingsSchema.optional(),
  })
  .superRefine((source, context) => {
    if (!source.mockServer) {
      if (!source.baseUrl)
        context.addIssue({ code: 'custom', path: ['baseUrl'], message: 'required unless mockServer is set: the endpoint base URL, e.g. https://api.openai.com/v1' });
      if (!source.model) context.addIssue({ code: 'custom', path: ['model'], message: 'required unless mockServer is set: the model name, e.g. gpt-4o-mini' });
    }
    if (source.messages && source.prompt) {
      context.addIssue({ code: 'custom', path: ['prompt'], message: 'give `messages` or `prompt`, not both' });
    }
    if (source.api === 'openai-completions' && source.messages) {
      context.addIssue({ code: 'custom', path: ['messages'], message: 'openai-completions takes a `prompt`, not chat `messages`' });
    }
  })
  .describe('a real LLM endpoint streamed over HTTP, or the built-in mock server');
/** The http source settings as a scenario may write them. */
export type HttpSourceInput = z.input<typeof httpSourceSchema>;

/** Http source settings with every field set. */
export interface ResolvedHttpSettings {
  type: 'http';
  api: HttpApi;
  /** null: the mock server's, known once it listens. */
  baseUrl: string | null;
  model: string;
  /** Chat messages (openai-chat, anthropic); null for openai-completions. */
  messages: ChatMessage[] | null;
  /** The prompt (openai-completions); null for chat APIs. */
  prompt: string | null;
  maxTokens: number;
  temperature: number | null;
  headers: Record<string, string>;
  extraBody: Record<string, unknown>;
  apiKeyEnv: string | null;
  includeUsage: boolean;
  tokenizer: TokenizerEncoding;
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  streamIndexHeader: boolean;
  mockServer: ResolvedMockSettings | null;
}

/** Validates http settings and fills every unset field; throws a ZodError if invalid. */
export function resolveHttpSettings(input: HttpSourceInput): ResolvedHttpSettings {
  const parsed = httpSourceSchema.parse(input);
  const prompt = parsed.prompt ?? DEFAULT_PROMPT;
  const chat = parsed.api !== 'openai-completions';
  return {
    type: 'http',
    api: parsed.api,
    baseUrl: parsed.baseUrl ?? null,
    model: parsed.model ?? 'streambench-mock',
    messages: chat ? (parsed.messages ?? [{ role: 'user', content: prompt }]) : null,
    prompt: chat ? null : prompt,
    maxTokens: parsed.maxTokens,
    temperature: parsed.temperature ?? null,
    headers: parsed.headers,
    extraBody: parsed.extraBody,
    apiKeyEnv: parsed.apiKeyEnv ?? null,
    includeUsage: parsed.includeUsage,
    tokenizer: parsed.tokenizer,
    connectTimeoutMs: parsed.connectTimeoutMs,
    firstByteTimeoutMs: parsed.firstByteTimeoutMs,
    idleTimeoutMs: parsed.idleTimeoutMs,
    streamIndexHeader: parsed.streamIndexHeader ?? parsed.mockServer !== undefined,
    mockServer: parsed.mockServer ? resolveMockSettings(parsed.mockServer) : null,
  };
}
