/**
 * Target mode's browser client: one request to the app sent by a page in headless Chromium on
 * the app's own origin (fetch with a body reader for POST SSE, EventSource for GET SSE,
 * WebSocket), which renders the markdown into the DOM and times every event and paint. The
 * page's events are read again here with the same format readers as the Node client, so the
 * text, its integrity and the end marker mean exactly what they mean there.
 */
import type { Clock } from '../clock.js';
import type { BrowserPool } from '../pipeline/client/browser/browserPool.js';
import { openBrowserStream, type BrowserStreamRequest, type BrowserStreamTimeline } from '../pipeline/client/browser/openBrowserStream.js';
import type { PageDecoder, PagePathStep, PageTransport } from '../pipeline/client/browser/pageSession.js';
import type { RenderSettings } from '../pipeline/client/types.js';
import type { Interpretation } from './appStream/formats/formatSpec.js';
import { httpFormatSpec } from './appStream/formats/index.js';
import { interpretByPaths, parsePaths } from './appStream/formats/jsonPathFormats.js';
import { parseTextPath, type TextPath } from '../input/textPath.js';
import { AppStreamError, type AppRequest, type AppStreamSummary } from './appStream/types.js';
import { FIRST_BYTES_SHOWN, textlessAnswerMessage } from './appStream/messages.js';
import type { ClientContentEvent } from './offsetMatching.js';
import { pageCounters } from '../pipeline/client/browser/pageCounters.js';

/** Anthropic's SSE event names: EventSource hands named events only to listeners for their name. */
const ANTHROPIC_EVENTS = ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'ping', 'error'];

/** The deadline of a whole stream in the page, a backstop: the runner ends a stalled stream sooner (timeouts.upstreamMs, idleMs after the upstream's end). */
const PAGE_STREAM_BACKSTOP_MS = 600_000;

/** One painted render, on the tool's clock, with the client content events it showed first. */
export interface BrowserRender {
  paintedAtMs: number;
  domUpdatedAtMs: number;
  renderMs: number;
  contentSeqs: number[];
}

/** What the page read and painted, in the runner's terms. */
export interface BrowserAppRead {
  /** The tool's clock when the page was told to send the request (after its page opened and its clock was calibrated). */
  requestStartMs: number;
  /** Content events in arrival order (seq = index here). */
  events: ClientContentEvent[];
  /** Every event the page received, content or not. */
  allEvents: number;
  firstByteAtMs: number | null;
  firstEventAtMs: number | null;
  summary: AppStreamSummary;
  renders: BrowserRender[];
  /** The browser's own counters (long tasks, frames, clock calibration), named as the browser client's. */
  counters: Record<string, number>;
  /** What the page got wrong beside the app (its text differs from this reader's, or the DOM shows none of it), or null. */
  pageProblem: string | null;
  /** The page's own error (null: none), e.g. a connection that failed. */
  pageError: string | null;
}

const toSteps = (path: TextPath | null): PagePathStep[] | null => path && path.steps.map((step) => ({ key: step.key, json: step.parseJson }));

/** How the page reads `request.format` (the same fields target mode's Node readers use). Pure. */
export function pageDecoderForApp(request: Pick<AppRequest, 'format' | 'textPath' | 'donePath'>): Extract<PageDecoder, { kind: 'app' }> {
  const steps = (path: string) => toSteps(parseTextPath(path))!;
  switch (request.format) {
    case 'openai-sse':
      return { kind: 'app', text: steps('choices.0.delta.content'), when: null, done: null, doneData: '[DONE]' };
    case 'anthropic-sse':
      return { kind: 'app', text: steps('delta.text'), when: { path: steps('delta.type'), equals: 'text_delta' }, done: null, doneData: null };
    case 'ai-sdk-ui':
      return { kind: 'app', text: steps('delta'), when: { path: steps('type'), equals: 'text-delta' }, done: null, doneData: '[DONE]' };
    case 'sse':
    case 'websocket': {
      const [text, done] = parsePaths(request.textPath, request.donePath);
      return { kind: 'app', text: toSteps(text), when: null, done: toSteps(done), doneData: '[DONE]' };
    }
    default:
      throw new Error(`internal: format ${request.format} has no browser reader (refused by the scenario schema)`);
  }
}

/** How the page sends the request: WebSocket for websocket; fetch for POST or any header (EventSource sends none); else EventSource, as a GET chat UI does. Pure. */
export function pageTransportFor(request: Pick<AppRequest, 'format' | 'method' | 'headers'>): PageTransport {
  if (request.format === 'websocket') return 'websocket';
  if (request.method === 'POST' || Object.keys(request.headers).length > 0) return 'fetch';
  return 'eventsource';
}

/** Reads one event's data as the Node client would (SSE data, or a WebSocket message). */
function nodeInterpreter(request: AppRequest): (data: string) => Interpretation {
  if (request.format === 'websocket') {
    const [text, done] = parsePaths(request.textPath, request.donePath);
    return (data) => interpretByPaths(data, text, done);
  }
  const spec = httpFormatSpec(request);
  return (data) => spec.interpret({ data, wireBytes: Buffer.byteLength(data) });
}

/** What the format expects, for a message about an answer that does not parse. */
function expectedOf(request: AppRequest): string {
  if (request.format === 'websocket') return request.textPath ? `JSON messages with the text at \`${request.textPath}\`` : 'text messages';
  return httpFormatSpec(request).expected;
}

/** Sends the app one request from a page in Chromium and reads its answer; throws AppStreamError when the answer cannot be read at all. */
export async function readAppStreamInBrowser(
  request: AppRequest,
  options: { pool: BrowserPool; render: RenderSettings; clock: Clock; signal: AbortSignal },
): Promise<BrowserAppRead> {
  const transport = pageTransportFor(request);
  const pageRequest: BrowserStreamRequest = {
    url: request.url,
    transport,
    ...(transport === 'fetch' && { method: request.method, headers: request.headers, body: request.body ?? null }),
    ...(transport === 'eventsource' && request.format === 'anthropic-sse' && { eventNames: ANTHROPIC_EVENTS }),
    ...(transport === 'websocket' && { sendOnOpen: request.body ?? null }),
    appDecoder: pageDecoderForApp(request),
    render: options.render,
    timeoutMs: PAGE_STREAM_BACKSTOP_MS,
  };
  const timeline = await openBrowserStream(pageRequest, { pool: options.pool, clock: options.clock, signal: options.signal });
  return interpretTimeline(request, timeline);
}

/** Turns the page's timeline into the runner's read: content events, painted renders, counters. Pure (exported for tests). */
export function interpretTimeline(request: AppRequest, timeline: BrowserStreamTimeline): BrowserAppRead {
  const interpret = nodeInterpreter(request);
  const events: ClientContentEvent[] = [];
  // Page event index → client content event seq.
  const contentSeqOf = new Map<number, number>();
  let parsed = 0;
  let malformed = 0;
  let ended = false;
  let appError: string | undefined;
  let wireBytes = 0;
  timeline.events.forEach((event, index) => {
    wireBytes += Buffer.byteLength(event.data);
    const meaning = interpret(event.data);
    if (meaning.malformed) malformed++;
    else parsed++;
    if (meaning.error !== undefined) appError ??= meaning.error.slice(0, 200);
    if (meaning.end) ended = true;
    if (meaning.text.length > 0) {
      contentSeqOf.set(index, events.length);
      events.push({ atMs: event.atMs, text: meaning.text });
    }
  });
  if (timeline.events.length > 0 && parsed === 0) {
    const first = timeline.events
      .map((event) => event.data)
      .join('\n')
      .slice(0, 200);
    throw new AppStreamError(
      `expected ${expectedOf(request)}, but none of the ${timeline.events.length} events the page received parsed; the first: ${JSON.stringify(first)}`,
      'format',
    );
  }
  if (timeline.events.length === 0 && timeline.error === null && timeline.openedAtMs !== null) {
    // A page's reader hands over complete events only: it cannot show the bytes of an answer that has none.
    throw new AppStreamError(`expected ${expectedOf(request)}, but the page received no event before the app closed the connection`, 'format');
  }
  if (parsed > 0 && events.length === 0 && appError === undefined && timeline.error === null) {
    const first = timeline.events
      .map((event) => event.data)
      .join('\n')
      .slice(0, FIRST_BYTES_SHOWN);
    throw new AppStreamError(textlessAnswerMessage('the events the page received', request, parsed, Buffer.from(first)), 'format');
  }
  const renders: BrowserRender[] = [];
  for (const render of timeline.renders) {
    if (render.paintedMs === null) continue;
    const contentSeqs = render.eventIndexes.flatMap((index) => (contentSeqOf.has(index) ? [contentSeqOf.get(index)!] : []));
    renders.push({ paintedAtMs: render.paintedMs, domUpdatedAtMs: render.domUpdatedMs, renderMs: render.domUpdatedMs - render.startMs, contentSeqs });
  }
  const nodeText = events.map((event) => event.text).join('');
  let pageProblem: string | null = null;
  if (timeline.error === null && timeline.text !== nodeText) {
    pageProblem = `the page assembled ${timeline.text.length} characters from the app's events where streambench's ${request.format} reader finds ${nodeText.length} (a difference between the two readers, not the app's)`;
  } else if (timeline.error === null && /[A-Za-z0-9]/.test(timeline.text) && timeline.domTextLength === 0) {
    pageProblem = 'the text arrived in the page but the DOM shows none of it';
  }
  // sse and websocket have an end marker only with donePath; the other formats always do.
  const endMarker = request.format === 'websocket' || request.format === 'sse' ? request.donePath !== undefined && request.donePath !== '' : true;
  return {
    requestStartMs: timeline.requestStartMs,
    events,
    allEvents: timeline.events.length,
    firstByteAtMs: timeline.openedAtMs,
    firstEventAtMs: timeline.events[0]?.atMs ?? null,
    summary: {
      // Without an end marker of its own (sse or websocket without donePath), a clean close ends the stream.
      ending: ended || (!endMarker && timeline.error === null) ? 'done' : 'closed-without-end-marker',
      status: timeline.openedAtMs !== null ? 200 : 0,
      // A page cannot see its sockets: the events' data bytes, as the browser client counts.
      wireBytes,
      malformedEvents: malformed,
      resumes: 0,
      ...(appError !== undefined && { appError }),
    },
    renders,
    counters: pageCounters({
      longTaskDurationsMs: timeline.longTasks.map((task) => task.durationMs),
      frames: timeline.frames,
      renderDurationsMs: timeline.renders.map((render) => render.domUpdatedMs - render.startMs),
      calibrationErrorMs: timeline.calibrationErrorMs,
      clockOffsetChangeMs: timeline.clockOffsetChangeMs,
    }),
    pageProblem,
    pageError: timeline.error,
  };
}
