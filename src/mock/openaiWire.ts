/**
 * The OpenAI wire formats as the official SDK reads them: `chat.completion.chunk` events
 * (a role chunk first, `choices[0].delta.content`, a chunk with `finish_reason`, a usage
 * chunk with empty `choices` when `stream_options.include_usage` was asked, then
 * `data: [DONE]`), and the legacy `text_completion` stream. Reasoning goes out as
 * `delta.reasoning_content`, the field DeepSeek and vLLM use.
 */
import type { SourceChunk } from '../sources/types.js';
import type { MockFinishReason } from './mockPlan.js';
import { type MockUsage, type ResponseIdentity, type ResponseWire, sseFrame } from './wire.js';

const DONE_FRAME = 'data: [DONE]\n\n';

/** OpenAI's usage object. */
function usageObject(usage: MockUsage) {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/** The `/v1/chat/completions` format for one response. */
export function openAiChatWire(identity: ResponseIdentity): ResponseWire {
  const chunkEvent = (delta: Record<string, unknown>, finishReason: MockFinishReason | null) => ({
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    // With include_usage, OpenAI sends `usage: null` on every chunk but the last.
    ...(identity.includeUsage ? { usage: null } : {}),
  });
  return {
    preamble: () => sseFrame(chunkEvent({ role: 'assistant', content: '', refusal: null }, null)),
    chunk: (chunk: SourceChunk) => sseFrame(chunkEvent(chunk.reasoning !== undefined ? { reasoning_content: chunk.reasoning } : { content: chunk.text }, null)),
    malformed: () => `data: {"id":"${identity.id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"\n\n`,
    end(finishReason, usage) {
      let frames = sseFrame(chunkEvent({}, finishReason));
      if (identity.includeUsage) {
        frames += sseFrame({
          id: identity.id,
          object: 'chat.completion.chunk',
          created: identity.created,
          model: identity.model,
          system_fingerprint: null,
          choices: [],
          usage: usageObject(usage),
        });
      }
      return frames + DONE_FRAME;
    },
    complete: (text, reasoning, finishReason, usage) => ({
      id: identity.id,
      object: 'chat.completion',
      created: identity.created,
      model: identity.model,
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null, ...(reasoning ? { reasoning_content: reasoning } : {}) },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage: usageObject(usage),
    }),
  };
}

/** The legacy `/v1/completions` format for one response (reasoning, which it has no field for, is not sent). */
export function openAiCompletionsWire(identity: ResponseIdentity): ResponseWire {
  const completionEvent = (text: string, finishReason: MockFinishReason | null) => ({
    id: identity.id,
    object: 'text_completion',
    created: identity.created,
    model: identity.model,
    choices: [{ text, index: 0, logprobs: null, finish_reason: finishReason }],
    ...(identity.includeUsage ? { usage: null } : {}),
  });
  return {
    preamble: () => '',
    chunk: (chunk: SourceChunk) => (chunk.reasoning !== undefined ? '' : sseFrame(completionEvent(chunk.text, null))),
    malformed: () => `data: {"id":"${identity.id}","object":"text_completion","choices":[{"text":"\n\n`,
    end(finishReason, usage) {
      let frames = sseFrame(completionEvent('', finishReason));
      if (identity.includeUsage) {
        frames += sseFrame({ id: identity.id, object: 'text_completion', created: identity.created, model: identity.model, choices: [], usage: usageObject(usage) });
      }
      return frames + DONE_FRAME;
    },
    complete: (text, _reasoning, finishReason, usage) => ({
      id: identity.id,
      object: 'text_completion',
      created: identity.created,
      model: identity.model,
      choices: [{ text, index: 0, logprobs: null, finish_reason: finishReason }],
      usage: usageObject(usage),
    }),
  };
}

/** OpenAI's JSON error body for a status the mock answers with. */
export function openAiErrorBody(status: number, message: string): unknown {
  const serverError = { type: 'server_error', code: null };
  const kinds: Record<number, { type: string; code: string | null }> = {
    400: { type: 'invalid_request_error', code: null },
    404: { type: 'invalid_request_error', code: 'unknown_url' },
    429: { type: 'requests', code: 'rate_limit_exceeded' },
    500: serverError,
  };
  const kind = kinds[status] ?? serverError;
  return { error: { message, type: kind.type, param: null, code: kind.code } };
}
