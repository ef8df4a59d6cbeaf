import type { WireUnit } from '../wireUnits.js';

/** What one wire unit means in a format. */
export interface Interpretation {
  /** Content text it carries ('' for none). */
  text: string;
  /** The format's end marker ([DONE], message_stop, a finish part, the done field). */
  end?: boolean;
  /** It did not parse as the format. */
  malformed?: boolean;
  /** The parsed JSON, when the unit was JSON (a resume's stream id may be read from it). */
  json?: unknown;
  /** An error the app reported in the stream. */
  error?: string;
}

/** How a wire format is framed and read. */
export interface FormatSpec {
  framing: 'sse' | 'lines' | 'chunks';
  /** What the format looks like, for error messages. */
  expected: string;
  /** True when the format has an end marker of its own; otherwise a clean close ends the stream. */
  endMarker: boolean;
  interpret(unit: WireUnit): Interpretation;
}

/** JSON.parse that says undefined instead of throwing. */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The message of an in-stream error value: a string, or an object's `message`, else its JSON. */
export function errorText(value: unknown): string {
  if (typeof value === 'string') return value;
  const message = (value as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : JSON.stringify(value);
}

/** A string field read as content: absent or null is no content, anything else that is not a string is malformed. */
export function contentField(value: unknown, json: unknown): Interpretation {
  if (value === undefined || value === null) return { text: '', json };
  if (typeof value !== 'string') return { text: '', malformed: true, json };
  return { text: value, json };
}
