/**
 * What the mock server sends for one request: optional reasoning chunks, then the answer's
 * chunks, each with its offset from the moment the request arrived. Pure: the same
 * (settings, seed, stream index, max tokens) always gives the same plan.
 */
import { deriveSeed } from '../sources/random.js';
import { planSyntheticStream, type SyntheticStreamPlan } from '../sources/synthetic.js';
import type { SourceChunk } from '../sources/types.js';
import type { ResolvedMockSettings } from './mockSettings.js';

/** Why the mock's answer ended, in OpenAI's words (`length`: cut at max tokens). */
export type MockFinishReason = 'stop' | 'length';

/** One response: chunks (reasoning ones have `reasoning` set and empty text) and their offsets. */
export interface MockResponsePlan {
  schedule: SyntheticStreamPlan;
  finishReason: MockFinishReason;
  /** The answer's text (content chunks joined). */
  text: string;
  /** The reasoning text (reasoning chunks joined). */
  reasoning: string;
}

/** Keeps the leading chunks whose tokens fit in `maxTokens`. */
function truncateToTokens(plan: SyntheticStreamPlan, maxTokens: number): { plan: SyntheticStreamPlan; truncated: boolean } {
  let tokens = 0;
  let keep = 0;
  for (let chunk = plan.chunks[keep]; chunk !== undefined && tokens + chunk.tokens <= maxTokens; chunk = plan.chunks[keep]) {
    tokens += chunk.tokens;
    keep++;
  }
  if (keep === plan.chunks.length) return { plan, truncated: false };
  return { plan: { chunks: plan.chunks.slice(0, keep), offsetsMs: plan.offsetsMs.slice(0, keep) }, truncated: true };
}

/**
 * Plans the response to stream `streamIndex`: the reasoning (if any) comes first, on the
 * stream's timing model, and the answer follows after its own time to first token. A
 * request's `max_tokens` cuts the answer (finish reason `length`).
 */
export function planMockResponse(settings: ResolvedMockSettings, seed: number, streamIndex: number, maxTokens: number | null): MockResponsePlan {
  const full = planSyntheticStream(settings.stream, seed, streamIndex);
  const { plan: content, truncated } = maxTokens !== null ? truncateToTokens(full, maxTokens) : { plan: full, truncated: false };

  const chunks: SourceChunk[] = [];
  const offsetsMs: number[] = [];
  let reasoning = '';
  let answerStartMs = 0;
  if (settings.reasoningTokens > 0) {
    // Its own seed, so turning reasoning on leaves the answer's text as it was.
    const thinking = planSyntheticStream(
      { ...settings.stream, tokens: settings.reasoningTokens, text: 'prose', stalls: [], bursts: null },
      deriveSeed(seed, 'mock-reasoning'),
      streamIndex,
    );
    thinking.chunks.forEach((chunk, index) => {
      chunks.push({ index: chunks.length, text: '', tokens: 0, reasoning: chunk.text });
      offsetsMs.push(thinking.offsetsMs[index]!); // a plan has one offset per chunk
      reasoning += chunk.text;
    });
    answerStartMs = thinking.offsetsMs.at(-1) ?? 0;
  }
  let text = '';
  content.chunks.forEach((chunk, index) => {
    chunks.push({ index: chunks.length, text: chunk.text, tokens: chunk.tokens });
    offsetsMs.push(answerStartMs + content.offsetsMs[index]!); // a plan has one offset per chunk
    text += chunk.text;
  });
  return { schedule: { chunks, offsetsMs }, finishReason: truncated ? 'length' : 'stop', text, reasoning };
}
