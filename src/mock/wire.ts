/**
 * The shape every mock wire format implements: the frames of one streamed response, the
 * body of a non-streamed one, and the provider's error body. One instance per response,
 * because a format may keep state (Anthropic's open content block).
 */
import type { SourceChunk } from '../sources/types.js';
import type { MockFinishReason } from './mockPlan.js';

/** Token counts the mock reports as the provider's usage. */
export interface MockUsage {
  promptTokens: number;
  /** Answer and reasoning tokens, as providers count them. */
  completionTokens: number;
  reasoningTokens: number;
}

/** Facts of one response that every frame repeats. */
export interface ResponseIdentity {
  id: string;
  /** Unix seconds (an identifier field, not a measurement). */
  created: number;
  model: string;
  /** OpenAI: the request asked for `stream_options.include_usage`. */
  includeUsage: boolean;
}

/** Serializes one response in a provider's wire format. */
export interface ResponseWire {
  /** SSE frames sent as soon as the response starts (before the first token). */
  preamble(): string;
  /** The SSE frame(s) of one reasoning or content chunk. */
  chunk(chunk: SourceChunk): string;
  /** An event whose JSON is cut short, for the malformed-chunk fault. */
  malformed(): string;
  /** The frames that end the stream: finish reason, usage, terminator. */
  end(finishReason: MockFinishReason, usage: MockUsage): string;
  /** The whole response for a request with `stream: false`. */
  complete(text: string, reasoning: string, finishReason: MockFinishReason, usage: MockUsage): unknown;
}

/** One SSE frame: an optional event name and a JSON payload. */
export function sseFrame(payload: unknown, event?: string): string {
  return `${event !== undefined ? `event: ${event}\n` : ''}data: ${JSON.stringify(payload)}\n\n`;
}
