/**
 * Ties the text the client received to the chunks the upstream wrote, by text offset: the app
 * may re-chunk (merge chunks, split them), so a chunk "arrived" with the client event that
 * delivered its last character. Also counts what went wrong: text never delivered, delivered
 * twice, out of order, or never sent. Pure.
 */
import type { TextIntegrity } from '../stats/targetSample.js';

/** The client's events that carried content, in arrival order. */
export interface ClientContentEvent {
  atMs: number;
  text: string;
}

/** Per upstream chunk: the index of the client content event that completed it, or -1. */
export interface OffsetMatch {
  chunkEvent: number[];
  integrity: TextIntegrity;
}

/** Matches upstream chunks (their texts, in order) with the client's content events. */
export function matchByOffset(chunkTexts: readonly string[], events: readonly ClientContentEvent[]): OffsetMatch {
  const sent = chunkTexts.join('');
  const received = events.map((event) => event.text).join('');
  // coveredBy[i]: the first client event that delivered character i of the upstream text.
  const coveredBy = new Int32Array(sent.length).fill(-1);
  let duplicatedChars = 0;
  let reorderedEvents = 0;
  let foreignChars = 0;

  if (sent === received) {
    // The common case: walk offsets.
    let offset = 0;
    events.forEach((event, index) => {
      coveredBy.fill(index, offset, offset + event.text.length);
      offset += event.text.length;
    });
  } else {
    let cursor = 0;
    events.forEach((event, index) => {
      const text = event.text;
      let at = sent.startsWith(text, cursor) ? cursor : sent.indexOf(text, cursor);
      if (at < 0) at = sent.indexOf(text); // earlier text: a duplicate or a late (reordered) piece
      if (at < 0) {
        foreignChars += text.length;
        return;
      }
      let fresh = 0;
      for (let offset = at; offset < at + text.length; offset++) {
        if (coveredBy[offset] === -1) {
          coveredBy[offset] = index;
          fresh++;
        } else duplicatedChars++;
      }
      if (at < cursor && fresh > 0) reorderedEvents++;
      cursor = Math.max(cursor, at + text.length);
    });
  }

  let missingChars = 0;
  for (let offset = 0; offset < sent.length; offset++) if (coveredBy[offset] === -1) missingChars++;
  const chunkEvent: number[] = [];
  let start = 0;
  for (const text of chunkTexts) {
    let last = -1;
    let complete = text.length > 0;
    for (let offset = start; offset < start + text.length; offset++) {
      if (coveredBy[offset] === -1) complete = false;
      else last = Math.max(last, coveredBy[offset]!); // offset < sent.length: the chunks' texts make up the sent text
    }
    chunkEvent.push(complete ? last : -1);
    start += text.length;
  }
  return {
    chunkEvent,
    integrity: { missingChars, duplicatedChars, reorderedEvents, foreignChars, exact: sent === received },
  };
}

/** A sentence describing an integrity problem, or null when the text is exact. */
export function describeIntegrity(integrity: TextIntegrity, sentChars: number): string | null {
  if (integrity.exact) return null;
  // Not one character in common: the text was read from the wrong place, not changed by the app.
  if (sentChars > 0 && integrity.missingChars === sentChars && integrity.foreignChars > 0) {
    return `none of the ${sentChars} characters the upstream sent is in the ${integrity.foreignChars} read from the app's answer: check that --format (target.format) and, for sse, ndjson and websocket, --text-path (target.textPath) name where the app puts the text`;
  }
  const parts: string[] = [];
  if (integrity.missingChars > 0) parts.push(`${integrity.missingChars} of ${sentChars} characters the upstream sent never reached the client`);
  if (integrity.duplicatedChars > 0) parts.push(`${integrity.duplicatedChars} characters arrived twice`);
  if (integrity.reorderedEvents > 0) parts.push(`${integrity.reorderedEvents} events arrived out of order`);
  if (integrity.foreignChars > 0) parts.push(`${integrity.foreignChars} characters the upstream never sent`);
  if (parts.length === 0) parts.push("the client's text differs from the upstream's");
  return `the app changed the text: ${parts.join(', ')}`;
}
