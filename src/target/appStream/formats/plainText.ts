/** Plain chunked text: every body chunk is content; the body's end is the stream's end. */
import type { FormatSpec } from './formatSpec.js';

/** The text format. */
export const plainText: FormatSpec = {
  framing: 'chunks',
  expected: 'a plain text body',
  endMarker: false,
  interpret: (unit) => ({ text: unit.data }),
};
