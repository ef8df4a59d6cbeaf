/**
 * Decodes the events of one stream without a JSON.parse each where it can, exactly. A model's
 * content events differ only in the text: every byte before and after the text's string literal
 * is the same from one event to the next. Once an event was decoded in full, the position of its
 * content literal is found and checked (the same event with a sentinel text there decodes to
 * the sentinel as content and to the same everything else); a later event with the same bytes
 * before and after that position, and between them a string body with no quote, backslash or
 * control character, is then valid JSON that decodes to the same facts with its own text. A body
 * with escapes (a newline token) is the same when that string literal alone parses: only its
 * few bytes are parsed, not the event. Any other event is parsed in full. JSON.parse of every event was the largest single cost of an
 * http stream.
 */
import type { HttpApi } from './httpSchema.js';
import { type DecodedEvent, decodeEvent, MALFORMED } from './upstreamEvents.js';

/** A text no server sends as content, to find where a content literal sits (no quote, backslash or control character). */
const SENTINEL = 'streambench content slot 7f3a9c';
/** Full decodes per stream that may be used to learn a slot (each costs one more parse). */
const MAX_LEARNS = 4;
/** Candidate positions tried per learn (a short text can occur more than once in an event). */
const MAX_CANDIDATES = 3;

/** Whether `text` can sit between two quotes as a JSON string body that decodes to itself. */
function isPlainStringBody(text: string, from: number, to: number): boolean {
  for (let index = from; index < to; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x22 || code === 0x5c || code < 0x20) return false;
  }
  return true;
}

/** The string a JSON string literal (quotes included) stands for; null when it is not one (an unescaped quote inside, a bad escape). */
function stringLiteralValue(literal: string): string | null {
  try {
    const value: unknown = JSON.parse(literal);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** An event whose facts a slot may stand for: content, and no usage or error (those are rare, parsed in full). */
function learnable(decoded: DecodedEvent): boolean {
  return decoded.content.length > 0 && decoded.usage === null && decoded.error === null;
}

/** A probe decoded with the sentinel as content and everything else as `decoded`. */
function sentinelIn(probe: DecodedEvent | typeof MALFORMED, decoded: DecodedEvent): boolean {
  return (
    probe !== MALFORMED &&
    probe.content === SENTINEL &&
    learnable(probe) &&
    probe.reasoning === decoded.reasoning &&
    probe.finished === decoded.finished &&
    probe.done === decoded.done
  );
}

/** Decodes one stream's events (`decode` in arrival order), skipping JSON.parse for events that only change the text. */
export class ContentSlotDecoder {
  private prefix: string | null = null;
  private suffix = '';
  private eventName: string | undefined;
  private template: DecodedEvent | null = null;
  private learns = 0;

  constructor(private readonly api: HttpApi) {}

  /** Decodes one SSE event of the stream: the same result as `decodeEvent`. */
  decode(data: string, eventName: string | undefined): DecodedEvent | typeof MALFORMED {
    const content = this.slotContent(data, eventName);
    if (content !== null) {
      const template = this.template!;
      return { content, reasoning: template.reasoning, usage: null, finished: template.finished, done: template.done, error: null };
    }
    return this.decodeInFull(data, eventName);
  }

  /**
   * The content of an event that fits the learnt slot, its other facts being `slotFacts()`'s;
   * null when it does not fit (then `decodeInFull` it). A caller that reads the facts from the
   * template needs no event object per token.
   */
  slotContent(data: string, eventName: string | undefined): string | null {
    const prefix = this.prefix;
    if (prefix === null || eventName !== this.eventName) return null;
    const suffix = this.suffix;
    const end = data.length - suffix.length;
    // Compared as whole strings: `===` on a slice is one memory compare, where startsWith and
    // endsWith went character by character (about 680 against 120 ns an event of ~240 bytes).
    if (end < prefix.length || data.slice(end) !== suffix || data.slice(0, prefix.length) !== prefix) return null;
    if (isPlainStringBody(data, prefix.length, end)) return data.slice(prefix.length, end);
    // The slot's quotes included: the prefix ends with the opening one, the suffix starts with the closing one.
    return stringLiteralValue(data.slice(prefix.length - 1, end + 1));
  }

  /** The facts besides the content of every event `slotContent` accepts (no usage, no error). */
  slotFacts(): DecodedEvent {
    return this.template!;
  }

  /** Decodes an event with JSON.parse, learning the slot from it when it can: the same result as `decodeEvent`. */
  decodeInFull(data: string, eventName: string | undefined): DecodedEvent | typeof MALFORMED {
    const decoded = decodeEvent(this.api, data, eventName);
    if (decoded !== MALFORMED && this.learns < MAX_LEARNS && learnable(decoded)) this.learn(data, eventName, decoded);
    return decoded;
  }

  /** Finds and checks where `decoded.content`'s literal sits in `data`; keeps it as the slot when one checks out. */
  private learn(data: string, eventName: string | undefined, decoded: DecodedEvent): void {
    this.learns++;
    const content = decoded.content;
    if (!isPlainStringBody(content, 0, content.length)) return;
    const literal = `"${content}"`;
    let position = data.indexOf(literal);
    for (let tried = 0; position >= 0 && tried < MAX_CANDIDATES; tried++, position = data.indexOf(literal, position + 1)) {
      const prefix = data.slice(0, position + 1);
      const suffix = data.slice(position + 1 + content.length);
      const probe = decodeEvent(this.api, `${prefix}${SENTINEL}${suffix}`, eventName);
      if (sentinelIn(probe, decoded)) {
        this.prefix = prefix;
        this.suffix = suffix;
        this.eventName = eventName;
        this.template = decoded;
        return;
      }
    }
  }
}
