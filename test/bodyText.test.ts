/**
 * The http source's body decoding: ASCII pieces are copied as they are, others go through a
 * streaming TextDecoder. However a body is split, the text must be a streaming TextDecoder's
 * for the whole body: characters split across pieces, invalid bytes, a leading BOM.
 */
import { describe, expect, it } from 'vitest';
import { BodyTextDecoder } from '../src/sources/http/bodyText.js';

/** The body cut at `cuts` (sorted offsets), decoded piece by piece. */
function decodedInPieces(body: Buffer, cuts: number[]): string {
  const decoder = new BodyTextDecoder();
  let text = '';
  let from = 0;
  for (const cut of [...cuts, body.length]) {
    text += decoder.decode(body.subarray(from, cut));
    from = cut;
  }
  return text;
}

/** A streaming TextDecoder's text of the whole body, fed in the same pieces (never flushed, as the source never flushed it: a body cut mid-character ends without it). */
function reference(body: Buffer, cuts: number[]): string {
  const decoder = new TextDecoder();
  let text = '';
  let from = 0;
  for (const cut of [...cuts, body.length]) {
    text += decoder.decode(body.subarray(from, cut), { stream: true });
    from = cut;
  }
  return text;
}

const bodies: Record<string, Buffer> = {
  ascii: Buffer.from('data: {"content":"Hello"}\n\ndata: [DONE]\n\n'),
  'multi-byte characters': Buffer.from('data: {"content":"héllo wörld — 日本語 🙂"}\n\n'),
  'a leading BOM': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('data: x\n\n')]),
  'a BOM after ASCII (kept: only a leading one is dropped)': Buffer.from('data: a\uFEFFb\n\n'),
  'invalid bytes': Buffer.concat([Buffer.from('data: a'), Buffer.from([0xe6, 0x97]), Buffer.from('b\n\n'), Buffer.from([0xff, 0xc3])]),
};

describe('BodyTextDecoder', () => {
  for (const [name, body] of Object.entries(bodies)) {
    it(`${name}: every split into two or three pieces decodes as a streaming TextDecoder does`, () => {
      for (let first = 0; first <= body.length; first++) {
        expect(decodedInPieces(body, [first])).toBe(reference(body, [first]));
        for (let second = first; second <= body.length; second += 3) expect(decodedInPieces(body, [first, second])).toBe(reference(body, [first, second]));
      }
    });
  }

  it('hands ASCII pieces out as they are', () => {
    const decoder = new BodyTextDecoder();
    expect(decoder.decode(Buffer.from('data: {"a":1}\n\n'))).toBe('data: {"a":1}\n\n');
    expect(decoder.decode(Buffer.from(''))).toBe('');
  });
});
