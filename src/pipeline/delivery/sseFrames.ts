/**
 * The text/event-stream wire format as the relay writes it: one frame per event, comment
 * frames for heartbeats, and the response headers a production relay sends.
 */

/** Frame options: the field writes neither ids nor event names. */
export interface SseFrameOptions {
  ids: boolean;
  eventName: string | null;
}

/**
 * Response headers for an event stream: no caching, a kept-alive connection, and
 * `x-accel-buffering: no` so a reverse proxy (nginx) does not hold frames back.
 */
export const SSE_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** A heartbeat: a comment line, which clients skip, plus the blank line that ends a block. */
export const SSE_HEARTBEAT_FRAME = ': ping\n\n';

const LINE_BREAK = /[\r\n]/;

/**
 * Formats one event: `id:` and `event:` lines when enabled, then one `data:` line per line
 * of `data` (the spec splits on CRLF, CR and LF; the client joins with LF, so CR and CRLF
 * inside data arrive as LF), then the blank line that dispatches the event.
 */
export function formatSseEvent(data: string, seq: number, options: SseFrameOptions): string {
  let frame = '';
  if (options.ids) frame += `id: ${seq}\n`;
  if (options.eventName !== null) frame += `event: ${options.eventName}\n`;
  // One line (every JSON payload: its line breaks are escaped) needs no split.
  if (!LINE_BREAK.test(data)) return `${frame}data: ${data}\n\n`;
  for (const line of data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  return frame + '\n';
}
