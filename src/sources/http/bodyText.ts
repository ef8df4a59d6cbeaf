/**
 * Turns a response body's UTF-8 pieces into text as they arrive. A piece of ASCII bytes (an
 * LLM's SSE is mostly JSON escapes and ASCII words) is its own text: copied as one-byte
 * characters, about a sixth of a streaming TextDecoder's cost. Any other piece goes through
 * the streaming TextDecoder, which keeps a character split across pieces; the result is the
 * same text as that decoder's for the whole body (U+FFFD for invalid bytes, a leading BOM dropped).
 */
import { isAscii } from 'node:buffer';

// Decoding options of every non-ASCII piece (a multi-byte character may span two pieces).
const STREAMING = { stream: true } as const;
const BOM = '\uFEFF';

/** Decodes one body, piece by piece, in order. */
export class BodyTextDecoder {
  // The BOM is dropped here, not by the decoder: it may first see the body after ASCII pieces.
  private readonly utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
  /** The decoder may hold the first bytes of a character (the last piece it read ended in a non-ASCII byte). */
  private decoderHolds = false;
  /** No text handed out yet: a BOM there is dropped, as TextDecoder drops it. */
  private atStart = true;

  /** The text of the next piece of the body. */
  decode(bytes: Buffer): string {
    if (!this.decoderHolds && isAscii(bytes)) {
      if (bytes.length > 0) this.atStart = false;
      return bytes.toString('latin1');
    }
    // An ASCII last byte completes or ends whatever the decoder held: it holds nothing after it.
    this.decoderHolds = bytes.length > 0 && bytes[bytes.length - 1]! >= 0x80;
    let text = this.utf8.decode(bytes, STREAMING);
    if (this.atStart && text.length > 0) {
      this.atStart = false;
      if (text.startsWith(BOM)) text = text.slice(1);
    }
    return text;
  }
}
