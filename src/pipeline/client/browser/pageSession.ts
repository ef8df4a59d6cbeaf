/**
 * One browser page receiving one stream, seen from Node: it opens the page, calibrates the
 * page's clock against the tool's over the page's control socket, tells the page where to
 * connect and how to render, and collects what the page measured, mapped to the tool's clock.
 */
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import type { WebSocket } from 'ws';
import type { Clock } from '../../../clock.js';
import { calibrate, toToolMs, type CalibrationSample, type ClockCalibration } from './calibration.js';
import { CROSS_ORIGIN_ISOLATION_HEADERS, type PageServer } from './pageServer.js';

/** How the page reaches the stream. */
export type PageTransport = 'eventsource' | 'fetch' | 'websocket';

/** How the page turns event data into text. */
export type PageDecoder =
  /** The built-in serializers' wire formats (field-baseline and seed-cache: field; single-pass: flat; raw-text: raw). */
  | { kind: 'field' | 'flat' | 'raw' }
  /** An app's own JSON events: the text at `path` (keys and indexes), `doneData` ends the stream (null: the connection's close does). */
  | { kind: 'textPath'; path: (string | number)[]; doneData: string | null }
  /**
   * An app's events read as target mode reads them (src/target/appStream/): the text at `text`
   * (null: the whole data is the text), only when `when` holds (a field equals a value, e.g.
   * AI SDK parts of type text-delta); `done` present or data equal to `doneData` ends the stream.
   * A step with `json` parses the string found there as JSON and goes on inside it.
   */
  | { kind: 'app'; text: PagePathStep[] | null; when: { path: PagePathStep[]; equals: string } | null; done: PagePathStep[] | null; doneData: string | null };

/** One step of an app decoder's path: a key (or array index), and whether the value is a JSON string to parse. */
export interface PagePathStep {
  key: string;
  json: boolean;
}

/** The page's render strategy, as the modelled client's RenderSettings. */
export type PageRender = { strategy: 'every' } | { strategy: 'debounce'; delayMs: number } | { strategy: 'throttle'; intervalMs: number } | { strategy: 'frame' };

/** What the page is told to do. */
export interface PageStreamConfig {
  url: string;
  transport: PageTransport;
  /** fetch only: method, headers, body. */
  method?: string;
  headers?: Record<string, string>;
  body?: string | null;
  decoder: PageDecoder;
  render: PageRender;
  /** EventSource only: event names (`event:` lines) to listen for besides unnamed events. */
  eventNames?: string[];
  /** The frame interval dropped frames are counted against (16.7 at 60 Hz). */
  frameMs: number;
  /** The stream ends when its connection closes (an app without an end item). */
  endOnClose: boolean;
  /** Test hook and demonstration: after this many events, keep the main thread busy for `ms`. */
  blockMainThread?: { afterEvents: number; ms: number } | null;
  /** WebSocket only: a message the page sends as soon as the socket opens (an app's request). */
  sendOnOpen?: string | null;
}

/** What the page measured, on its own clock (ms of performance.now()). */
export interface PageReport {
  /** Whether performance.now() ran at 5 µs resolution (cross-origin isolated) rather than 100 µs. */
  crossOriginIsolated: boolean;
  /** The start command arrived (the page's request begins). */
  startAt: number | null;
  openAt: number | null;
  firstByteAt: number | null;
  endAt: number | null;
  doneAt: number | null;
  events: { at: number; data: string }[];
  /** Each render: started, DOM updated (end), painted (the frame after), and the seqs it painted first. */
  renders: { start: number; end: number; paint: number | null; seqs: number[] }[];
  /** The text the page assembled (the markdown source it rendered). */
  text: string;
  /** Characters of text in the DOM after the last render. */
  domTextLength: number;
  longTasks: { start: number; duration: number }[];
  frames: { count: number; dropped: number };
  error: string | null;
}

/** Deadlines of a page's steps, in ms. */
export const PAGE_TIMEOUTS = { open: 20_000, ping: 5_000, collect: 10_000 };

/** Round trips per calibration; the tightest one counts. */
export const CALIBRATION_ROUNDS = 40;

type PageMessage =
  | { type: 'ready' }
  | { type: 'pong'; id: number; now: number }
  | { type: 'open' }
  | { type: 'done' }
  | { type: 'failed'; message: string }
  | { type: 'report'; report: PageReport };

/** A page with its control socket, ready to receive a stream. */
export class PageSession {
  private readonly pongs = new Map<number, (pageMs: number) => void>();
  private nextPing = 0;
  private reportWaiter: ((report: PageReport) => void) | null = null;
  private failure: Error | null = null;
  private readonly failureListeners = new Set<(error: Error) => void>();
  private openListener: (() => void) | null = null;
  private doneListener: (() => void) | null = null;
  private closed = false;

  private constructor(
    readonly page: Page,
    private readonly control: WebSocket,
    private readonly clock: Clock,
  ) {
    control.on('message', (raw) => this.handle(JSON.parse(String(raw)) as PageMessage));
    control.on('close', () => this.fail(new Error('the browser page closed its control connection (page closed or crashed)')));
    control.on('error', () => {}); // followed by 'close'
    page.on('crash', () => this.fail(new Error('the browser page crashed')));
  }

  /**
   * Opens a page in `context`, loads it from `server` and waits until it is ready. With
   * `sameOriginAs`, the page is served on that origin instead (intercepted in the browser, so
   * the app's server never sees it): the page then reads an app's stream same-origin, as the
   * app's own front end does, with no CORS in the way.
   */
  static async open(context: BrowserContext, server: PageServer, clock: Clock, sameOriginAs?: string): Promise<PageSession> {
    const id = randomUUID();
    const control = server.awaitControl(id, PAGE_TIMEOUTS.open);
    control.catch(() => {}); // awaited below, after the page is open
    const page = await context.newPage();
    try {
      const url = server.pageUrl(id, sameOriginAs);
      if (sameOriginAs) {
        await page.route(
          (candidate) => candidate.href === url,
          (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers: { ...CROSS_ORIGIN_ISOLATION_HEADERS }, body: server.html }),
        );
      }
      await page.goto(url, { waitUntil: 'load', timeout: PAGE_TIMEOUTS.open });
      // No interception left on the page: the stream's own requests go straight to the network.
      if (sameOriginAs) await page.unrouteAll();
      const socket = await control;
      const session = new PageSession(page, socket, clock);
      return session;
    } catch (error) {
      await page.close().catch(() => {});
      throw error;
    }
  }

  /** Calibrates the page's clock: `rounds` round trips, one at a time, the tightest kept. */
  async calibrate(rounds = CALIBRATION_ROUNDS): Promise<ClockCalibration> {
    const samples: CalibrationSample[] = [];
    for (let round = 0; round < rounds; round++) samples.push(await this.ping());
    return calibrate(samples);
  }

  /** Tells the page to connect and render; `onOpen` when its connection is open, `onDone` when the last render was painted. */
  start(config: PageStreamConfig, listeners: { onOpen: () => void; onDone: () => void; onFailure: (error: Error) => void }): void {
    this.openListener = listeners.onOpen;
    this.doneListener = listeners.onDone;
    this.failureListeners.add(listeners.onFailure);
    if (this.failure) return listeners.onFailure(this.failure);
    this.control.send(JSON.stringify({ type: 'start', config }));
  }

  /** What the page measured so far, on the page's clock. */
  collect(): Promise<PageReport> {
    if (this.failure) return Promise.reject(this.failure);
    return this.withDeadline(
      new Promise<PageReport>((resolve) => {
        this.reportWaiter = resolve;
        this.control.send(JSON.stringify({ type: 'collect' }));
      }),
      PAGE_TIMEOUTS.collect,
      'the browser page did not send its report',
    );
  }

  /** Closes the page (safe to call twice). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.control.terminate();
    await this.page.close().catch(() => {});
  }

  private ping(): Promise<CalibrationSample> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextPing++;
    return this.withDeadline(
      new Promise<CalibrationSample>((resolve) => {
        const sentAtMs = this.clock.nowMs();
        this.pongs.set(id, (pageMs) => resolve({ sentAtMs, pageMs, receivedAtMs: this.clock.nowMs() }));
        this.control.send(JSON.stringify({ type: 'ping', id }));
      }),
      PAGE_TIMEOUTS.ping,
      'the browser page did not answer a clock ping',
    );
  }

  private handle(message: PageMessage): void {
    switch (message.type) {
      case 'pong': {
        // Stamped before anything else: the receipt time bounds the calibration error.
        const answer = this.pongs.get(message.id);
        this.pongs.delete(message.id);
        answer?.(message.now);
        return;
      }
      case 'open':
        return this.openListener?.();
      case 'done':
        return this.doneListener?.();
      case 'failed': {
        // The page is still there: what it measured until then can still be collected.
        const error = new Error(`browser page: ${message.message}`);
        for (const listener of this.failureListeners) listener(error);
        return;
      }
      case 'report':
        this.reportWaiter?.(message.report);
        this.reportWaiter = null;
        return;
      case 'ready':
        return;
    }
  }

  private fail(error: Error): void {
    if (this.failure || this.closed) return;
    this.failure = error;
    for (const listener of this.failureListeners) listener(error);
  }

  private withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs} ms`)), timeoutMs);
      const onFailure = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      this.failureListeners.add(onFailure);
      promise.then((value) => {
        clearTimeout(timer);
        this.failureListeners.delete(onFailure);
        resolve(value);
      }, onFailure);
    });
  }
}

/** A page report's times on the tool's clock (null stays null). */
export function reportOnToolClock(report: PageReport, calibration: ClockCalibration): PageReport {
  const map = (ms: number | null) => (ms === null ? null : toToolMs(calibration, ms));
  return {
    ...report,
    startAt: map(report.startAt),
    openAt: map(report.openAt),
    firstByteAt: map(report.firstByteAt),
    endAt: map(report.endAt),
    doneAt: map(report.doneAt),
    events: report.events.map((event) => ({ ...event, at: toToolMs(calibration, event.at) })),
    renders: report.renders.map((render) => ({
      ...render,
      start: toToolMs(calibration, render.start),
      end: toToolMs(calibration, render.end),
      paint: map(render.paint),
    })),
    longTasks: report.longTasks.map((task) => ({ ...task, start: toToolMs(calibration, task.start) })),
  };
}
