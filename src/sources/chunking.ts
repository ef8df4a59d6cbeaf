/**
 * Upstream chunk granularity: how a provider groups tokens into stream deltas. This is
 * what the seed's `chunk_size` stands for (it is not an API parameter): one character,
 * one token, or N tokens per delta.
 */
import { z } from 'zod';

export const granularitySchema = z
  .union([
    z.enum(['char', 'token']).describe("'char': one chunk per character (Unicode code point); 'token': one chunk per token"),
    z.strictObject({
      tokensPerChunk: z.number().int().min(1).describe('tokens per chunk; the last chunk may hold fewer'),
    }),
  ])
  .describe("upstream chunk granularity: 'char', 'token' or {tokensPerChunk: N}");

/** Upstream chunk granularity as written in a scenario. */
export type Granularity = z.infer<typeof granularitySchema>;

/** A chunk's content and the number of tokens it completes. */
export interface TokenChunk {
  text: string;
  /** Tokens whose last character is in this chunk. */
  tokens: number;
}

/** Splits each token into one chunk per code point; only the token's last chunk counts it. */
function chunkByChar(tokens: readonly string[]): TokenChunk[] {
  const chunks: TokenChunk[] = [];
  for (const token of tokens) {
    // Array.from iterates code points, so a surrogate pair (emoji) stays in one chunk.
    const codePoints = Array.from(token);
    if (codePoints.length === 0) {
      // An empty token still counts, or the sum of tokens would drift from the token count.
      chunks.push({ text: '', tokens: 1 });
      continue;
    }
    codePoints.forEach((codePoint, position) => {
      chunks.push({ text: codePoint, tokens: position === codePoints.length - 1 ? 1 : 0 });
    });
  }
  return chunks;
}

/** Groups tokens into chunks of `tokensPerChunk` (the last may have fewer). */
function chunkByTokenCount(tokens: readonly string[], tokensPerChunk: number): TokenChunk[] {
  if (!Number.isInteger(tokensPerChunk) || tokensPerChunk < 1) {
    throw new RangeError(`tokensPerChunk must be an integer >= 1, got ${tokensPerChunk}`);
  }
  const chunks: TokenChunk[] = [];
  for (let start = 0; start < tokens.length; start += tokensPerChunk) {
    const group = tokens.slice(start, start + tokensPerChunk);
    chunks.push({ text: group.join(''), tokens: group.length });
  }
  return chunks;
}

/** Groups tokens into stream chunks at a granularity; the chunks' token counts sum to tokens.length. */
export function chunkTokens(tokens: readonly string[], granularity: Granularity): TokenChunk[] {
  if (granularity === 'char') return chunkByChar(tokens);
  if (granularity === 'token') return chunkByTokenCount(tokens, 1);
  return chunkByTokenCount(tokens, granularity.tokensPerChunk);
}
