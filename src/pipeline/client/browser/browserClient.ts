/**
 * The `browser` client: one page in headless Chromium per stream. The page connects to the
 * relay by itself (EventSource, fetch or WebSocket), renders the markdown into the DOM with
 * the chosen strategy and stamps every event, render and paint on its own clock; when the
 * stream is over, this client maps those stamps to the tool's clock and hands them to the
 * observer as the modelled clients do — received at the page's event handler, rendered at the
 * paint that followed the DOM update, the render's own main-thread time as its duration.
 */
import type { DecodedEvent, RemoteClientHandle } from '../../types.js';
import type { BrowserClientOptions, ClientDeps, RenderSettings, StreamClient } from '../types.js';
import type { BrowserPool } from './browserPool.js';
import type { ClockCalibration } from './calibration.js';
import { pageCounters } from './pageCounters.js';
import { reportOnToolClock, type PageDecoder, type PageRender, type PageReport, type PageSession, type PageTransport } from './pageSession.js';

/** How long a page may take to finish its last render after the relay sent everything. */
export const PAGE_FINISH_TIMEOUT_MS = 15_000;

/** The page decoder for a built-in serializer's wire format. */
export function pageDecoderFor(serializerName: string): PageDecoder {
  if (serializerName === 'single-pass') return { kind: 'flat' };
  if (serializerName === 'raw-text') return { kind: 'raw' };
  // field-baseline and the seed's cache variants share the field's JSON-in-JSON messages.
  return { kind: 'field' };
}

/** The page's form of the render settings (frames are the browser's own, so their length is not set). */
export function pageRenderFor(render: RenderSettings): PageRender {
  return render.strategy === 'frame' ? { strategy: 'frame' } : render;
}

/** What the browser client needs beyond the other clients' deps. */
export type BrowserClientDeps = ClientDeps & { browser: BrowserPool; serializerName: string };

/** Creates the browser client of one stream. */
export function createBrowserClient(render: RenderSettings, options: BrowserClientOptions, deps: BrowserClientDeps): StreamClient {
  let page: { session: PageSession; release: () => Promise<void> } | null = null;
  let before: ClockCalibration | null = null;
  let report: PageReport | null = null;
  let calibrationErrorMs = 0;
  let calibrationDriftMs = 0;
  let renderCount = 0;
  const frameMs = render.strategy === 'frame' ? render.frameMs : 1000 / 60;

  const transport = (): PageTransport => (deps.deliveryKind === 'websocket' ? 'websocket' : options.request === 'fetch' ? 'fetch' : 'eventsource');

  const connect = (url: string): RemoteClientHandle => {
    if (!page) throw new Error('internal: the browser client connected before prepare()');
    const { session } = page;
    let markConnected!: () => void;
    let finished!: () => void;
    let failed!: (error: Error) => void;
    const connected = new Promise<void>((resolve) => (markConnected = resolve));
    const done = new Promise<void>((resolve, reject) => {
      finished = resolve;
      failed = reject;
    });
    done.catch(() => {});
    let deadline: ReturnType<typeof setTimeout> | null = null;
    let settled = false;
    const settle = (error?: Error) => {
      settled = true;
      if (deadline) clearTimeout(deadline);
      if (error) failed(error);
      else finished();
    };
    const kind = transport();
    session.start(
      {
        url,
        transport: kind,
        // What the AI SDK's useChat posts: the chat so far, as JSON.
        method: kind === 'fetch' ? 'POST' : 'GET',
        headers: kind === 'fetch' ? { 'content-type': 'application/json' } : {},
        body: kind === 'fetch' ? JSON.stringify({ messages: [{ role: 'user', content: 'benchmark' }] }) : null,
        decoder: pageDecoderFor(deps.serializerName),
        render: pageRenderFor(render),
        eventNames: options.sseEventName ? [options.sseEventName] : [],
        frameMs,
        endOnClose: false,
        blockMainThread: options.blockMainThread,
      },
      { onOpen: markConnected, onDone: () => settle(), onFailure: (error) => settle(error) },
    );
    return {
      connected,
      done,
      relayEnded() {
        if (settled) return;
        deadline ??= setTimeout(
          () => settle(new Error(`the browser page did not finish rendering within ${PAGE_FINISH_TIMEOUT_MS} ms after the relay ended the stream`)),
          PAGE_FINISH_TIMEOUT_MS,
        );
      },
      counters: () => ({
        events: report?.events.length ?? 0,
        // A page cannot see its sockets: the event data's UTF-8 bytes, as direct delivery counts.
        bytes: report?.events.reduce((sum, event) => sum + Buffer.byteLength(event.data), 0) ?? 0,
        firstByteAtMs: report?.firstByteAt ?? null,
        firstEventAtMs: report?.events[0]?.at ?? null,
        reconnects: 0,
        heartbeats: 0,
      }),
      async abort() {
        settle(new Error('the browser client was stopped'));
        await page?.release();
      },
    };
  };

  const release = async () => {
    await page?.release();
  };

  return {
    remote: { connect },
    async prepare() {
      page = await deps.browser.openPage();
      try {
        before = await page.session.calibrate();
      } catch (error) {
        await release();
        throw error;
      }
    },
    onEvent() {
      throw new Error('internal: the browser client reads its stream in the page, not through onEvent');
    },
    async finish() {
      if (!page || !before) throw new Error('internal: the browser client finished without a page');
      const raw = await page.session.collect();
      // A second calibration after the stream: the tighter of the two maps the clocks (its
      // error is reported), and how far their offsets differ shows any drift between them.
      const after = await page.session.calibrate();
      const calibration = after.errorMs < before.errorMs ? after : before;
      calibrationErrorMs = calibration.errorMs;
      calibrationDriftMs = Math.abs(after.offsetMs - before.offsetMs);
      report = reportOnToolClock(raw, calibration);
      await release();
      if (report.error) throw new Error(`browser page: ${report.error}`);
      // The text is checked against the source like every client's; the DOM must show it too.
      if (/[A-Za-z0-9]/.test(report.text) && report.domTextLength === 0) throw new Error('browser page: the text arrived but the DOM shows none of it');
      replay(report, deps);
      renderCount = report.renders.filter((entry) => entry.paint !== null).length;
    },
    text: () => report?.text ?? '',
    get renderCount() {
      return renderCount;
    },
    counters(): Record<string, number> {
      if (!report) return {};
      return pageCounters({
        longTaskDurationsMs: report.longTasks.map((task) => task.duration),
        frames: report.frames,
        renderDurationsMs: report.renders.map((entry) => entry.end - entry.start),
        calibrationErrorMs,
        clockOffsetChangeMs: calibrationDriftMs,
      });
    },
    dispose: release,
  };
}

/** Hands the page's events and painted renders to the observer, on the tool's clock. */
function replay(report: PageReport, deps: ClientDeps): void {
  for (const event of report.events) {
    // Decoded again here with the serializer's own decoder: the JSON calls the page made are
    // counted as the other clients' are, and the seq/end seen here are the serializer's.
    const decoded: DecodedEvent = deps.decoder.decode(event.data);
    deps.observer.received(decoded, event.at);
  }
  for (const render of report.renders) {
    if (render.paint === null) continue;
    deps.observer.rendered(render.seqs, render.paint, render.end - render.start, true, render.end);
  }
}
