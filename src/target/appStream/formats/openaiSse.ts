/** OpenAI chat-completions chunks passed through as SSE: data: {"choices":[{"delta":{"content":…}}]} … data: [DONE]. */
import { contentField, errorText, type FormatSpec, parseJsonOrUndefined } from './formatSpec.js';

/** The openai-sse format. */
export const openAiSse: FormatSpec = {
  framing: 'sse',
  expected: 'SSE events `data: {"choices":[{"delta":{"content":"…"}}]}` ending with `data: [DONE]`',
  endMarker: true,
  interpret(unit) {
    if (unit.malformedFraming) return { text: '', malformed: true };
    if (unit.data.trim() === '[DONE]') return { text: '', end: true };
    const json = parseJsonOrUndefined(unit.data) as { choices?: Array<{ delta?: { content?: unknown } }>; error?: unknown } | undefined;
    if (json === undefined || json === null || typeof json !== 'object') return { text: '', malformed: true };
    if (json.error !== undefined) return { text: '', json, error: errorText(json.error) };
    // Usage-only chunks have no choices; role-only deltas have no content.
    return contentField(json.choices?.[0]?.delta?.content, json);
  },
};
