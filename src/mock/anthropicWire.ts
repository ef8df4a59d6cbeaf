/**
 * Anthropic's Messages stream as the official SDK reads it: `message_start`, a `ping`,
 * per content block `content_block_start` / `content_block_delta` / `content_block_stop`
 * (a `thinking` block with `thinking_delta`s and a `signature_delta` before the `text`
 * block when there is reasoning), then `message_delta` with the stop reason and output
 * tokens, and `message_stop`.
 */
import type { SourceChunk } from '../sources/types.js';
import type { MockFinishReason } from './mockPlan.js';
import { type ResponseIdentity, type ResponseWire, sseFrame } from './wire.js';

type BlockKind = 'thinking' | 'text';

// Not a real signature: clients only carry it along.
const MOCK_SIGNATURE = 'bW9jay1zaWduYXR1cmU=';

/** Anthropic's stop reason for the mock's finish reason. */
function stopReason(finishReason: MockFinishReason): string {
  return finishReason === 'length' ? 'max_tokens' : 'end_turn';
}

/** The `/v1/messages` format for one response. */
export function anthropicWire(identity: ResponseIdentity, promptTokens: number): ResponseWire {
  let openBlock: { kind: BlockKind; index: number } | null = null;
  let blocks = 0;

  const startBlock = (kind: BlockKind): string => {
    let frames = closeBlock();
    openBlock = { kind, index: blocks++ };
    const contentBlock = kind === 'thinking' ? { type: 'thinking', thinking: '', signature: '' } : { type: 'text', text: '' };
    frames += sseFrame({ type: 'content_block_start', index: openBlock.index, content_block: contentBlock }, 'content_block_start');
    return frames;
  };
  const closeBlock = (): string => {
    if (!openBlock) return '';
    let frames = '';
    if (openBlock.kind === 'thinking') {
      frames += sseFrame({ type: 'content_block_delta', index: openBlock.index, delta: { type: 'signature_delta', signature: MOCK_SIGNATURE } }, 'content_block_delta');
    }
    frames += sseFrame({ type: 'content_block_stop', index: openBlock.index }, 'content_block_stop');
    openBlock = null;
    return frames;
  };

  return {
    preamble: () =>
      sseFrame(
        {
          type: 'message_start',
          message: {
            id: identity.id,
            type: 'message',
            role: 'assistant',
            model: identity.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: promptTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
          },
        },
        'message_start',
      ) + sseFrame({ type: 'ping' }, 'ping'),
    chunk(chunk: SourceChunk) {
      const kind: BlockKind = chunk.reasoning !== undefined ? 'thinking' : 'text';
      const frames = openBlock?.kind === kind ? '' : startBlock(kind);
      const delta = kind === 'thinking' ? { type: 'thinking_delta', thinking: chunk.reasoning } : { type: 'text_delta', text: chunk.text };
      return frames + sseFrame({ type: 'content_block_delta', index: openBlock!.index, delta }, 'content_block_delta');
    },
    malformed: () => `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\n\n`,
    end(finishReason, usage) {
      // An answer with no text still has its (empty) text block.
      let frames = openBlock?.kind === 'text' ? '' : startBlock('text');
      frames += closeBlock();
      frames += sseFrame(
        { type: 'message_delta', delta: { stop_reason: stopReason(finishReason), stop_sequence: null }, usage: { output_tokens: usage.completionTokens } },
        'message_delta',
      );
      return frames + sseFrame({ type: 'message_stop' }, 'message_stop');
    },
    complete: (text, reasoning, finishReason, usage) => ({
      id: identity.id,
      type: 'message',
      role: 'assistant',
      model: identity.model,
      content: [...(reasoning ? [{ type: 'thinking', thinking: reasoning, signature: MOCK_SIGNATURE }] : []), { type: 'text', text }],
      stop_reason: stopReason(finishReason),
      stop_sequence: null,
      usage: { input_tokens: usage.promptTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: usage.completionTokens },
    }),
  };
}

/** Anthropic's JSON error body for a status the mock answers with. */
export function anthropicErrorBody(status: number, message: string): unknown {
  const types: Record<number, string> = { 400: 'invalid_request_error', 404: 'not_found_error', 429: 'rate_limit_error', 500: 'api_error' };
  return { type: 'error', error: { type: types[status] ?? 'api_error', message } };
}
