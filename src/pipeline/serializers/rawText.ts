/**
 * No JSON at all: a content delta is plain text behind a one-letter kind and its sequence
 * number (`c12\t<text>`, `e13\t` for the end). Justified when the event carries nothing but
 * text: SSE and WebSocket frame it already, and the sequence rides in front.
 */
import type { DecodedEvent, Serializer } from '../types.js';

/** `raw-text`: zero JSON calls per message. */
export const rawTextSerializer: Serializer = {
  name: 'raw-text',
  open() {
    return {
      encode: ({ seq, text }) => `c${seq}\t${text}`,
      encodeEnd: (seq) => `e${seq}\t`,
      relay: (item) => item,
      decode(data): DecodedEvent {
        const tab = data.indexOf('\t');
        return { seq: Number(data.slice(1, tab)), text: data.slice(tab + 1), end: data[0] === 'e' };
      },
    };
  },
};
