/**
 * The http source's warm-up decodes a sample response of the request's API, so the first timed
 * chunk does not carry the SSE parser's, event decoding's and tokenizer's first run: the sample
 * must reach the content path (chunks with text, counted by the tokenizer) for every API.
 */
import { describe, expect, it } from 'vitest';
import { loadTokenizer, type Tokenizer } from '../src/sources/bpeTokens.js';
import { httpApis } from '../src/sources/http/httpApis.js';
import { warmDecoder } from '../src/sources/http/warmDecoder.js';

describe('warmDecoder', async () => {
  const real = await loadTokenizer('o200k_base');
  for (const api of httpApis) {
    for (const includeUsage of [false, true]) {
      it(`${api}${includeUsage ? ' with usage' : ''}: decodes both content chunks and counts them with the tokenizer`, () => {
        const counted: string[] = [];
        const tokenizer: Tokenizer = new Proxy(real, {
          get(target, key, receiver) {
            const value = Reflect.get(target, key, receiver);
            // count, and settle (the streaming counter's remembered count of a text's settled part).
            if ((key !== 'count' && key !== 'settle') || typeof value !== 'function') return value;
            return (text: string) => {
              counted.push(text);
              return (value as (text: string) => unknown).call(target, text);
            };
          },
        });
        expect(warmDecoder(api, tokenizer, includeUsage)).toBe(2);
        expect(counted.join('')).toMatch(/^Warm/);
      });
    }
  }
});
