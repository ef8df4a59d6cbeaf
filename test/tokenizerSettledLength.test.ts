import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTokenizer, tokenizerEncodings } from '../src/sources/bpeTokens.js';
import { itemAt } from './helpers/indexed.js';

// Pieces that stress the pre-tokenizer: contractions, digit runs, whitespace before words and
// at the end (its look-ahead), CRLF, accents, CJK, astral emoji.
const FRAGMENTS = ['a', 'Bo', ' ', '  ', '\n', '\r\n', "'s", "'LL", '1', '123', '4567', '!', '.', '?!', 'é', '日本', '😀', '\t', '-', 'Ж'];

describe('Tokenizer.settledLength', () => {
  it.each(tokenizerEncodings)('%s: where the second-to-last piece starts, as the pieces say (0 under three pieces)', async (encoding) => {
    const tokenizer = await loadTokenizer(encoding);
    const text = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 14 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (value) => {
        const pieces = tokenizer.pieces(value);
        expect(tokenizer.settledLength(value)).toBe(pieces.length < 3 ? 0 : itemAt(pieces, pieces.length - 2, 'pieces').start);
      }),
      { numRuns: 2000 },
    );
  });

  it.each(tokenizerEncodings)('%s: settle is settledLength and the tokens of the pieces before it, asked twice (remembered) or not', async (encoding) => {
    const tokenizer = await loadTokenizer(encoding);
    const text = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (value) => {
        const length = tokenizer.settledLength(value);
        // Piece by piece: "\t\t" before a word is two pieces (two tokens), on its own one piece and one token.
        const tokens = tokenizer
          .pieces(value)
          .filter((piece) => piece.start < length)
          .reduce((sum, piece) => sum + tokenizer.count(piece.text), 0);
        const expected = { length, tokens };
        expect(tokenizer.settle(value)).toEqual(expected);
        expect(tokenizer.settle(value)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
