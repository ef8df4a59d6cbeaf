/**
 * One stream read by a real browser page from an arbitrary URL — the piece target mode
 * (streambench as the client of the user's own app) uses for the render stage. The page is
 * served on the app's own origin (intercepted in the browser), so it reads the stream
 * same-origin as the app's front end does; it renders the markdown with the chosen strategy
 * and returns every event and every paint on the tool's clock.
 */
import { systemClock, type Clock } from '../../../clock.js';
import type { RenderSettings } from '../types.js';
import { pageRenderFor } from './browserClient.js';
import { BrowserPool } from './browserPool.js';
import { resolveChromium } from './chromiumLauncher.js';
import { reportOnToolClock, type PageDecoder, type PageTransport } from './pageSession.js';

/** What to open and how to read it. */
export interface BrowserStreamRequest {
  url: string;
  /** eventsource (GET only), fetch (a streamed body reader, any method) or websocket. */
  transport: PageTransport;
  /** fetch only (default GET). */
  method?: string;
  /** fetch only. */
  headers?: Record<string, string>;
  /** fetch only: the request body, e.g. the chat's JSON. */
  body?: string | null;
  /** eventsource only: event names (`event:` lines, e.g. Anthropic's `content_block_delta`) to read besides unnamed events. */
  eventNames?: string[];
  /** Where the text is in each event's JSON data, dotted (`choices.0.delta.content`, `delta`); required unless `appDecoder` is given. */
  textPath?: string;
  /** Target mode: read the events as an app's format (see PageDecoder 'app'); replaces textPath and doneData. */
  appDecoder?: Extract<PageDecoder, { kind: 'app' }>;
  /** websocket only: a message sent as soon as the socket opens (the app's request). */
  sendOnOpen?: string | null;
  /** Event data that ends the stream (default `[DONE]`); null: the connection's close ends it. */
  doneData?: string | null;
  /** When the page paints (default: frame-paced). */
  render?: RenderSettings;
  /** Test hook and demonstration: keep the main thread busy for `ms` after `afterEvents` events. */
  blockMainThread?: { afterEvents: number; ms: number } | null;
  /** Deadline for the whole stream, from the request to the last paint (default 120 s). */
  timeoutMs?: number;
}

/** What the page saw, every time on the tool's clock (src/clock.ts), in ms. */
export interface BrowserStreamTimeline {
  /** The tool's clock when the page was told to start the request. */
  requestStartMs: number;
  /** Half the tightest clock round trip of the calibrations before and after the stream: the mapping's error bound. */
  calibrationErrorMs: number;
  /** How far the two calibrations' offsets differ (drift, or error beyond the bound on a busy machine). */
  clockOffsetChangeMs: number;
  /** The page clock's resolution: 0.005 ms when the page is cross-origin isolated, else Chromium's 0.1 ms. */
  pageClockResolutionMs: number;
  /** Connection open (EventSource open, fetch response head, WebSocket open); null if it never opened. */
  openedAtMs: number | null;
  /** Each event's data as the page's handler got it. */
  events: { atMs: number; data: string }[];
  /** Each render: started, DOM updated, painted (the frame after the update; null if never), and the events (indexes into `events`) it showed first. */
  renders: { startMs: number; domUpdatedMs: number; paintedMs: number | null; eventIndexes: number[] }[];
  /** Characters of text in the DOM after the last render. */
  domTextLength: number;
  /** The text the page assembled and rendered. */
  text: string;
  /** Long tasks the page reported (PerformanceObserver 'longtask'). */
  longTasks: { startMs: number; durationMs: number }[];
  /** Animation frames while the stream ran, and frames dropped (gaps over 1.5 frame intervals). */
  frames: { count: number; dropped: number };
  /** What went wrong in the page (the timeline holds what was measured until then), or null. */
  error: string | null;
}

/** Where the text sits in an event's JSON: `choices.0.delta.content` → ['choices', 0, 'delta', 'content']. */
export function parseTextPath(path: string): (string | number)[] {
  if (path.trim() === '') throw new RangeError('textPath must name where the text is in each event, e.g. choices.0.delta.content');
  return path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * Opens a headless Chromium page against `request.url`, reads the stream there and returns
 * the per-event and per-paint timeline. Pass a `pool` to reuse browsers across streams (it is
 * then not closed); without one a browser is launched and closed here, also on failure.
 */
export async function openBrowserStream(request: BrowserStreamRequest, options: { pool?: BrowserPool; clock?: Clock; signal?: AbortSignal } = {}): Promise<BrowserStreamTimeline> {
  const clock = options.clock ?? systemClock;
  if (request.transport === 'eventsource' && request.method && request.method !== 'GET') {
    throw new RangeError(`transport eventsource sends GET only (got method ${request.method}): use transport fetch for ${request.method}`);
  }
  const decoder: PageDecoder = request.appDecoder ?? {
    kind: 'textPath',
    path: parseTextPath(request.textPath ?? ''),
    doneData: request.doneData === undefined ? '[DONE]' : request.doneData,
  };
  const signal = options.signal;
  let pool = options.pool;
  if (!pool) {
    const chromium = resolveChromium();
    if ('missing' in chromium) throw new Error(chromium.missing);
    pool = await BrowserPool.start(chromium.path, { pagesPerContext: 1, contextsPerBrowser: 10 }, clock);
  }
  const ownPool = !options.pool;
  const target = new URL(request.url);
  const pageOrigin = target.protocol === 'ws:' ? `http://${target.host}` : target.protocol === 'wss:' ? `https://${target.host}` : target.origin;
  const timeoutMs = request.timeoutMs ?? 120_000;
  const render = request.render ?? { strategy: 'frame', frameMs: 1000 / 60 };

  try {
    const page = await pool.openPage(pageOrigin);
    try {
      const before = await page.session.calibrate();
      const requestStartMs = clock.nowMs();
      let stopListening = () => {};
      const finished = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the stream did not end within ${timeoutMs} ms (timeoutMs)`)), timeoutMs);
        // An abort ends the wait at once; what the page measured until then is still collected.
        const onAbort = () => {
          clearTimeout(timer);
          reject(new Error(String(signal?.reason instanceof Error ? signal.reason.message : (signal?.reason ?? 'aborted'))));
        };
        if (signal?.aborted) onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        stopListening = () => signal?.removeEventListener('abort', onAbort);
        page.session.start(
          {
            url: request.url,
            transport: request.transport,
            method: request.method ?? 'GET',
            headers: request.headers ?? {},
            body: request.body ?? null,
            eventNames: request.eventNames ?? [],
            decoder,
            render: pageRenderFor(render),
            frameMs: render.strategy === 'frame' ? render.frameMs : 1000 / 60,
            endOnClose: true,
            blockMainThread: request.blockMainThread ?? null,
            sendOnOpen: request.sendOnOpen ?? null,
          },
          {
            onOpen: () => {},
            onDone: () => {
              clearTimeout(timer);
              resolve();
            },
            onFailure: (error) => {
              clearTimeout(timer);
              reject(error);
            },
          },
        );
      });
      let failure: string | null = null;
      await finished.catch((error: Error) => (failure = error.message)).finally(() => stopListening());
      const raw = await page.session.collect();
      const after = await page.session.calibrate();
      const calibration = after.errorMs < before.errorMs ? after : before;
      const report = reportOnToolClock(raw, calibration);
      return {
        requestStartMs,
        calibrationErrorMs: calibration.errorMs,
        clockOffsetChangeMs: Math.abs(after.offsetMs - before.offsetMs),
        pageClockResolutionMs: report.crossOriginIsolated ? 0.005 : 0.1,
        openedAtMs: report.openAt,
        events: report.events.map((event) => ({ atMs: event.at, data: event.data })),
        renders: report.renders.map((entry) => ({ startMs: entry.start, domUpdatedMs: entry.end, paintedMs: entry.paint, eventIndexes: entry.seqs })),
        domTextLength: report.domTextLength,
        text: report.text,
        longTasks: report.longTasks.map((task) => ({ startMs: task.start, durationMs: task.duration })),
        frames: report.frames,
        error: report.error ?? failure,
      };
    } finally {
      await page.release();
    }
  } finally {
    if (ownPool) await pool.close();
  }
}
