/** Anthropic Messages SSE: `event: content_block_delta` with a `text_delta`, ending with `event: message_stop`. */
import { errorText, type FormatSpec, parseJsonOrUndefined } from './formatSpec.js';

/** The anthropic-sse format. */
export const anthropicSse: FormatSpec = {
  framing: 'sse',
  expected: 'SSE events `event: content_block_delta` / `data: {"delta":{"type":"text_delta","text":"…"}}` ending with `event: message_stop`',
  endMarker: true,
  interpret(unit) {
    if (unit.malformedFraming) return { text: '', malformed: true };
    const json = parseJsonOrUndefined(unit.data) as { type?: string; delta?: { type?: string; text?: unknown }; error?: unknown } | undefined;
    if (json === undefined || json === null || typeof json !== 'object') return { text: '', malformed: true };
    // The event name and the data's `type` agree in Anthropic's stream; either is enough.
    const type = unit.event ?? json.type;
    if (type === 'message_stop') return { text: '', end: true, json };
    if (type === 'error') return { text: '', json, error: errorText(json.error) };
    if (type !== 'content_block_delta' || json.delta?.type !== 'text_delta') return { text: '', json };
    if (typeof json.delta.text !== 'string') return { text: '', malformed: true, json };
    return { text: json.delta.text, json };
  },
};
