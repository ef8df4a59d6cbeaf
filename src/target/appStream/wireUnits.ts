/**
 * Splitting an app's response body into wire units — SSE events, lines, or body chunks —
 * each with its bytes on the wire (the frame's own bytes, `data:`/`id:` lines and the blank
 * line included; bytes of units that carry nothing, such as `: ping` comments or empty
 * lines, are added to the next unit so that the units' bytes sum to the body's).
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** One SSE event, NDJSON line or body chunk. */
export interface WireUnit {
  data: string;
  /** SSE `event:` field. */
  event?: string;
  /** SSE `id:` field. */
  id?: string;
  wireBytes: number;
  /** The frame held lines that are not SSE fields (the body is probably not SSE). */
  malformedFraming?: boolean;
}

/** Turns decoded body text into wire units as it arrives. */
export interface UnitSplitter {
  /** `text` is the decoded chunk, `rawBytes` its size as received. */
  feed(text: string, rawBytes: number): WireUnit[];
  /** The body ended: what is left, as units (an SSE event never terminated is dropped, as EventSource does). */
  end(): WireUnit[];
}

/** Finds the end of the next line in `text` from `from`: [index of the terminator, its length], or null (a lone trailing \r waits for a possible \n unless the body ended). */
function nextLineEnd(text: string, from: number, bodyEnded: boolean): [number, number] | null {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return [i, 1];
    if (c === 13) {
      if (i + 1 >= text.length) return bodyEnded ? [i, 1] : null;
      return [i, text.charCodeAt(i + 1) === 10 ? 2 : 1];
    }
  }
  return null;
}

/** SSE framing: frames end at a blank line; each frame is parsed by eventsource-parser. */
export class SseSplitter implements UnitSplitter {
  private pending = '';
  private lineStart = 0;
  private carriedBytes = 0;
  private parsed: EventSourceMessage[] = [];
  private framingErrors = 0;
  private readonly parser = createParser({
    onEvent: (message) => this.parsed.push(message),
    onError: () => this.framingErrors++,
  });

  feed(text: string, _rawBytes = 0, bodyEnded = false): WireUnit[] {
    this.pending += text;
    const units: WireUnit[] = [];
    for (;;) {
      const end = nextLineEnd(this.pending, this.lineStart, bodyEnded);
      if (end === null) break;
      const [at, length] = end;
      const blank = at === this.lineStart;
      this.lineStart = at + length;
      if (!blank) continue;
      const frame = this.pending.slice(0, this.lineStart);
      this.pending = this.pending.slice(this.lineStart);
      this.lineStart = 0;
      const unit = this.parseFrame(frame);
      if (unit) units.push(unit);
    }
    return units;
  }

  end(): WireUnit[] {
    const units = this.feed('', 0, true);
    if (this.pending.trim() === '') return units;
    // An unterminated frame is not an event (EventSource drops it); report it when it was not SSE at all.
    const unit = this.parseFrame(`${this.pending}\n\n`, true);
    this.pending = '';
    return unit?.malformedFraming ? [...units, unit] : units;
  }

  private parseFrame(frame: string, unterminated = false): WireUnit | null {
    this.parsed = [];
    this.framingErrors = 0;
    // The frame is complete: with \n endings the parser dispatches now (it would wait on a trailing \r for a \n).
    this.parser.feed(frame.replace(/\r\n?/g, '\n'));
    const bytes = this.carriedBytes + Buffer.byteLength(unterminated ? frame.slice(0, -2) : frame);
    const [message] = this.parsed;
    if (!message && this.framingErrors === 0) {
      this.carriedBytes = bytes;
      return null;
    }
    this.carriedBytes = 0;
    if (!message) return { data: frame.trimEnd(), wireBytes: bytes, malformedFraming: true };
    return { data: message.data, event: message.event, id: message.id, wireBytes: bytes, malformedFraming: this.framingErrors > 0 };
  }
}

/** Line framing (NDJSON, the AI SDK data stream): one unit per non-empty line; \r\n accepted. */
export class LineSplitter implements UnitSplitter {
  private pending = '';
  private carriedBytes = 0;

  feed(text: string): WireUnit[] {
    this.pending += text;
    const units: WireUnit[] = [];
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, newline + 1);
      this.pending = this.pending.slice(newline + 1);
      const unit = this.unitOf(line, line.replace(/\r?\n$/, ''));
      if (unit) units.push(unit);
    }
    return units;
  }

  end(): WireUnit[] {
    const line = this.pending;
    this.pending = '';
    const unit = this.unitOf(line, line.replace(/\r$/, ''));
    return unit ? [unit] : [];
  }

  private unitOf(raw: string, content: string): WireUnit | null {
    const bytes = this.carriedBytes + Buffer.byteLength(raw);
    if (content.trim() === '') {
      this.carriedBytes = bytes;
      return null;
    }
    this.carriedBytes = 0;
    return { data: content, wireBytes: bytes };
  }
}

/** Plain text: every body chunk is a unit, its bytes as received. */
export class ChunkSplitter implements UnitSplitter {
  feed(text: string, rawBytes: number): WireUnit[] {
    return rawBytes > 0 ? [{ data: text, wireBytes: rawBytes }] : [];
  }

  end(): WireUnit[] {
    return [];
  }
}
