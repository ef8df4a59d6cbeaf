/**
 * What one server-sent event of an LLM stream means, per API: content and reasoning text,
 * usage, the end of the answer, or an error. Pure: event in, decoded facts out; an event
 * whose data is not the JSON the API promises is reported as malformed.
 */
import type { UpstreamUsage } from '../types.js';
import type { HttpApi } from './httpSchema.js';

/** The facts of one event (most events carry only some of them). */
export interface DecodedEvent {
  content: string;
  reasoning: string;
  /** Usage fields this event reports (Anthropic splits them over two events). */
  usage: Partial<UpstreamUsage> | null;
  /** The answer ended (finish_reason, stop_reason). */
  finished: boolean;
  /** The stream is over (`[DONE]`, message_stop). */
  done: boolean;
  /** An error the server sent inside the stream. */
  error: string | null;
}

/** An event that could not be understood. */
export const MALFORMED = Symbol('malformed');

const NOTHING: DecodedEvent = { content: '', reasoning: '', usage: null, finished: false, done: false, error: null };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const count = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The message of an error object as providers send it (`{error: {message}}`, `{error: "..."}`, `{message}`). */
export function errorMessageOf(body: unknown): string | null {
  if (!isObject(body)) return null;
  const error = body.error;
  if (typeof error === 'string') return error;
  if (isObject(error)) {
    const message = text(error.message) || text(error.type);
    const type = text(error.type) || text(error.code);
    if (message) return type && type !== message ? `${message} (${type})` : message;
  }
  return text(body.message) || text(body.detail) || null;
}

/** OpenAI's usage object. */
function openAiUsage(usage: unknown): Partial<UpstreamUsage> | null {
  if (!isObject(usage)) return null;
  const details = isObject(usage.completion_tokens_details) ? usage.completion_tokens_details : {};
  return {
    promptTokens: count(usage.prompt_tokens),
    completionTokens: count(usage.completion_tokens),
    reasoningTokens: count(details.reasoning_tokens),
  };
}

/** An event's JSON object, or MALFORMED when the data is not a JSON object. */
function parseObject(data: string): Json | typeof MALFORMED {
  try {
    const json: unknown = JSON.parse(data);
    return isObject(json) ? json : MALFORMED;
  } catch {
    return MALFORMED;
  }
}

/** One `data:` payload of an OpenAI-compatible chat or completions stream. */
function decodeOpenAi(api: 'openai-chat' | 'openai-completions', data: string): DecodedEvent | typeof MALFORMED {
  if (data.trim() === '[DONE]') return { ...NOTHING, done: true };
  const json = parseObject(data);
  if (json === MALFORMED) return MALFORMED;
  if (json.error !== undefined && json.error !== null) return { ...NOTHING, error: errorMessageOf(json) ?? JSON.stringify(json.error) };
  const choices = Array.isArray(json.choices) ? json.choices : [];
  // Only the first choice is the stream (n > 1 is not benchmarked).
  const choice: Json = choices.find((item: unknown) => isObject(item) && (item.index ?? 0) === 0) ?? {};
  const delta: Json = isObject(choice.delta) ? choice.delta : {};
  return {
    content: api === 'openai-chat' ? text(delta.content) : text(choice.text),
    // DeepSeek and vLLM call it reasoning_content, OpenRouter and Ollama reasoning.
    reasoning: text(delta.reasoning_content) || text(delta.reasoning),
    usage: openAiUsage(json.usage),
    finished: choice.finish_reason !== undefined && choice.finish_reason !== null,
    done: false,
    error: null,
  };
}

/** One event of an Anthropic Messages stream (the type is in the JSON; the SSE event name repeats it). */
function decodeAnthropic(data: string, eventName: string | undefined): DecodedEvent | typeof MALFORMED {
  const json = parseObject(data);
  if (json === MALFORMED) return MALFORMED;
  const type = text(json.type) || eventName;
  switch (type) {
    case 'message_start': {
      const message = isObject(json.message) ? json.message : {};
      const usage = isObject(message.usage) ? message.usage : {};
      return { ...NOTHING, usage: { promptTokens: count(usage.input_tokens) } };
    }
    case 'content_block_delta': {
      const delta = isObject(json.delta) ? json.delta : {};
      if (delta.type === 'text_delta') return { ...NOTHING, content: text(delta.text) };
      if (delta.type === 'thinking_delta') return { ...NOTHING, reasoning: text(delta.thinking) };
      return NOTHING; // signature and tool-input deltas carry no text
    }
    case 'message_delta': {
      const delta = isObject(json.delta) ? json.delta : {};
      const usage = isObject(json.usage) ? json.usage : {};
      const reported: Partial<UpstreamUsage> = { completionTokens: count(usage.output_tokens) };
      if (count(usage.input_tokens) !== null) reported.promptTokens = count(usage.input_tokens);
      return { ...NOTHING, usage: reported, finished: delta.stop_reason !== undefined && delta.stop_reason !== null };
    }
    case 'message_stop':
      return { ...NOTHING, done: true };
    case 'error':
      return { ...NOTHING, error: errorMessageOf(json) ?? 'error event' };
    default:
      return NOTHING; // ping, content_block_start, content_block_stop
  }
}

/** Decodes one SSE event of `api`'s stream. */
export function decodeEvent(api: HttpApi, data: string, eventName: string | undefined): DecodedEvent | typeof MALFORMED {
  return api === 'anthropic' ? decodeAnthropic(data, eventName) : decodeOpenAi(api, data);
}
