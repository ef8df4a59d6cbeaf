/**
 * One stream through the user's app: register the stream's marker with the upstream, send the
 * app its request, read its streamed answer in the app's format, then tie what the client got
 * to what the upstream wrote (by text offset) in a StreamTrace — upstream write as the `emit`
 * stage, client receive as `clientReceive` — so the existing metrics apply unchanged.
 */
import type { Clock } from '../clock.js';
import { StreamTrace } from '../probes/streamTrace.js';
import type { StreamRun } from '../run/runStream.js';
import type { StreamCounts } from '../stats/streamSummary.js';
import type { TargetStreamSample, TextIntegrity } from '../stats/targetSample.js';
import type { BrowserPool } from '../pipeline/client/browser/browserPool.js';
import type { RenderSettings } from '../pipeline/client/types.js';
import { AppStreamError, type AppRequest, type AppStreamSummary, type ReadAppStream } from './appStream/types.js';
import { safeUrl } from './appStream/messages.js';
import { unreachableCause } from './appStream/reachable.js';
import type { BrowserAppRead, BrowserRender } from './browserAppStream.js';
import type { MarkerRegistry } from './markerMatching.js';
import { type ClientContentEvent, describeIntegrity, matchByOffset } from './offsetMatching.js';
import { buildAppRequest } from './requestTemplate.js';
import type { TargetSettings } from '../scenario/targetSchema.js';
import { UpstreamStreamRecord } from './upstreamServer.js';

/** One stream's run, with target mode's sample. */
export interface TargetStreamRun extends StreamRun {
  target: TargetStreamSample;
}

/** What a stream needs from its config. */
export interface TargetStreamContext {
  settings: TargetSettings;
  /** The app's URL with {appPort} filled in. */
  url: string;
  clock: Clock;
  registry: MarkerRegistry<UpstreamStreamRecord>;
  readAppStream: ReadAppStream;
  /** Calls `callback` with how the app exited, if it exits before the returned function is called (never when streambench did not start it). */
  onAppExit: (callback: (how: string) => void) => () => void;
  /** The app's log file, named in messages (null when streambench did not start it). */
  appLog: string | null;
  /** How long the upstream may take to finish its stream after the client's read ended. */
  drainMs: number;
  /** target.client browser: the config's Chromium pages, the render settings and the page reader (loaded only for browser targets). */
  browser?: {
    pool: BrowserPool;
    render: RenderSettings;
    read: (request: AppRequest, options: { pool: BrowserPool; render: RenderSettings; clock: Clock; signal: AbortSignal }) => Promise<BrowserAppRead>;
  } | null;
}

/** Runs one stream through the app; throws with a message a user can act on. */
export async function runTargetStream(context: TargetStreamContext, streamIndex: number, streamId: string, signal?: AbortSignal): Promise<TargetStreamRun> {
  const { clock, settings, registry } = context;
  const record = new UpstreamStreamRecord();
  const expectation = registry.expect(streamIndex, record);
  const request = buildAppRequest(settings, context.url, { prompt: `${settings.prompt} ${expectation.marker}`, marker: expectation.marker, streamId });

  const events: ClientContentEvent[] = [];
  let allEvents = 0;
  let firstByteAtMs: number | null = null;
  let firstEventAtMs: number | null = null;
  const reading = new AbortController();
  let failure: string | null = null;
  const fail = (message: string) => {
    failure ??= message;
    reading.abort();
  };
  const onAbort = () => reading.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  // The app never calling the upstream is a fault of its own, said as such.
  const upstreamTimer = clock.setTimer(() => {
    if (record.requestAtMs === null) {
      fail(
        `the app never called the upstream within ${settings.timeouts.upstreamMs} ms of the request (is its model base URL set to streambench's upstream — OPENAI_BASE_URL / ANTHROPIC_BASE_URL — and does its request carry the prompt?)`,
      );
    }
  }, settings.timeouts.upstreamMs);
  const stopWatchingApp = context.onAppExit((how) => fail(`the app ${how} during this stream${context.appLog ? ` (log: ${context.appLog})` : ''}`));

  let requestStartMs = clock.nowMs();
  const cpuAtStart = process.cpuUsage();
  let summary: AppStreamSummary;
  let browserRead: BrowserAppRead | null = null;
  // The page's stream ends by itself only when the app ends it: once the upstream is done, the app has idleMs to deliver the rest.
  let idleTimer: ReturnType<Clock['setTimer']> | null = null;
  let readOver = false;
  try {
    try {
      if (context.browser) {
        const { browser } = context;
        void record.ended.then(() => {
          // Not after the read is over: its `finally` has already cleared the timers.
          if (reading.signal.aborted || readOver) return;
          idleTimer = clock.setTimer(
            () => fail(`the app had not finished its answer in the browser ${settings.timeouts.idleMs} ms after the upstream's last write (timeouts.idleMs)`),
            settings.timeouts.idleMs,
          );
        });
        browserRead = await browser.read(request, { pool: browser.pool, render: browser.render, clock, signal: reading.signal });
        if (failure === null && signal?.aborted) failure = 'interrupted';
        if (failure === null && browserRead.pageError !== null) {
          // A page learns only "Failed to fetch" when the app is down: the URL and the cause come from a connection tried from here.
          const cause = browserRead.firstByteAtMs === null ? await unreachableCause(request.url) : null;
          if (cause !== null) throw new AppStreamError(`cannot reach the app at ${safeUrl(request.url)}: ${cause} (in the browser: ${browserRead.pageError})`, 'unreachable');
          throw new AppStreamError(`in the browser: ${browserRead.pageError}`, 'closed');
        }
        ({ requestStartMs, summary, allEvents, firstByteAtMs, firstEventAtMs } = browserRead);
        events.push(...browserRead.events);
      } else {
        summary = await context.readAppStream(
          request,
          clock,
          {
            connected: () => {},
            responseHead: (atMs) => {
              firstByteAtMs ??= atMs;
            },
            event: (atMs, text) => {
              allEvents++;
              firstEventAtMs ??= atMs;
              if (text.length > 0) events.push({ atMs, text });
            },
          },
          reading.signal,
        );
      }
    } catch (error) {
      if (failure !== null) throw new Error(failure);
      // A crash shows first as a closed socket: give the exit a moment to be seen, and say it.
      if (context.appLog !== null && !signal?.aborted) await new Promise((resolve) => setTimeout(resolve, 300));
      if (failure !== null) throw new Error(`${failure}: ${(error as Error).message}`);
      if (error instanceof AppStreamError) throw new Error(`the app's answer: ${error.message}`);
      throw error;
    } finally {
      readOver = true;
      clock.clearTimer(upstreamTimer);
      if (idleTimer !== null) clock.clearTimer(idleTimer);
      signal?.removeEventListener('abort', onAbort);
    }
    if (failure !== null) throw new Error(failure);
    if (record.requestAtMs === null) {
      // The app's own error, when its stream carried one, usually names the cause (a base URL it could not reach).
      const appSaid = summary.appError ? `; its answer carried the error "${summary.appError}"` : '';
      throw new Error(`the app answered without calling the upstream (its answer cannot be tied to a model stream${appSaid}): check that its model base URL points at streambench`);
    }
    // The client's read may end before the upstream wrote its last frame (the app closed early).
    await withDeadline(record.ended, context.drainMs, clock);
  } finally {
    stopWatchingApp();
    // A stream that failed must not be matched later by a late upstream request.
    registry.forget(expectation);
  }

  const cpu = process.cpuUsage(cpuAtStart);
  const trace = new StreamTrace(requestStartMs);
  const writes = record.writes;
  writes.forEach((write) => trace.emit({ text: write.text, tokens: write.tokens }, write.writeMs));
  const match = matchByOffset(
    writes.map((write) => write.text),
    events,
  );
  // Client content events are the trace's messages; each upstream chunk belongs to the event that completed it.
  events.forEach((event, seq) => {
    trace.stamp('clientReceive', seq, event.atMs);
    trace.receive(seq, event.atMs, false, true);
  });
  trace.messageCount = events.length;
  match.chunkEvent.forEach((seq, index) => {
    if (seq >= 0) trace.setChunkMessage(index, seq);
  });
  if (browserRead) addPaints(trace, browserRead.renders);

  const sentText = record.text();
  const contentBytes = Buffer.byteLength(events.map((event) => event.text).join(''));
  const problems: string[] = [];
  const integrityProblem = describeIntegrity(match.integrity, sentText.length);
  if (integrityProblem) problems.push(integrityProblem);
  // The app said inside its stream that something failed (an error part or event): its words, as it sent them.
  if (summary.appError !== undefined) problems.push(`the app reported an error in its stream: ${summary.appError}`);
  if (browserRead?.pageProblem) problems.push(`browser page: ${browserRead.pageProblem}`);
  if (record.abandonedByApp) problems.push(`the app closed its upstream request after ${writes.length} chunks, before the stream ended`);
  else if (!record.completed) problems.push(`the upstream had not finished writing ${context.drainMs} ms after the client's read ended`);
  const undelivered = match.chunkEvent.filter((seq, index) => seq < 0 && (writes[index]?.text.length ?? 0) > 0).length;
  const counts: StreamCounts = {
    delivery: {
      events: allEvents,
      bytes: summary.wireBytes,
      firstByteAtMs,
      firstEventAtMs,
      reconnects: summary.resumes,
    },
    jsonStringifyCalls: 0,
    jsonParseCalls: 0,
    cpuUs: cpu.user + cpu.system,
    broker: {},
    serializer: {},
    ...(browserRead && { client: browserRead.counters }),
    check: {
      missingMessages: undelivered,
      duplicateEvents: summary.resumeDuplicates ?? 0,
      reorderedEvents: match.integrity.reorderedEvents,
      endReceived: summary.ending === 'done',
      textMatches: match.integrity.exact,
      problem: problems.length > 0 ? problems.join('; ') : null,
    },
  };
  return { trace, counts, target: sampleOf(trace, record, events, match.integrity, summary, contentBytes) };
}

function sampleOf(
  trace: StreamTrace,
  record: UpstreamStreamRecord,
  events: ClientContentEvent[],
  integrity: TextIntegrity,
  summary: AppStreamSummary,
  contentBytes: number,
): TargetStreamSample {
  const start = trace.requestStartMs;
  const contentWrites = record.writes.filter((write) => write.text.length > 0);
  const firstWriteMs = contentWrites[0]?.writeMs ?? null;
  const lastWriteMs = contentWrites.at(-1)?.writeMs ?? null;
  const clientFirstMs = events[0]?.atMs ?? null;
  const clientLastMs = events.length > 0 ? Math.max(...events.map((event) => event.atMs)) : null;
  let lastTenthTextShare: number | null = null;
  if (firstWriteMs !== null && clientLastMs !== null) {
    const windowMs = clientLastMs - firstWriteMs;
    const tailStartMs = clientLastMs - windowMs * 0.1;
    const total = events.reduce((sum, event) => sum + event.text.length, 0);
    const inTail = events.filter((event) => event.atMs >= tailStartMs).reduce((sum, event) => sum + event.text.length, 0);
    lastTenthTextShare = total > 0 ? inTail / total : null;
  }
  return {
    matchedBy: record.matchedBy!,
    appUpstreamRequestMs: record.requestAtMs! - start,
    ttftAddedMs: clientFirstMs !== null && firstWriteMs !== null ? clientFirstMs - firstWriteMs : null,
    lastTenthTextShare,
    upstreamSpanMs: firstWriteMs !== null && lastWriteMs !== null ? lastWriteMs - firstWriteMs : 0,
    upstreamChunks: contentWrites.length,
    clientContentEvents: events.length,
    contentBytes,
    wireBytes: summary.wireBytes,
    integrity,
    endMarkerSeen: summary.ending === 'done',
  };
}

/** The page's painted renders into the trace, as the browser client reports them: painted at `atMs`, each content event stamped at the paint that first showed it. */
function addPaints(trace: StreamTrace, renders: BrowserRender[]): void {
  for (const render of renders) {
    trace.render(render.paintedAtMs, render.renderMs, render.contentSeqs, render.domUpdatedAtMs);
  }
}

function withDeadline(promise: Promise<void>, timeoutMs: number, clock: Clock): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = clock.setTimer(resolve, timeoutMs);
    void promise.then(() => {
      clock.clearTimer(timer);
      resolve();
    });
  });
}
