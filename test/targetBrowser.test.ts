/**
 * Target mode with the browser client (target.client: browser): a page in the real Chromium on
 * the app's origin sends the request and reads the shipped example relays' answers, and its
 * receive and paint times feed the target and render metrics. Without Chromium the browser
 * tests are skipped on a developer machine and fail under CI=true, as the browser client's.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserProcessesUnder, listProcesses, readBrowserResources } from '../src/pipeline/client/browser/browserProcesses.js';
import { CHROMIUM_ENV, resolveChromium } from '../src/pipeline/client/browser/chromiumLauncher.js';
import type { BrowserStreamTimeline } from '../src/pipeline/client/browser/openBrowserStream.js';
import { interpretTimeline, pageDecoderForApp, pageTransportFor } from '../src/target/browserAppStream.js';
import type { AppRequest } from '../src/target/appStream/types.js';
import { ensureBuiltDist } from './helpers/builtDist.js';
import { runCliInProcess } from './helpers/cli.js';
import { privateRedisForTheseTests } from './helpers/privateRedis.js';
import { scenarioFrom } from './helpers/scenario.js';
import { runTargets } from './helpers/targetRun.js';
import { firstOf, leadingOf } from './helpers/indexed.js';

const chromium = resolveChromium();
if ('missing' in chromium && process.env.CI === 'true') throw new Error(`CI needs Chromium for the browser target tests: ${chromium.missing}`);
if ('missing' in chromium) console.warn(`Skipping the browser target tests: ${chromium.missing}`);
const haveChromium = 'path' in chromium;

const LOGS = mkdtempSync(join(tmpdir(), 'sb-target-browser-'));
const TOKENS = 40;
const SOURCE = { type: 'synthetic', profile: 'fast-hosted', tokens: TOKENS, ttftMs: 20, gapMs: 4 };
const app = (script: string) => ({ command: `node examples/${script}`, readyUrl: 'http://127.0.0.1:{appPort}/health', log: join(LOGS, `${script}.log`) });

// A WebSocket app: the first message is the chat request, each answer delta goes out as {"delta":"…"}, then {"done":true}.
// Any plain HTTP request (none is expected: the page is served in the browser) is logged and answered 404.
const WEBSOCKET_APP = [
  'import { createServer } from "node:http";',
  'import { WebSocketServer } from "ws";',
  'import { streamCompletion } from "./examples/upstream.mjs";',
  'const http = createServer((request, response) => { console.log("HTTP " + request.method + " " + request.url); response.writeHead(404).end(); });',
  'http.listen(Number(process.env.PORT), "127.0.0.1");',
  'const server = new WebSocketServer({ server: http });',
  'server.on("connection", (socket) => socket.once("message", async (raw) => {',
  '  for await (const delta of streamCompletion(JSON.parse(String(raw)).messages)) socket.send(JSON.stringify({ delta }));',
  '  socket.send(JSON.stringify({ done: true }));',
  '}));',
  'process.on("SIGTERM", () => process.exit(0));',
].join(' ');

describe('the browser client of an app: pure parts', () => {
  const request = (fields: Partial<AppRequest>): AppRequest => ({
    url: 'http://127.0.0.1:1/api/chat',
    method: 'POST',
    headers: {},
    format: 'ai-sdk-ui',
    resume: { mode: 'none' },
    timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1 },
    ...fields,
  });

  it('sends POST with fetch, GET with EventSource unless it has headers, websocket with a WebSocket', () => {
    expect(pageTransportFor(request({}))).toBe('fetch');
    expect(pageTransportFor(request({ method: 'GET', format: 'sse' }))).toBe('eventsource');
    expect(pageTransportFor(request({ method: 'GET', format: 'sse', headers: { authorization: 'x' } }))).toBe('fetch');
    expect(pageTransportFor(request({ format: 'websocket' }))).toBe('websocket');
  });

  it('reads the field relay’s JSON-in-JSON path in the page as the Node reader does', () => {
    expect(pageDecoderForApp(request({ format: 'sse', textPath: 'content@json.content', donePath: 'status' }))).toEqual({
      kind: 'app',
      text: [
        { key: 'content', json: true },
        { key: 'content', json: false },
      ],
      when: null,
      done: [{ key: 'status', json: false }],
      doneData: '[DONE]',
    });
    expect(() => pageDecoderForApp(request({ format: 'ndjson' }))).toThrow(/no browser reader/);
  });

  it("ties the page's events and paints to content events, and says when the page's text differs from the reader's", () => {
    const events = [
      '{"type":"start"}',
      '{"type":"text-delta","id":"0","delta":"Hel"}',
      '{"type":"reasoning-delta","delta":"x"}',
      '{"type":"text-delta","id":"0","delta":"lo"}',
      '[DONE]',
    ];
    const timeline: BrowserStreamTimeline = {
      requestStartMs: 100,
      calibrationErrorMs: 0.2,
      clockOffsetChangeMs: 0.1,
      pageClockResolutionMs: 0.005,
      openedAtMs: 105,
      events: events.map((data, index) => ({ atMs: 110 + index, data })),
      renders: [
        { startMs: 111, domUpdatedMs: 112, paintedMs: 120, eventIndexes: [0, 1, 2] },
        { startMs: 114, domUpdatedMs: 115, paintedMs: null, eventIndexes: [3] },
        { startMs: 116, domUpdatedMs: 117, paintedMs: 130, eventIndexes: [] },
      ],
      domTextLength: 5,
      text: 'Hello',
      longTasks: [{ startMs: 118, durationMs: 60 }],
      frames: { count: 3, dropped: 1 },
      error: null,
    };
    const read = interpretTimeline(request({}), timeline);
    expect(read.events).toEqual([
      { atMs: 111, text: 'Hel' },
      { atMs: 113, text: 'lo' },
    ]);
    expect(read.renders).toEqual([
      { paintedAtMs: 120, domUpdatedAtMs: 112, renderMs: 1, contentSeqs: [0] },
      { paintedAtMs: 130, domUpdatedAtMs: 117, renderMs: 1, contentSeqs: [] },
    ]);
    expect(read.summary).toMatchObject({ ending: 'done', resumes: 0, malformedEvents: 0 });
    expect(read.counters).toMatchObject({ longTasks: 1, longTaskMaxMs: 60, frames: 3, droppedFrames: 1, clockCalibrationErrorMaxMs: 0.2, renderMainThreadMs: 3 });
    expect(read.pageProblem).toBeNull();
    expect(interpretTimeline(request({}), { ...timeline, text: 'Hellox' }).pageProblem).toMatch(/page assembled 6 characters .* finds 5/);
    expect(() => interpretTimeline(request({}), { ...timeline, events: [{ atMs: 1, data: '<html>' }] })).toThrow(/expected SSE of JSON parts.*"<html>"/);
    // Events of another API: they parse, none holds text — the format is named, not lost text.
    expect(() => interpretTimeline(request({ format: 'openai-sse' }), { ...timeline, events: timeline.events.slice(0, 4), text: '' })).toThrow(
      /^the events the page received parsed as format openai-sse, but none of its 4 events held text: check --format and --text-path/,
    );
  });
});

describe('the browser client of an app: refusals', () => {
  beforeAll(() => ensureBuiltDist('dist/cli.js'));

  it('a format the page cannot read is refused with exit 2, naming the flag and the formats it reads', async () => {
    const run = await runCliInProcess(['target', '--url', 'http://127.0.0.1:1/chat', '--format', 'ndjson', '--client', 'browser', '--no-save']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--format: client browser reads the formats openai-sse, anthropic-sse, ai-sdk-ui, sse, websocket; "ndjson"/);
  });

  it('a render strategy without the browser client, or one that does not parse, is refused with exit 2', async () => {
    const withoutBrowser = await runCliInProcess(['target', '--url', 'http://127.0.0.1:1/chat', '--format', 'sse', '--render', 'frame', '--no-save']);
    expect(withoutBrowser.code).toBe(2);
    expect(withoutBrowser.stderr).toMatch(/--render: render applies to client: browser only/);
    const unparsed = await runCliInProcess(['target', '--url', 'http://127.0.0.1:1/chat', '--format', 'sse', '--client', 'browser', '--render', 'sometimes', '--no-save']);
    expect(unparsed.code).toBe(2);
    expect(unparsed.stderr).toMatch(/--render: "sometimes" is not a render strategy: use every, debounce:MS, throttle:MS or frame/);
    expect(() =>
      scenarioFrom({
        variants: [
          {
            name: 'a',
            target: { url: 'http://x/', format: 'ai-sdk-ui', client: 'browser', resume: { mode: 'url', afterEvents: 1, urlTemplate: 'x', streamIdFrom: { header: 'x' } } },
          },
        ],
      }),
    ).toThrow(/target\.resume: client browser does not drop and resume/);
  });

  it('without Chromium the browser target is skipped with how to install it', async () => {
    const saved = process.env[CHROMIUM_ENV];
    process.env[CHROMIUM_ENV] = '/nonexistent/chromium';
    try {
      const document = await runTargets([{ name: 'app', target: { url: 'http://127.0.0.1:1/chat', format: 'ai-sdk-ui', client: 'browser' } }], { streams: 1 }, { redis: 'off' });
      const config = firstOf(document.configs, 'document.configs');
      expect(config.state).toBe('skipped');
      expect(config.message).toMatch(/target\.client browser: .*apt-get install chromium/);
    } finally {
      if (saved === undefined) delete process.env[CHROMIUM_ENV];
      else process.env[CHROMIUM_ENV] = saved;
    }
  });
});

describe.skipIf(!haveChromium)('the browser client of the example relays, in Chromium', () => {
  const redis = privateRedisForTheseTests(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

  it('reads the corrected relay (ai-sdk-ui), the field relay (sse, content@json.content) and a WebSocket app exactly, with paint metrics, and closes its browsers', async () => {
    const document = await runTargets(
      [
        {
          name: 'corrected-browser',
          target: {
            url: 'http://127.0.0.1:{appPort}/api/chat',
            format: 'ai-sdk-ui',
            client: 'browser',
            render: { strategy: 'frame', intervalMs: 16.7 },
            app: { ...app('corrected-relay.mjs'), env: { REDIS_URL: redis.url } },
          },
        },
        {
          name: 'field-browser',
          target: {
            url: 'http://127.0.0.1:{appPort}/api/chat',
            format: 'sse',
            textPath: 'content@json.content',
            donePath: 'status',
            client: 'browser',
            app: { ...app('field-relay.mjs'), env: { REDIS_URL: redis.url } },
          },
        },
        {
          name: 'websocket-browser',
          target: {
            url: 'ws://127.0.0.1:{appPort}/chat',
            format: 'websocket',
            textPath: 'delta',
            donePath: 'done',
            client: 'browser',
            render: { strategy: 'throttle', intervalMs: 50 },
            app: { command: `node --input-type=module -e '${WEBSOCKET_APP}'`, log: join(LOGS, 'websocket.log') },
          },
        },
      ],
      { source: SOURCE, streams: 2 },
      { redis: 'off' },
    );
    for (const config of document.configs) {
      expect(config.state, `${config.name}: ${config.message}`).toBe('completed');
      expect(config.target?.integrity).toMatchObject({ streams: 2, exactStreams: 2, missingChars: 0, duplicatedChars: 0, foreignChars: 0, streamsWithoutEndMarker: 0 });
      const metrics = config.metrics!;
      // Latency through the app, per token, from the page's receive times.
      expect(metrics.tokenLatencyMs?.n).toBe(2 * TOKENS);
      expect(config.target?.ttftAddedMs?.n).toBe(2);
      // The paint metrics: time to first paint per stream, staleness per token, renders, the page's frames and clock.
      expect(metrics.stages.render?.ttftMs?.n).toBe(2);
      expect(metrics.stalenessMs?.n).toBe(2 * TOKENS);
      expect(metrics.stalenessMs!.min).toBeGreaterThanOrEqual(0);
      expect(metrics.paintDelayMs!.n).toBeGreaterThan(0);
      expect(metrics.counters.rendersPerStream).toBeGreaterThan(0);
      expect(metrics.counters.framesPerStream).toBeGreaterThan(0);
      expect(metrics.counters.longTasksPerStream).toBeGreaterThanOrEqual(0);
      expect(metrics.counters.clockCalibrationErrorMaxMs).toBeGreaterThan(0);
      expect(Number.isFinite(metrics.counters.clockCalibrationErrorMaxMs)).toBe(true);
      expect(metrics.counters.browserMemoryMaxMB).toBeGreaterThan(0);
      expect(config.settings.client).toMatchObject({ type: 'browser' });
    }
    const [corrected, field, websocket] = leadingOf(document.configs, 3, 'document.configs');
    // The corrected relay batches: fewer events than tokens, so fewer renders than the field relay's one per event.
    expect(corrected.target!.upstreamChunksPerClientEvent).toBeGreaterThan(1);
    expect(field.target!.upstreamChunksPerClientEvent).toBe(1);
    expect(field.metrics!.counters.rendersPerStream).toBe(TOKENS + 1); // every content event and the end event (every)
    expect(websocket.metrics!.counters.rendersPerStream).toBeLessThan(TOKENS);
    // No orphan browser: every Chromium the configs launched is closed.
    expect(readBrowserResources()?.pids ?? []).toEqual([]);
    // The app saw its streams' WebSockets only: not the page (served in the browser) nor a /favicon.ico the page would ask for.
    expect(readFileSync(join(LOGS, 'websocket.log'), 'utf8')).not.toMatch(/HTTP /);
  }, 120_000);

  it('pointed straight at the upstream (no app between), it reads OpenAI and Anthropic SSE exactly', async () => {
    const body = { model: 'm', stream: true, max_tokens: 256, messages: [{ role: 'user', content: '{{prompt}}' }] };
    const document = await runTargets(
      [
        { name: 'openai', target: { url: '{upstreamUrl}/v1/chat/completions', format: 'openai-sse', body, client: 'browser' } },
        { name: 'anthropic', target: { url: '{upstreamUrl}/v1/messages', format: 'anthropic-sse', body, client: 'browser', render: { strategy: 'frame', intervalMs: 16.7 } } },
      ],
      { source: SOURCE, streams: 1 },
      { redis: 'off' },
    );
    for (const config of document.configs) {
      expect(config.state, `${config.name}: ${config.message}`).toBe('completed');
      expect(config.target?.integrity).toMatchObject({ exactStreams: 1, missingChars: 0, streamsWithoutEndMarker: 0 });
      expect(config.metrics?.stalenessMs?.n).toBe(TOKENS);
    }
    expect(readBrowserResources()?.pids ?? []).toEqual([]);
  }, 60_000);

  it('an app that fails (a 500, an answer that is not the format) errors the config with the reason, and the browser is closed', async () => {
    const relay = (mode: string) => ({ command: 'node test/fixtures/target/relay.mjs', env: { MODE: mode }, log: join(LOGS, `relay-${mode}.log`) });
    const document = await runTargets(
      [
        { name: 'status-500', target: { url: 'http://127.0.0.1:{appPort}/chat', format: 'openai-sse', client: 'browser', app: relay('status-500') } },
        { name: 'garbage', target: { url: 'http://127.0.0.1:{appPort}/chat', format: 'openai-sse', client: 'browser', app: relay('garbage') } },
        // Nothing listens on port 1: the page learns only "Failed to fetch".
        { name: 'down', target: { url: 'http://127.0.0.1:1/chat', format: 'openai-sse', client: 'browser' } },
      ],
      { source: SOURCE, streams: 1 },
      { redis: 'off' },
    );
    const [failed, garbage, down] = leadingOf(document.configs, 3, 'document.configs');
    expect(down.state).toBe('errored');
    expect(down.message).toMatch(/cannot reach the app at http:\/\/127\.0\.0\.1:1\/chat: .*ECONNREFUSED.* \(in the browser: /);
    expect(failed.state).toBe('errored');
    expect(failed.message).toMatch(/in the browser: .*HTTP 500/);
    expect(garbage.state).toBe('errored');
    expect(garbage.message).toMatch(/the app's answer: expected SSE events `data: \{"choices".*but the page received no event before the app closed the connection/);
    expect(readBrowserResources()?.pids ?? []).toEqual([]);
  }, 60_000);

  it('Ctrl-C during `streambench target --client browser` exits 130 with no Chromium or app process left', async () => {
    ensureBuiltDist('dist/cli.js');
    const folder = mkdtempSync(join(tmpdir(), 'sb-target-browser-int-'));
    const child = spawn(
      process.execPath,
      [
        join(process.cwd(), 'dist', 'cli.js'),
        'target',
        '--upstream-port',
        '0',
        '--app-command',
        'node test/fixtures/target/relay.mjs',
        '--url',
        'http://127.0.0.1:{appPort}/chat',
        '--format',
        'openai-sse',
        '--client',
        'browser',
        '--profile',
        'slow-local',
        '--tokens',
        '200',
        '--iterations',
        '20',
        '--warmup',
        '0',
        '--out',
        join(folder, 'out.json'),
        '--quiet',
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let pids: number[] = [];
      for (const deadline = Date.now() + 30_000; Date.now() < deadline && pids.length < 3;) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        pids = browserProcessesUnder(child.pid!, listProcesses()).map((entry) => entry.pid);
      }
      expect(pids.length).toBeGreaterThan(0);
      const everything = () => listProcesses().filter((entry) => entry.pid !== child.pid && isBelow(entry.pid, child.pid!));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const started = everything().map((entry) => entry.pid);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      const alive = listProcesses().filter((entry) => started.includes(entry.pid) || pids.includes(entry.pid));
      expect(alive).toEqual([]);
      expect(existsSync(join(folder, 'out.json'))).toBe(true);
      expect((JSON.parse(readFileSync(join(folder, 'out.json'), 'utf8')) as { interrupted: boolean }).interrupted).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});

/** Whether `pid` descends from `ancestor` now (by /proc parent links). */
function isBelow(pid: number, ancestor: number): boolean {
  const parents = new Map(listProcesses().map((entry) => [entry.pid, entry.ppid]));
  for (let current = parents.get(pid); current !== undefined && current > 1; current = parents.get(current)) if (current === ancestor) return true;
  return false;
}
