/**
 * Serialize once, pass the string through: the producer stringifies a flat message once,
 * the relay forwards the stored string untouched, the client parses once.
 */
import type { DecodedEvent, Serializer } from '../types.js';

interface FlatMessage {
  seq: number;
  type: 'content' | 'end';
  text?: string;
}

/** `single-pass`: one stringify and one parse per message, end to end. */
export const singlePassSerializer: Serializer = {
  name: 'single-pass',
  open(json) {
    return {
      encode: ({ seq, text }) => json.stringify({ seq, type: 'content', text } satisfies FlatMessage),
      encodeEnd: (seq) => json.stringify({ seq, type: 'end' } satisfies FlatMessage),
      relay: (item) => item,
      decode(data): DecodedEvent {
        const message = json.parse<FlatMessage>(data);
        return { seq: message.seq, text: message.text ?? '', end: message.type === 'end' };
      },
    };
  },
};
