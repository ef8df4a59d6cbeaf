/**
 * Turns the bytes of one LLM response stream into SourceChunks: SSE parsing
 * (eventsource-parser), per-API event decoding, token counting, and the observer's
 * first-event, malformed-line, usage and token-count reports. Pure apart from the
 * observer calls: text and arrival times in, chunks out, so it is tested and benchmarked
 * without a network.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';
import { IncrementalTokenCounter, type Tokenizer } from '../bpeTokens.js';
import type { SourceChunk, SourceObserver, TokenCountMethod, UpstreamUsage } from '../types.js';
import { UpstreamStreamError } from './httpErrors.js';
import type { HttpApi } from './httpSchema.js';
import { ContentSlotDecoder } from './contentSlot.js';
import { MALFORMED } from './upstreamEvents.js';

/** What `feed` returns when a piece completed no chunk (shared: never written to). */
const NO_CHUNKS: readonly SourceChunk[] = Object.freeze([]);

/** Decodes one response stream; `feed` the body text as it arrives, then `finish`. */
export class StreamDecoder {
  private readonly parser: EventSourceParser;
  private readonly counter: IncrementalTokenCounter;
  private readonly eventDecoder: ContentSlotDecoder;
  private readonly pending: SourceChunk[] = [];
  private nextIndex = 0;
  private reasoningText = '';
  private usage: UpstreamUsage | null = null;
  private feedAtMs = 0;
  private streamError: string | null = null;
  /** Events parsed so far. */
  events = 0;
  /** Chunks with content or reasoning handed out so far. */
  chunks = 0;
  /** The server said the answer is complete (finish_reason, stop_reason). */
  finished = false;
  /** The server ended the stream (`[DONE]`, message_stop). */
  done = false;

  constructor(
    api: HttpApi,
    private readonly tokenizer: Tokenizer,
    private readonly includeUsage: boolean,
    private readonly observer?: SourceObserver,
  ) {
    this.counter = new IncrementalTokenCounter(tokenizer);
    this.eventDecoder = new ContentSlotDecoder(api);
    this.parser = createParser({
      onEvent: (message) => this.onEvent(message.data, message.event),
      // Unknown fields, bad retry values, oversized lines: counted, never fatal.
      onError: () => this.observer?.malformedLine(),
    });
  }

  /**
   * Parses the next piece of body text, read at `atMs`; returns the chunks it completed, in an
   * array that the next `feed` reuses (read it, or copy it, before that). Throws on an error event.
   */
  feed(text: string, atMs: number): readonly SourceChunk[] {
    this.feedAtMs = atMs;
    // One array for every piece: a new one per piece got room for 16 chunks at its first push.
    this.pending.length = 0;
    this.parser.feed(text);
    if (this.streamError !== null) throw new UpstreamStreamError(`the server sent an error in the stream after ${this.chunks} chunks: ${this.streamError}`);
    return this.pending.length === 0 ? NO_CHUNKS : this.pending;
  }

  private onEvent(data: string, eventName: string | undefined): void {
    if (this.events++ === 0) this.observer?.firstEvent(this.feedAtMs);
    // Most events only change the text: their content alone, the rest from the slot's template (no event object per token).
    const slotContent = this.eventDecoder.slotContent(data, eventName);
    if (slotContent !== null) {
      const facts = this.eventDecoder.slotFacts();
      this.take(slotContent, facts.reasoning, facts.finished, facts.done);
      return;
    }
    const decoded = this.eventDecoder.decodeInFull(data, eventName);
    if (decoded === MALFORMED) {
      this.observer?.malformedLine();
      return;
    }
    if (decoded.error !== null) this.streamError ??= decoded.error;
    if (decoded.usage) {
      this.usage = {
        promptTokens: decoded.usage.promptTokens ?? this.usage?.promptTokens ?? null,
        completionTokens: decoded.usage.completionTokens ?? this.usage?.completionTokens ?? null,
        reasoningTokens: decoded.usage.reasoningTokens ?? this.usage?.reasoningTokens ?? null,
      };
    }
    this.take(decoded.content, decoded.reasoning, decoded.finished, decoded.done);
  }

  /** Notes an event's end flags and hands out a chunk for its content or reasoning, if any. */
  private take(content: string, reasoning: string, finished: boolean, done: boolean): void {
    this.finished ||= finished;
    this.done ||= done;
    if (content.length === 0 && reasoning.length === 0) return;
    if (reasoning.length > 0) this.reasoningText += reasoning;
    const chunk: SourceChunk = { index: this.nextIndex++, text: content, tokens: this.counter.push(content) };
    if (reasoning.length > 0) chunk.reasoning = reasoning;
    this.pending.push(chunk);
    this.chunks++;
  }

  /**
   * Ends the stream: reports usage and the token-count method, and returns a closing chunk
   * with no text carrying the tokens not yet counted (the last token is only known complete
   * at the end), or null when there are none. The content tokens of a stream total the
   * server's usage when it was asked for, sent and consistent, else the tokenizer's count.
   */
  finish(): SourceChunk | null {
    const usage = this.usage;
    const reasoningTokens = usage?.reasoningTokens ?? this.tokenizer.count(this.reasoningText);
    let method: TokenCountMethod = `tokenizer:${this.tokenizer.encoding}`;
    let total: number | undefined;
    if (this.includeUsage && usage?.completionTokens != null) {
      // Usage counts reasoning inside completion tokens; without a breakdown, content alone is unknown.
      const reasoningInUsage = usage.reasoningTokens ?? (this.reasoningText.length > 0 ? null : 0);
      const contentTokens = reasoningInUsage === null ? null : usage.completionTokens - reasoningInUsage;
      if (contentTokens !== null && contentTokens >= this.counter.countedTokens()) {
        total = contentTokens;
        method = 'usage';
      }
    }
    const rest = this.counter.finish(total);
    if (usage) this.observer?.usage(usage);
    this.observer?.tokenCount({ method, reasoningTokens });
    return rest > 0 ? { index: this.nextIndex++, text: '', tokens: rest } : null;
  }
}
