/**
 * ContentSlotDecoder skips JSON.parse for events that differ from a checked earlier one only in
 * the content text: every event of any stream must decode exactly as decodeEvent decodes it,
 * including texts with quotes, escapes and control characters, decoys (the text also in another
 * field), shapes that change mid-stream, duplicate keys and malformed events.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContentSlotDecoder } from '../src/sources/http/contentSlot.js';
import { httpApis } from '../src/sources/http/httpApis.js';
import type { HttpApi } from '../src/sources/http/httpSchema.js';
import { decodeEvent } from '../src/sources/http/upstreamEvents.js';

const texts = fc.oneof(
  fc.constantFrom('Hello', ' world', '', 'mock', '"', '\\', 'a"b', 'x\\ny', '\n', ' é', '😀', 'streambench content slot 7f3a9c', 'content', '"content":"'),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);

/** One event's data as a server might write it (JSON.stringify escapes what it must; some servers escape more). */
function eventData(api: HttpApi, shape: number, text: string, id: string, escapeAll: boolean): string {
  const literal = escapeAll ? `"${[...text].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"` : JSON.stringify(text);
  switch (api) {
    case 'anthropic':
      return [
        `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${literal}}}`,
        `{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":${literal}}}`,
        `{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}`,
        `{"type":"content_block_delta", "index":0, "delta":{"type":"text_delta","text":${literal},"text":"dup"}}`,
        `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${literal}}`,
      ][shape]!;
    case 'openai-chat':
      return [
        `{"id":"${id}","object":"chat.completion.chunk","model":"mock","choices":[{"index":0,"delta":{"content":${literal}},"finish_reason":null}],"usage":null}`,
        `{"id":"${id}","model":${literal},"choices":[{"index":0,"delta":{"content":${literal}},"finish_reason":null}]}`,
        `{"id":"${id}","choices":[{"index":0,"delta":{"content":${literal},"reasoning_content":"think"},"finish_reason":"stop"}]}`,
        `{"id":"${id}","choices":[{"index":1,"delta":{"content":"other"}},{"index":0,"delta":{"content":${literal},"content":"dup"}}]}`,
        `{"id":"${id}","choices":[{"index":0,"delta":{"content":${literal}}}],"usage":{"prompt_tokens":1,"completion_tokens":2}}`,
      ][shape]!;
    case 'openai-completions':
      return [
        `{"id":"${id}","object":"text_completion","choices":[{"index":0,"text":${literal},"finish_reason":null}]}`,
        `{"id":"${id}","choices":[{"text":${literal},"index":0,"logprobs":null,"finish_reason":null}]}`,
        `{"id":"${id}","choices":[{"index":0,"text":${literal},"finish_reason":"length"}]}`,
        `{"id":"${id}","choices":[{"index":0,"text":${literal}}],"error":{"message":${literal}}}`,
        `{"id":"${id}","choices":[{"index":0,"text":${literal}}]`,
      ][shape]!;
  }
}

describe('ContentSlotDecoder', () => {
  for (const api of httpApis) {
    it(`${api}: every event decodes as decodeEvent decodes it`, () => {
      // Mostly one shape (a stream's content events), sometimes another, an event name, an id or a raw event.
      const shape = fc.record({
        shape: fc.integer({ min: 0, max: 4 }),
        id: fc.constantFrom('a', 'b'),
        escapeAll: fc.boolean(),
        eventName: fc.constantFrom(undefined, 'content_block_delta', 'ping'),
      });
      const event = fc.record({
        text: texts,
        other: fc.oneof({ arbitrary: fc.constant(null), weight: 5 }, { arbitrary: shape, weight: 1 }),
        raw: fc.oneof({ arbitrary: fc.constant(null), weight: 12 }, { arbitrary: fc.constantFrom('[DONE]', ' [DONE] ', 'not json', '{}', '[]', ''), weight: 1 }),
      });
      fc.assert(
        fc.property(shape, fc.array(event, { maxLength: 40 }), (base, events) => {
          const decoder = new ContentSlotDecoder(api);
          for (const { text, other, raw } of events) {
            const { shape: kind, id, escapeAll, eventName } = other ?? base;
            const data = raw ?? eventData(api, kind, text, id, escapeAll);
            expect(decoder.decode(data, eventName)).toEqual(decodeEvent(api, data, eventName));
          }
        }),
        { numRuns: 400 },
      );
    });
  }

  it('skips the parse for a run of content events (the slot is learned from the first)', () => {
    const decoder = new ContentSlotDecoder('openai-chat');
    const parse = JSON.parse;
    let parses = 0;
    JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      parses++;
      return parse(text, reviver);
    }) as typeof JSON.parse;
    try {
      for (const text of ['Hi', ' there', ',', ' how', ' are', ' you', '?']) {
        expect(decoder.decode(eventData('openai-chat', 0, text, 'a', false), undefined)).toEqual({
          content: text,
          reasoning: '',
          usage: null,
          finished: false,
          done: false,
          error: null,
        });
      }
    } finally {
      JSON.parse = parse;
    }
    // The first event, and the check of its slot with the sentinel.
    expect(parses).toBe(2);
  });
});
