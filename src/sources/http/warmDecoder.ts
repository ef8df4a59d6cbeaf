/**
 * A sample response of each API run through a throwaway StreamDecoder: the SSE parser, the
 * event decoding and the tokenizer run once before the first timed stream, so its first
 * chunk does not carry their first run (about 5 ms on a quiet machine, more on a busy one).
 */
import { anthropicWire } from '../../mock/anthropicWire.js';
import { openAiChatWire, openAiCompletionsWire } from '../../mock/openaiWire.js';
import type { Tokenizer } from '../bpeTokens.js';
import type { HttpApi } from './httpSchema.js';
import { StreamDecoder } from './streamDecoder.js';

/** A short streamed answer in the wire format of `api` (preamble, two chunks, end), as the mock server sends it. */
export function sampleResponse(api: HttpApi, includeUsage: boolean): string {
  const identity = { id: 'warm-up', created: 0, model: 'warm-up', includeUsage };
  const wire = api === 'anthropic' ? anthropicWire(identity, 1) : api === 'openai-chat' ? openAiChatWire(identity) : openAiCompletionsWire(identity);
  const chunks = ['Warm', ' up.'].map((text, index) => wire.chunk({ index, text, tokens: 1 }));
  return wire.preamble() + chunks.join('') + wire.end('stop', { promptTokens: 1, completionTokens: 2, reasoningTokens: 0 });
}

/** Decodes a sample response of `api` once, with no observer; returns how many content chunks it yielded. */
export function warmDecoder(api: HttpApi, tokenizer: Tokenizer, includeUsage: boolean): number {
  const decoder = new StreamDecoder(api, tokenizer, includeUsage);
  const chunks = decoder.feed(sampleResponse(api, includeUsage), 0);
  const closing = decoder.finish();
  return chunks.filter((chunk) => chunk.text.length > 0).length + (closing && closing.text.length > 0 ? 1 : 0);
}
