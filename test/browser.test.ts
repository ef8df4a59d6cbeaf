/**
 * The browser client against the real Chromium (Debian's chromium through playwright-core):
 * render strategies as seen in the page, a long task and the staleness it causes, the clock
 * calibration, text verification, the pipeline's browser configs, and no browser process
 * outliving the tool (also after Ctrl-C). One browser pool serves the page-level tests.
 * Without Chromium the browser tests are skipped on a developer machine and fail under CI=true.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { monotonicNowMs, systemClock } from '../src/clock.js';
import { BrowserPool } from '../src/pipeline/client/browser/browserPool.js';
import { browserProcessesUnder, listProcesses, readBrowserResources } from '../src/pipeline/client/browser/browserProcesses.js';
import { parseProcStat } from '../src/probes/procStat.js';
import { calibrate } from '../src/pipeline/client/browser/calibration.js';
import { CHROMIUM_ENV, resolveChromium } from '../src/pipeline/client/browser/chromiumLauncher.js';
import { openBrowserStream, parseTextPath, type BrowserStreamRequest, type BrowserStreamTimeline } from '../src/pipeline/client/browser/openBrowserStream.js';
import { runScenario } from '../src/run/runScenario.js';
import { ScenarioError } from '../src/input/scenarioError.js';
import { scenarioFrom } from './helpers/scenario.js';
import { completedConfig, failedConfig, metricsOf, resultDocument, summaryOf } from './helpers/resultFixtures.js';
import { hasBrowserClient } from '../src/report/configKinds.js';
import { renderRenderTable } from '../src/report/renderTable.js';
import { ensureBuiltDist } from './helpers/builtDist.js';
import { entryOf, firstOf, itemAt, leadingOf } from './helpers/indexed.js';

const chromium = resolveChromium();
if ('missing' in chromium && process.env.CI === 'true') throw new Error(`CI needs Chromium for the browser client tests: ${chromium.missing}`);
if ('missing' in chromium) console.warn(`Skipping the browser client tests: ${chromium.missing}`);
const haveChromium = 'path' in chromium;

describe('browser client: pure parts', () => {
  it('calibration keeps the tightest round trip: offset from its midpoint, error half of it', () => {
    const calibration = calibrate([
      { sentAtMs: 100, pageMs: 5_000, receivedAtMs: 104 },
      { sentAtMs: 200, pageMs: 5_100.5, receivedAtMs: 201 },
      { sentAtMs: 300, pageMs: 5_203, receivedAtMs: 306 },
    ]);
    expect(calibration).toEqual({ offsetMs: 4_900, errorMs: 0.5, samples: 3 });
    expect(() => calibrate([])).toThrow(/at least one round trip/);
  });

  it('reads /proc stat lines whose command names hold spaces and parentheses', () => {
    const line = '4242 (chromium (x) y) S 4000 4242 4242 0 -1 4194560 100 0 0 0 150 30 4 2 20 0 1 0 100 1000 50';
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 4000, comm: 'chromium (x) y', state: 'S', cpuTicks: 186 });
    const tree = [
      { pid: 10, ppid: 1, comm: 'node', state: 'S', cpuTicks: 0 },
      { pid: 11, ppid: 10, comm: 'chromium', state: 'S', cpuTicks: 5 },
      { pid: 12, ppid: 11, comm: 'cat', state: 'R', cpuTicks: 1 },
      { pid: 13, ppid: 10, comm: 'redis-server', state: 'S', cpuTicks: 9 },
    ];
    expect(browserProcessesUnder(10, tree).map((entry) => entry.pid)).toEqual([11, 12]);
  });

  it('a text path splits into keys and indexes', () => {
    expect(parseTextPath('choices.0.delta.content')).toEqual(['choices', 0, 'delta', 'content']);
    expect(() => parseTextPath(' ')).toThrow(/textPath/);
  });

  it('says how to get Chromium when there is none', () => {
    expect(resolveChromium({}, '/nonexistent/chromium')).toEqual({ missing: expect.stringContaining('apt-get install chromium') });
    expect(resolveChromium({ [CHROMIUM_ENV]: '/nonexistent/chromium' })).toEqual({ missing: expect.stringContaining(CHROMIUM_ENV) });
  });

  it('refuses a browser client without a wire, and browser settings on a modelled client', () => {
    expect(() => scenarioFrom({ pipeline: { client: { type: 'browser' } } })).toThrow(ScenarioError);
    expect(() => scenarioFrom({ pipeline: { client: { type: 'browser' } } })).toThrow(/delivery\.type sse or websocket/);
    expect(() => scenarioFrom({ pipeline: { delivery: { type: 'sse' }, client: { type: 'lean', browser: { request: 'fetch' } } } })).toThrow(
      /client\.browser applies to client\.type browser/,
    );
    expect(() => scenarioFrom({ pipeline: { delivery: { type: 'sse' }, client: { type: 'browser' } }, load: { concurrency: 4, streams: 8, workers: 2 } })).toThrow(
      /load\.workers must be 1 with client\.type browser/,
    );
  });

  it('the render table shows model and browser rows side by side, within 120 columns', () => {
    const model = {
      ...completedConfig(
        'debounce-50ms-model',
        metricsOf({ stalenessMs: summaryOf(700), counters: { rendersPerStream: 1.5 }, stages: { render: { ttftMs: summaryOf(890), latencyMs: null } } }),
      ),
      settings: { client: { type: 'field', render: { strategy: 'debounce', intervalMs: 50 } } },
    };
    const browser = {
      ...completedConfig(
        'debounce-50ms-browser',
        metricsOf({
          stalenessMs: summaryOf(650),
          counters: { rendersPerStream: 2, longTasksPerStream: 0.5, droppedFramesPerStream: 1, clockCalibrationErrorMaxMs: 0.25 },
          stages: { render: { ttftMs: summaryOf(1000), latencyMs: null } },
        }),
      ),
      settings: { client: { type: 'browser', render: { strategy: 'debounce', intervalMs: 50 } } },
    };
    const skipped = {
      ...failedConfig('throttle-50ms-browser', 'skipped', 'client.type browser: Chromium is not installed at /usr/bin/chromium: install it (apt-get install chromium)'),
      settings: { client: { type: 'browser', render: { strategy: 'throttle', intervalMs: 50 } } },
    };
    const document = resultDocument([model, browser, skipped]);
    expect(hasBrowserClient(document)).toBe(true);
    expect(hasBrowserClient(resultDocument([model]))).toBe(false);
    const table = renderRenderTable(document);
    const rows = table.split('\n');
    expect(Math.max(...rows.map((row) => row.length))).toBeLessThanOrEqual(120);
    const modelRow = rows.find((row) => row.includes('debounce-50ms-model'))!;
    expect(modelRow).toMatch(/field debounce 50 .*890 .*700 .*2100 .*1\.5 .*— .*— .*—/);
    const browserRow = rows.find((row) => row.includes('debounce-50ms-browser'))!;
    expect(browserRow).toMatch(/browser debounce 50 .*1000 .*650 .*1950 .*2 .*0\.5 .*1 .*0\.250/);
    expect(table).toMatch(/skipped: client\.type browser: Chromium is not installed/);
  });

  it('a config whose Chromium is missing is skipped with the way to install it', async () => {
    const saved = process.env[CHROMIUM_ENV];
    process.env[CHROMIUM_ENV] = '/nonexistent/chromium';
    try {
      const document = await runScenario(
        scenarioFrom({
          iterations: 1,
          warmup: 0,
          source: { type: 'synthetic', profile: 'zero-delay', tokens: 5 },
          pipeline: { delivery: { type: 'sse' }, client: { type: 'browser' } },
        }),
        { redis: 'off' },
      );
      const config = firstOf(document.configs, 'document.configs');
      expect(config.state).toBe('skipped');
      expect(config.message).toMatch(/apt-get install chromium/);
    } finally {
      if (saved === undefined) delete process.env[CHROMIUM_ENV];
      else process.env[CHROMIUM_ENV] = saved;
    }
  });
});

/** A stream server for the page: SSE (GET or POST) and WebSocket, `n` JSON events `gap` ms apart. */
interface StreamServer {
  origin: string;
  requests: { method: string; body: string }[];
  /** Tool-clock times the events of the last stream were written. */
  sentAtMs: number[];
  close(): Promise<void>;
}

async function startStreamServer(): Promise<StreamServer> {
  const requests: StreamServer['requests'] = [];
  let sentAtMs: number[] = [];
  // `?texts=<JSON array>` streams those texts instead of t0, t1, …
  const plan = (url: URL) => {
    const texts = url.searchParams.has('texts') ? (JSON.parse(url.searchParams.get('texts')!) as string[]) : null;
    return { n: texts?.length ?? Number(url.searchParams.get('n') ?? 20), gap: Number(url.searchParams.get('gap') ?? 10), texts };
  };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://test');
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', body });
      const { n, gap, texts } = plan(url);
      const token = (index: number) => texts?.[index] ?? `t${index} `;
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.flushHeaders();
      sentAtMs = [];
      let index = 0;
      const next = () => {
        if (index === n) {
          response.end('data: [DONE]\n\n');
          return;
        }
        sentAtMs.push(monotonicNowMs());
        response.write(`data: ${JSON.stringify({ delta: { text: token(index) } })}\n\n`);
        index++;
        setTimeout(next, gap);
      };
      setTimeout(next, gap);
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, request) => {
    const { n, gap, texts } = plan(new URL(request.url ?? '/', 'http://test'));
    const token = (index: number) => texts?.[index] ?? `t${index} `;
    sentAtMs = [];
    let index = 0;
    const next = () => {
      if (index === n) return socket.close(1000);
      sentAtMs.push(monotonicNowMs());
      socket.send(JSON.stringify({ delta: { text: token(index) } }));
      index++;
      setTimeout(next, gap);
    };
    setTimeout(next, gap);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    get sentAtMs() {
      return sentAtMs;
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const expectedText = (n: number) => Array.from({ length: n }, (_, index) => `t${index} `).join('');
const painted = (timeline: BrowserStreamTimeline) => timeline.renders.filter((render) => render.paintedMs !== null);

describe.skipIf(!haveChromium)('browser client in Chromium', () => {
  let pool: BrowserPool;
  let streams: StreamServer;
  const seenBrowserPids = new Set<number>();
  const open = (request: Omit<BrowserStreamRequest, 'textPath'> & { textPath?: string }) =>
    openBrowserStream({ textPath: 'delta.text', ...request }, { pool }).then((timeline) => {
      for (const pid of readBrowserResources()?.pids ?? []) seenBrowserPids.add(pid);
      return timeline;
    });

  beforeAll(async () => {
    streams = await startStreamServer();
    pool = await BrowserPool.start((chromium as { path: string }).path, { pagesPerContext: 2, contextsPerBrowser: 2 }, systemClock);
  }, 60_000);

  afterAll(async () => {
    await pool?.close();
    await streams?.close();
  });

  it('every event: one render per event plus the final one, each painted after its DOM update; text and calibration reported', async () => {
    const timeline = await open({ url: `${streams.origin}/sse?n=20&gap=15`, transport: 'eventsource', render: { strategy: 'every' } });
    expect(timeline.error).toBeNull();
    expect(timeline.text).toBe(expectedText(20));
    expect(timeline.events).toHaveLength(21); // 20 content events and [DONE]
    expect(timeline.renders).toHaveLength(21); // the end event renders too, as the modelled client's status item does
    for (const render of timeline.renders) {
      expect(render.domUpdatedMs).toBeGreaterThanOrEqual(render.startMs);
      expect(render.paintedMs).not.toBeNull();
      expect(render.paintedMs!).toBeGreaterThanOrEqual(render.domUpdatedMs);
    }
    expect(Number.isFinite(timeline.calibrationErrorMs)).toBe(true);
    expect(timeline.calibrationErrorMs).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(timeline.clockOffsetChangeMs)).toBe(true);
    expect(timeline.pageClockResolutionMs).toBe(0.005); // cross-origin isolated, also on the app's origin
    // Mapped to the tool's clock: the page received each event after the server wrote it.
    expect(firstOf(timeline.events, 'timeline.events').atMs).toBeGreaterThan(timeline.requestStartMs);
    expect(timeline.frames.count).toBeGreaterThan(0);
  });

  it('debounce starves while events come faster than its delay: one render, after the last event', async () => {
    const timeline = await open({ url: `${streams.origin}/sse?n=30&gap=5`, transport: 'eventsource', render: { strategy: 'debounce', delayMs: 300 } });
    expect(timeline.text).toBe(expectedText(30));
    expect(timeline.renders).toHaveLength(1);
    const lastEventMs = timeline.events.at(-1)!.atMs;
    expect(firstOf(timeline.renders, 'timeline.renders').startMs).toBeGreaterThanOrEqual(lastEventMs + 299);
    // The first token waited for the whole stream and the delay.
    expect(firstOf(timeline.renders, 'timeline.renders').paintedMs! - firstOf(timeline.events, 'timeline.events').atMs).toBeGreaterThan(300);
  });

  it('throttle and frame-paced rendering paint during the stream, fewer times than events arrive', async () => {
    const throttle = await open({
      url: `${streams.origin}/sse?n=40&gap=5`,
      transport: 'fetch',
      method: 'POST',
      body: '{"messages":[]}',
      render: { strategy: 'throttle', intervalMs: 50 },
    });
    expect(throttle.text).toBe(expectedText(40));
    expect(streams.requests.at(-1)).toEqual({ method: 'POST', body: '{"messages":[]}' });
    const lastEventMs = throttle.events.at(-1)!.atMs;
    expect(painted(throttle).filter((render) => render.paintedMs! < lastEventMs).length).toBeGreaterThan(0);
    expect(throttle.renders.length).toBeLessThan(40);
    // Renders are at least one interval apart (the page's timers may run late, never early).
    const starts = throttle.renders.map((render) => render.startMs);
    for (let index = 1; index < starts.length; index++) expect(itemAt(starts, index, 'starts') - itemAt(starts, index - 1, 'starts')).toBeGreaterThanOrEqual(49);

    const frame = await open({ url: `${streams.origin}/ws?n=40&gap=5`, transport: 'websocket', doneData: null, render: { strategy: 'frame', frameMs: 1000 / 60 } });
    expect(frame.text).toBe(expectedText(40));
    expect(frame.renders.length).toBeLessThan(40);
    expect(frame.renders.length).toBeGreaterThan(1);
    expect(painted(frame).length).toBe(frame.renders.length);
  });

  it('a 200 ms block of the main thread mid-stream shows as a long task, and the paint waits behind it', async () => {
    const timeline = await open({
      url: `${streams.origin}/sse?n=30&gap=10`,
      transport: 'eventsource',
      render: { strategy: 'every' },
      blockMainThread: { afterEvents: 10, ms: 200 },
    });
    expect(timeline.text).toBe(expectedText(30));
    const longTask = timeline.longTasks.find((task) => task.durationMs >= 200);
    expect(longTask).toBeDefined();
    // The 10th event was rendered, then the block ran: its paint came only after the block.
    const tenth = itemAt(timeline.events, 9, 'timeline.events').atMs;
    const render = itemAt(timeline.renders, 9, 'timeline.renders');
    expect(render.startMs).toBeGreaterThanOrEqual(tenth);
    expect(render.paintedMs! - tenth).toBeGreaterThanOrEqual(199);
    expect(longTask!.startMs).toBeLessThanOrEqual(render.paintedMs!);
    expect(render.paintedMs!).toBeGreaterThanOrEqual(longTask!.startMs + longTask!.durationMs - 1);
    // The next event reached the page's handler only after the block (whenever the server sent
    // it: a busy page lags the server, a starved test process sends late, neither moves this).
    expect(itemAt(timeline.events, 10, 'timeline.events').atMs).toBeGreaterThanOrEqual(tenth + 199);
  });

  it('a text marked cannot lex fails the stream with words that name the render, not a page error', async () => {
    // marked 18.2 throws a TypeError on a task item holding a blockquote: a model may write it.
    const texts = encodeURIComponent(JSON.stringify(['- [x] \n', '  > *\n', 'word']));
    const timeline = await open({ url: `${streams.origin}/sse?texts=${texts}&gap=5`, transport: 'eventsource', render: { strategy: 'every' } });
    expect(timeline.error).toMatch(/the page's markdown render \(marked\) threw on the stream's text \(\d+ characters\): Cannot read properties/);
  });

  it('a stream that cannot connect is an error, and a browser launched for it is closed after the failure', async () => {
    const refused = createServer();
    await new Promise<void>((resolve) => refused.listen(0, '127.0.0.1', resolve));
    const { port } = refused.address() as AddressInfo;
    await new Promise<void>((resolve) => refused.close(() => resolve()));
    const before = new Set(readBrowserResources()?.pids ?? []);
    // No pool passed: openBrowserStream launches a browser of its own and must close it.
    const timeline = await openBrowserStream({ url: `http://127.0.0.1:${port}/stream`, transport: 'eventsource', textPath: 'delta.text', timeoutMs: 20_000 });
    expect(timeline.error).toMatch(/could not open/);
    expect(timeline.events).toEqual([]);
    expect((readBrowserResources()?.pids ?? []).filter((pid) => !before.has(pid))).toEqual([]);
  }, 60_000);

  it('closing the pool leaves no browser process behind', async () => {
    expect(seenBrowserPids.size).toBeGreaterThan(0);
    await pool.close();
    expect(readBrowserResources()?.pids ?? []).toEqual([]);
    const alive = listProcesses().filter((entry) => seenBrowserPids.has(entry.pid) && /chrom/i.test(entry.comm));
    expect(alive).toEqual([]);
  });
});

describe.skipIf(!haveChromium)('browser configs in a run', () => {
  it('a config under load (two pages at once, one context each) verifies every text and reports the browser’s figures', async () => {
    const document = await runScenario(
      scenarioFrom({
        iterations: 1,
        warmup: 0,
        source: { type: 'synthetic', tokens: 30, ttftMs: 50, gapMs: 10 },
        pipeline: { serializer: 'field-baseline', delivery: { type: 'sse' }, client: { type: 'browser', render: { strategy: 'every' } } },
        variants: [
          // Named events: EventSource hands them only to listeners for their name.
          { name: 'sse-eventsource', pipeline: { delivery: { eventName: 'delta' }, client: { browser: { pagesPerContext: 1 } } }, load: { concurrency: 2, streams: 4 } },
          { name: 'ws-throttle', pipeline: { delivery: { type: 'websocket' }, client: { render: { strategy: 'throttle', intervalMs: 50 } } } },
          { name: 'sse-fetch-frame', pipeline: { client: { render: { strategy: 'frame', intervalMs: 16.7 }, browser: { request: 'fetch' } } } },
          // The modelled lean client decodes once per event, as the page does.
          { name: 'lean-model', pipeline: { client: { type: 'lean' } } },
        ],
      }),
      { redis: 'off' },
    );
    const [loaded, websocket, fetched, lean] = leadingOf(document.configs, 4, 'document.configs');
    expect(loaded.state, loaded.message).toBe('completed');
    expect(websocket.state, websocket.message).toBe('completed');
    expect(fetched.state, fetched.message).toBe('completed'); // POST through the relay's CORS preflight
    expect(fetched.metrics!.counters.missingMessagesPerStream).toBe(0);
    const counters = loaded.metrics!.counters;
    expect(counters.missingMessagesPerStream).toBe(0);
    expect(counters.rendersPerStream).toBe(31); // 30 content events and the end item, every one rendered
    expect(counters.jsonParsePerToken).toBe(lean.metrics!.counters.jsonParsePerToken); // the page's decodes, counted
    expect(loaded.metrics!.stalenessMs!.n).toBe(120);
    expect(entryOf(loaded.metrics!.stages, 'render', 'stages').ttftMs!.n).toBe(4);
    expect(loaded.metrics!.paintDelayMs!.n).toBe(4 * 31); // paint − DOM update, per render
    expect(loaded.metrics!.paintDelayMs!.min).toBeGreaterThanOrEqual(0);
    expect(lean.metrics!.paintDelayMs).toBeNull(); // a model has no paint
    expect(Number.isFinite(counters.clockCalibrationErrorMaxMs)).toBe(true);
    expect(counters.longTasksPerStream).toBeGreaterThanOrEqual(0);
    expect(counters.framesPerStream).toBeGreaterThan(0);
    expect(loaded.load!.peakConcurrentStreams).toBe(2);
    expect(loaded.load!.browserCpuShare).toBeGreaterThan(0);
    expect(counters.browserMemoryMaxMB).toBeGreaterThan(0);
    expect(websocket.metrics!.counters.rendersPerStream).toBeLessThan(31);
    expect(readBrowserResources()?.pids ?? []).toEqual([]);
  }, 120_000);

  it('Ctrl-C during a browser run closes the browser: no Chromium process outlives the tool', async () => {
    ensureBuiltDist('dist/cli.js'); // the child runs the built CLI
    const folder = mkdtempSync(join(tmpdir(), 'streambench-browser-'));
    const scenarioPath = join(folder, 'slow.yaml');
    writeFileSync(
      scenarioPath,
      [
        'name: slow-browser',
        'iterations: 20',
        'warmup: 0',
        'source: { type: synthetic, tokens: 200, ttftMs: 50, gapMs: 20 }',
        'pipeline: { delivery: { type: sse }, client: { type: browser } }',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), 'run', scenarioPath, '--out', join(folder, 'out.json'), '--quiet', '--redis', 'off'], {
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // Wait (with a deadline) until the run's Chromium is up and a stream is under way.
      let pids: number[] = [];
      for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
        pids = browserProcessesUnder(child.pid!, listProcesses()).map((entry) => entry.pid);
        if (pids.length >= 3) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(pids.length).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      const alive = listProcesses().filter((entry) => pids.includes(entry.pid) && /chrom/i.test(entry.comm));
      expect(alive).toEqual([]);
      const saved = JSON.parse(readFileSync(join(folder, 'out.json'), 'utf8')) as { interrupted: boolean };
      expect(saved.interrupted).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
