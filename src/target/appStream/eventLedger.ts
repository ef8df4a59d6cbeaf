/**
 * What a read has received so far, across the connections of a resume: content events and
 * characters, the last SSE id, the stream id a resume needs; it hands each event to the
 * observer exactly once and decides when to drop the connection for a resume.
 */
import type { FormatSpec, Interpretation } from './formats/formatSpec.js';
import { parseTextPath, resolvePath, type TextPath } from '../../input/textPath.js';
import type { AppRequest, AppStreamObserver } from './types.js';
import type { WireUnit } from './wireUnits.js';

/** What handling one unit asks the reader to do next. */
export type UnitOutcome = 'continue' | 'drop-for-resume';

/** The counts of one read. */
export class EventLedger {
  contentEvents = 0;
  textChars = 0;
  parsedEvents = 0;
  malformedEvents = 0;
  resumes = 0;
  resumeDuplicates = 0;
  ended = false;
  lastEventId: string | undefined;
  streamId: string | undefined;
  /** The first error the app reported in its stream. */
  appError: string | undefined;
  private readonly seenIds = new Set<string>();
  private readonly streamIdPath: TextPath | null;

  constructor(
    private readonly request: AppRequest,
    private readonly observer: AppStreamObserver,
  ) {
    const from = request.resume.mode === 'none' ? undefined : request.resume.streamIdFrom;
    this.streamIdPath = from && 'jsonPath' in from ? parseTextPath(from.jsonPath) : null;
  }

  /** Notes a response header that may carry the stream id. */
  noteHeaders(headers: Record<string, string>): void {
    const from = this.request.resume.mode === 'none' ? undefined : this.request.resume.streamIdFrom;
    if (this.streamId === undefined && from && 'header' in from) this.streamId = headers[from.header.toLowerCase()];
  }

  /** Interprets one unit in `format`, tells the observer, and says whether to drop now for a resume. */
  handle(unit: WireUnit, format: FormatSpec, atMs: number): UnitOutcome {
    if (unit.id !== undefined) {
      // After a resume, an id seen before is text already counted: the app replayed it.
      if (this.resumes > 0 && this.seenIds.has(unit.id)) {
        this.resumeDuplicates++;
        this.observer.event(atMs, '', unit.wireBytes);
        return 'continue';
      }
      // Ids are kept only when a resume may need them.
      if (this.request.resume.mode !== 'none') this.seenIds.add(unit.id);
      this.lastEventId = unit.id;
    }
    return this.record(format.interpret(unit), unit.wireBytes, atMs);
  }

  /** Records an interpreted event (the WebSocket reader interprets messages itself). */
  record(meaning: Interpretation, wireBytes: number, atMs: number): UnitOutcome {
    if (meaning.malformed) this.malformedEvents++;
    else this.parsedEvents++;
    if (meaning.error !== undefined) this.appError ??= meaning.error.slice(0, 200);
    if (this.streamId === undefined && this.streamIdPath && meaning.json !== undefined) {
      const found = resolvePath(meaning.json, this.streamIdPath);
      if (found.found && (typeof found.value === 'string' || typeof found.value === 'number')) this.streamId = String(found.value);
    }
    this.observer.event(atMs, meaning.text, wireBytes);
    if (meaning.end) this.ended = true;
    if (meaning.text === '') return 'continue';
    this.contentEvents++;
    this.textChars += meaning.text.length;
    const { resume } = this.request;
    if (resume.mode !== 'none' && this.resumes === 0 && !this.ended && this.contentEvents === resume.afterEvents) return 'drop-for-resume';
    return 'continue';
  }
}
