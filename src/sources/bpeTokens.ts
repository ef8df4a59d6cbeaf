/**
 * Real BPE token counts (gpt-tokenizer) for text from real or replayed streams, attributed
 * to the chunk that completes each token, so per-token metrics stay exact and the counts of
 * a stream's chunks sum to the tokenizer's count of the whole text.
 *
 * gpt-tokenizer encodes by splitting the text with its encoding's pre-tokenizer regex and
 * running BPE inside each piece, so a piece's tokens never cross a piece boundary: counting
 * piece by piece gives exactly the count of the whole text. A streaming counter only has to
 * wait until a piece can no longer grow.
 */
import { z } from 'zod';

export const tokenizerEncodings = ['o200k_base', 'cl100k_base'] as const;
/** A BPE encoding gpt-tokenizer bundles: o200k_base (GPT-4o and later), cl100k_base (GPT-4, GPT-3.5). */
export type TokenizerEncoding = (typeof tokenizerEncodings)[number];

export const tokenizerEncodingSchema = z.enum(tokenizerEncodings).describe('BPE encoding used to count tokens: o200k_base (GPT-4o and later) or cl100k_base (GPT-4, GPT-3.5)');

/** Counts tokens of text with one encoding. */
export interface Tokenizer {
  readonly encoding: TokenizerEncoding;
  /** Tokens in `text` (special-token strings count as plain text, as in model output). */
  count(text: string): number;
  /** The encoding's pre-tokenizer pieces of `text`, with their start offsets. */
  pieces(text: string): { start: number; text: string }[];
  /**
   * Where the second-to-last piece of `text` starts when it has at least three pieces, else 0:
   * the text before it can no longer change as text is appended (the same pieces as `pieces`).
   */
  settledLength(text: string): number;
  /**
   * `settledLength(text)` and the tokens of the pieces before it (each counted on its own, as
   * the encoding of a whole text counts them), remembered for short texts: a
   * streaming counter asks on every chunk, mostly about the same short tails again and again.
   */
  settle(text: string): Settled;
}

/** Where the settled part of a text ends, and its tokens. */
export interface Settled {
  readonly length: number;
  readonly tokens: number;
}

// Model output is plain text: a literal "<|endoftext|>" in it is text, not a control token.
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** Texts up to this long have their token counts remembered… */
const MAX_CACHED_TEXT_LENGTH = 32;
/** …up to this many of them (then the memory starts over). */
const MAX_CACHED_COUNTS = 50_000;
/** Unsettled tails up to this long have their settled part remembered (same bound on their number). */
const MAX_CACHED_TAIL_LENGTH = 64;
const NOTHING_SETTLED: Settled = { length: 0, tokens: 0 };

/** Loads an encoding (its rank tables are a few MB, so only when a source needs them). */
export async function loadTokenizer(encoding: TokenizerEncoding): Promise<Tokenizer> {
  const constants = await import('gpt-tokenizer/encodingParams/constants');
  const module = encoding === 'o200k_base' ? await import('gpt-tokenizer/encoding/o200k_base') : await import('gpt-tokenizer/encoding/cl100k_base');
  // Our own copy: matchAll starts from a global regex's lastIndex, which the library's copy may have moved.
  const sourceRegex = encoding === 'o200k_base' ? constants.O200K_TOKEN_SPLIT_REGEX : constants.CL100K_TOKEN_SPLIT_REGEX;
  const splitRegex = new RegExp(sourceRegex.source, 'gu');
  // Streamed text is counted a piece or two at a time, mostly the same short words again and
  // again: their counts are remembered (a text's count never changes, so this is exact).
  const shortCounts = new Map<string, number>();
  const count = (text: string): number => {
    if (text.length === 0) return 0;
    if (text.length > MAX_CACHED_TEXT_LENGTH) return module.encode(text, AS_PLAIN_TEXT).length;
    let tokens = shortCounts.get(text);
    if (tokens === undefined) {
      tokens = module.encode(text, AS_PLAIN_TEXT).length;
      if (shortCounts.size >= MAX_CACHED_COUNTS) shortCounts.clear();
      shortCounts.set(text, tokens);
    }
    return tokens;
  };
  // Where each piece starts, walking the same global regex as `pieces` (matchAll's steps: an
  // empty match moves on by one code point; the regex never matches empty).
  const pieceStarts = (text: string): number[] => {
    const starts: number[] = [];
    splitRegex.lastIndex = 0;
    for (let match = splitRegex.exec(text); match !== null; match = splitRegex.exec(text)) {
      if (match[0].length === 0) splitRegex.lastIndex += text.codePointAt(splitRegex.lastIndex)! > 0xffff ? 2 : 1;
      starts.push(match.index);
    }
    return starts;
  };
  const settledLength = (text: string): number => {
    const starts = pieceStarts(text);
    return starts.length < 3 ? 0 : starts[starts.length - 2]!;
  };
  const settle = (text: string): Settled => {
    const starts = pieceStarts(text);
    if (starts.length < 3) return NOTHING_SETTLED;
    // Piece by piece, as the whole text's encoding counts them: the settled text re-split on its
    // own can differ at its end ("\t\t" before a word is two pieces, at the end of a text one token).
    let tokens = 0;
    for (let piece = 0; piece < starts.length - 2; piece++) tokens += count(text.slice(starts[piece], starts[piece + 1]));
    return { length: starts[starts.length - 2]!, tokens };
  };
  // A text's settled part never changes, so remembering it is exact.
  const settledTails = new Map<string, Settled>();
  return {
    encoding,
    count,
    pieces: (text) => Array.from(text.matchAll(splitRegex), (match) => ({ start: match.index, text: match[0] })),
    settledLength,
    settle(text) {
      if (text.length > MAX_CACHED_TAIL_LENGTH) return settle(text);
      let settled = settledTails.get(text);
      if (settled === undefined) {
        settled = settle(text);
        if (settledTails.size >= MAX_CACHED_COUNTS) settledTails.clear();
        settledTails.set(text, settled);
      }
      return settled;
    },
  };
}

/**
 * Counts tokens of a stream as its chunks arrive. `push` returns the tokens the new text
 * completed: a piece counts once the text has moved two pieces past it (the pre-tokenizer's
 * look-ahead can still reshape the last two pieces). `finish` returns the rest, so that the
 * pushes and the finish sum to the count of the whole text.
 */
export class IncrementalTokenCounter {
  /** The text not yet counted (short: the last two pieces and what was appended since). */
  private unsettled = '';
  private counted = 0;

  constructor(private readonly tokenizer: Tokenizer) {}

  /** Appends a chunk's text; returns the tokens it completed. */
  push(text: string): number {
    if (text.length === 0) return 0;
    this.unsettled += text;
    const settled = this.tokenizer.settle(this.unsettled);
    if (settled.length === 0) return 0;
    this.unsettled = this.unsettled.slice(settled.length);
    this.counted += settled.tokens;
    return settled.tokens;
  }

  /** Tokens counted so far. */
  countedTokens(): number {
    return this.counted;
  }

  /**
   * Ends the stream: the tokens not yet counted, so the total equals the tokenizer's count of
   * the whole text (or `total` when given and not below what was already counted). The whole
   * text's count is what was counted plus the tail's: the counted pieces are the whole text's
   * first pieces, and pieces never share a token (so no copy of the text is kept to count again).
   */
  finish(total?: number): number {
    const rest = total === undefined ? this.tokenizer.count(this.unsettled) : Math.max(0, total - this.counted);
    this.unsettled = '';
    this.counted += rest;
    return rest;
  }
}

/**
 * Token counts per chunk of a stream known in full (a replayed trace): each pre-tokenizer
 * piece's tokens go to the chunk holding the piece's last character. The counts sum to the
 * tokenizer's count of the joined text.
 */
export function attributeTokens(chunkTexts: readonly string[], tokenizer: Tokenizer): number[] {
  const counts = chunkTexts.map(() => 0);
  const text = chunkTexts.join('');
  if (text.length === 0) return counts;
  // endOffsets[i]: offset just past chunk i's text.
  const endOffsets: number[] = [];
  let offset = 0;
  for (const chunkText of chunkTexts) endOffsets.push((offset += chunkText.length));
  let chunk = 0;
  let attributed = 0;
  for (const piece of tokenizer.pieces(text)) {
    const lastCharOffset = piece.start + piece.text.length - 1;
    while ((endOffsets[chunk] ?? Infinity) <= lastCharOffset) chunk++;
    const tokens = tokenizer.count(piece.text);
    counts[chunk] = (counts[chunk] ?? 0) + tokens;
    attributed += tokens;
  }
  // Pieces always add up to the whole; this only guards against a tokenizer that differs.
  const difference = tokenizer.count(text) - attributed;
  if (difference !== 0) {
    let last = chunkTexts.length - 1;
    while (last > 0 && chunkTexts[last]?.length === 0) last--;
    counts[last] = Math.max(0, (counts[last] ?? 0) + difference);
  }
  return counts;
}
