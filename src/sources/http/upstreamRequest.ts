/**
 * The HTTP request an http source sends, per API: endpoint URL, headers (the key as a
 * Bearer token or Anthropic's x-api-key) and the JSON body. Pure.
 */
import type { HttpApi, ResolvedHttpSettings } from './httpSchema.js';

/** Anthropic API version the source speaks (the Messages streaming events it parses). */
export const ANTHROPIC_VERSION = '2023-06-01';

/** One request, ready for undici. */
export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const ENDPOINT_PATHS: Record<HttpApi, string> = {
  'openai-chat': '/chat/completions',
  'openai-completions': '/completions',
  anthropic: '/messages',
};

/**
 * `{baseUrl}/chat/completions` (etc.), keeping any query string of the base URL after the path.
 * Anthropic's own base URL has no version segment (`https://api.anthropic.com`; its SDK adds
 * `/v1`), so for Anthropic a base URL without one gets `/v1` too: both forms reach `/v1/messages`.
 */
export function endpointUrl(baseUrl: string, api: HttpApi): string {
  const url = new URL(baseUrl);
  const base = url.pathname.replace(/\/+$/, '');
  const version = api === 'anthropic' && !/\/v\d+[a-z0-9]*$/i.test(base) ? '/v1' : '';
  url.pathname = `${base}${version}${ENDPOINT_PATHS[api]}`;
  return url.toString();
}

/** The JSON body of a streaming request. */
export function requestBody(settings: ResolvedHttpSettings): Record<string, unknown> {
  const common = {
    model: settings.model,
    max_tokens: settings.maxTokens,
    stream: true,
    ...(settings.temperature !== null ? { temperature: settings.temperature } : {}),
  };
  const usage = settings.includeUsage ? { stream_options: { include_usage: true } } : {};
  switch (settings.api) {
    case 'openai-chat':
      return { ...common, messages: settings.messages, ...usage, ...settings.extraBody };
    case 'openai-completions':
      return { ...common, prompt: settings.prompt, ...usage, ...settings.extraBody };
    case 'anthropic': {
      // Anthropic takes system instructions in their own field, not as a message.
      const messages = settings.messages ?? [];
      const system = messages.filter((message) => message.role === 'system' || message.role === 'developer').map((message) => message.content);
      const turns = messages.filter((message) => message.role === 'user' || message.role === 'assistant');
      return { ...common, ...(system.length > 0 ? { system: system.join('\n\n') } : {}), messages: turns, ...settings.extraBody };
    }
  }
}

/** The request for one stream; `apiKey` null sends no credentials; `streamIndex` non-null adds the mock's stream header. */
export function buildUpstreamRequest(settings: ResolvedHttpSettings, baseUrl: string, apiKey: string | null, streamIndex: number | null): UpstreamRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (settings.api === 'anthropic') {
    headers['anthropic-version'] = ANTHROPIC_VERSION;
    if (apiKey !== null) headers['x-api-key'] = apiKey;
  } else if (apiKey !== null) {
    headers.authorization = `Bearer ${apiKey}`;
  }
  if (streamIndex !== null) headers['x-streambench-stream'] = String(streamIndex);
  // The scenario's own headers win (e.g. a gateway's auth header instead of the key).
  for (const [name, value] of Object.entries(settings.headers)) headers[name.toLowerCase()] = value;
  return { url: endpointUrl(baseUrl, settings.api), headers, body: JSON.stringify(requestBody(settings)) };
}
