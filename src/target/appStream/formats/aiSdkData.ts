/**
 * The AI SDK's older data stream protocol: one part per line, `TYPE:JSON` — `0:"text"` for
 * text, `f:`/`e:` for message and step metadata, `3:"error"`, `d:{…}` to finish the message.
 */
import { errorText, type FormatSpec, parseJsonOrUndefined } from './formatSpec.js';

const TEXT_PART = '0';
const FINISH_MESSAGE_PART = 'd';
const ERROR_PART = '3';

/** The ai-sdk-data format. */
export const aiSdkData: FormatSpec = {
  framing: 'lines',
  expected: 'lines of data stream parts like `0:"text"`, ending with a `d:{…}` finish part',
  endMarker: true,
  interpret(unit) {
    const colon = unit.data.indexOf(':');
    if (colon <= 0) return { text: '', malformed: true };
    const type = unit.data.slice(0, colon);
    const raw = unit.data.slice(colon + 1);
    const json = parseJsonOrUndefined(raw);
    if (json === undefined || !/^[0-9a-z]$/.test(type)) return { text: '', malformed: true };
    if (type === FINISH_MESSAGE_PART) return { text: '', end: true, json };
    if (type === ERROR_PART) return { text: '', json, error: errorText(json) };
    if (type !== TEXT_PART) return { text: '', json };
    if (typeof json !== 'string') return { text: '', malformed: true, json };
    return { text: json, json };
  },
};
