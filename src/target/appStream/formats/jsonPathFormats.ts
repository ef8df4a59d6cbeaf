/**
 * The formats configured by paths: generic SSE, NDJSON and WebSocket messages. The text is at
 * `textPath` in each event's JSON (the whole data when there is no path); the end is a
 * `[DONE]` data, or an event where `donePath` is present.
 */
import type { WireUnit } from '../wireUnits.js';
import { parseTextPath, resolvePath, type TextPath } from '../../../input/textPath.js';
import { contentField, type FormatSpec, type Interpretation, parseJsonOrUndefined } from './formatSpec.js';

/** Reads one unit's data by the request's paths. */
export function interpretByPaths(data: string, textPath: TextPath | null, donePath: TextPath | null): Interpretation {
  if (data.trim() === '[DONE]') return { text: '', end: true };
  if (textPath === null && donePath === null) return { text: data };
  const json = parseJsonOrUndefined(data);
  if (json === undefined) return textPath === null ? { text: data } : { text: '', malformed: true };
  const end = donePath !== null && resolvePath(json, donePath).found;
  if (textPath === null) return { text: end ? '' : data, end, json };
  const resolved = resolvePath(json, textPath);
  if (!resolved.found) return { text: '', end, malformed: resolved.miss === 'bad-json', json };
  return { ...contentField(resolved.value, json), end };
}

/** Parses the optional paths of a request (throws naming the field when one is malformed). */
export function parsePaths(textPath: string | undefined, donePath: string | undefined): [TextPath | null, TextPath | null] {
  const parse = (field: string, path: string | undefined) => {
    if (path === undefined || path === '') return null;
    try {
      return parseTextPath(path);
    } catch (error) {
      throw new Error(`${field}: ${(error as Error).message}`);
    }
  };
  return [parse('textPath', textPath), parse('donePath', donePath)];
}

/** A path-configured format over a framing. */
function byPaths(framing: 'sse' | 'lines', expected: string, textPath: string | undefined, donePath: string | undefined): FormatSpec {
  const [text, done] = parsePaths(textPath, donePath);
  const where = text ? `with the text at \`${text.source}\`` : 'whose data is the text';
  return {
    framing,
    expected: `${expected} ${where}${done ? ` and the end where \`${done.source}\` is present` : ''}`,
    endMarker: done !== null,
    interpret(unit: WireUnit) {
      if (unit.malformedFraming) return { text: '', malformed: true };
      return interpretByPaths(unit.data, text, done);
    },
  };
}

/** The sse format. */
export const genericSse = (textPath?: string, donePath?: string): FormatSpec => byPaths('sse', 'SSE events', textPath, donePath);

/** The ndjson format. */
export const ndjson = (textPath?: string, donePath?: string): FormatSpec => byPaths('lines', 'one JSON object per line', textPath, donePath);
