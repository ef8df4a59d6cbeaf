/**
 * The Vercel AI SDK UI message stream (header `x-vercel-ai-ui-message-stream: v1`): SSE of
 * JSON parts — start, text-start, text-delta (`delta` holds the text), text-end, finish —
 * then `data: [DONE]`.
 */
import { type FormatSpec, parseJsonOrUndefined } from './formatSpec.js';

/** The ai-sdk-ui format. */
export const aiSdkUi: FormatSpec = {
  framing: 'sse',
  expected: 'SSE of JSON parts `data: {"type":"text-delta","id":"…","delta":"…"}` (the AI SDK UI message stream) ending with `data: [DONE]`',
  endMarker: true,
  interpret(unit) {
    if (unit.malformedFraming) return { text: '', malformed: true };
    if (unit.data.trim() === '[DONE]') return { text: '', end: true };
    const json = parseJsonOrUndefined(unit.data) as { type?: unknown; delta?: unknown; errorText?: unknown } | undefined;
    if (json === undefined || json === null || typeof json !== 'object' || typeof json.type !== 'string') return { text: '', malformed: true };
    if (json.type === 'finish') return { text: '', end: true, json };
    if (json.type === 'error') return { text: '', json, error: String(json.errorText) };
    if (json.type !== 'text-delta') return { text: '', json };
    if (typeof json.delta !== 'string') return { text: '', malformed: true, json };
    return { text: json.delta, json };
  },
};
