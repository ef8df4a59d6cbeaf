import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../src/clock.js';
import { UpstreamRecord } from '../src/probes/upstreamRecord.js';
import { type RunningMockServer, startMockServer } from '../src/mock/mockServer.js';
import { resolveMockSettings } from '../src/mock/mockSettings.js';
import { runScenario } from '../src/run/runScenario.js';
import { parseScenarioText } from '../src/scenario/loadScenario.js';
import { loadTokenizer, type Tokenizer } from '../src/sources/bpeTokens.js';
import { resolveHttpSettings } from '../src/sources/http/httpSchema.js';
import { createHttpSource } from '../src/sources/http/httpSource.js';
import { resolveReplaySettings } from '../src/sources/replay/replaySchema.js';
import { createReplaySourceFromTrace } from '../src/sources/replay/replaySource.js';
import { loadTraceFile, parseTrace } from '../src/traces/parseTrace.js';
import { recordStream } from '../src/traces/recordTrace.js';
import { serializeTrace } from '../src/traces/serializeTrace.js';
import type { Trace } from '../src/traces/traceFormat.js';
import { contentOf, readStream, readStreamOnManualClock } from './helpers/httpStreams.js';
import { firstOf, itemAt } from './helpers/indexed.js';

const HEADER = {
  type: 'header',
  version: 1,
  recordedAt: '2026-01-02T03:04:05.000Z',
  model: 'm',
  api: 'openai-chat',
  baseUrl: 'http://127.0.0.1:1/v1',
  request: {},
  synthetic: true,
};
const lines = (...objects: object[]) => objects.map((object) => JSON.stringify(object)).join('\n') + '\n';

/** A hand-made trace: two streams, one with reasoning. */
const TRACE: Trace = {
  header: { ...HEADER, type: 'header', version: 1, api: 'openai-chat', note: 'test' },
  streams: [
    {
      chunks: [
        { offsetMs: 120.5, text: 'Hello' },
        { offsetMs: 140, text: ' world' },
        { offsetMs: 140.25, text: '!' },
        { offsetMs: 400, text: ' Bye.' },
      ],
      usage: { promptTokens: 7, completionTokens: 5, reasoningTokens: null },
      firstByteMs: 3.5,
      firstEventMs: 4,
    },
    {
      chunks: [
        { offsetMs: 10, text: '', reasoning: 'Thinking' },
        { offsetMs: 50, text: 'Answer' },
      ],
      usage: null,
      firstByteMs: null,
      firstEventMs: null,
    },
  ],
};

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer('o200k_base');
});

describe('trace format', () => {
  it('round-trips through JSON Lines', () => {
    const text = serializeTrace(TRACE);
    expect(text.split('\n')[1]).toBe('{"type":"chunk","stream":0,"offsetMs":120.5,"text":"Hello"}');
    expect(text).toContain('{"type":"chunk","stream":1,"offsetMs":10,"text":"","reasoning":"Thinking"}');
    expect(text).toContain('{"type":"end","stream":0,"usage":{"promptTokens":7,"completionTokens":5,"reasoningTokens":null},"firstByteMs":3.5,"firstEventMs":4}');
    expect(parseTrace(text, 'x.jsonl')).toEqual(TRACE);
  });

  it('names the file and line of every problem', () => {
    const chunk = (stream: number, offsetMs: number) => ({ type: 'chunk', stream, offsetMs, text: 'a' });
    const end = (stream: number) => ({ type: 'end', stream });
    expect(() => parseTrace('', 't.jsonl')).toThrow('t.jsonl: empty trace; it needs a header line and at least one stream (see docs/traces.md)');
    expect(() => parseTrace(lines(chunk(0, 1)), 't.jsonl')).toThrow(/^t\.jsonl:1: the first line must be the header/);
    expect(() => parseTrace(lines({ ...HEADER, version: 2 }), 't.jsonl')).toThrow('t.jsonl:1: trace format version 2; this streambench reads version 1');
    expect(() => parseTrace(`${lines(HEADER, chunk(0, 1))}{"type":"chunk",\n`, 't.jsonl')).toThrow(/^t\.jsonl:3: not valid JSON/);
    expect(() => parseTrace(lines(HEADER, { ...chunk(0, 1), offsetMs: -1 }), 't.jsonl')).toThrow(/^t\.jsonl:2: offsetMs: /);
    expect(() => parseTrace(lines(HEADER, { ...chunk(0, 1), tokens: 3 }), 't.jsonl')).toThrow(/^t\.jsonl:2: \(top level\): unknown field "tokens"/);
    expect(() => parseTrace(lines(HEADER, chunk(0, 5), chunk(0, 4)), 't.jsonl')).toThrow(/^t\.jsonl:3: offsetMs 4 is before the previous chunk's 5/);
    expect(() => parseTrace(lines(HEADER, chunk(1, 5)), 't.jsonl')).toThrow('t.jsonl:2: stream 1 before stream 0; streams are numbered 0, 1, 2, … in order');
    expect(() => parseTrace(lines(HEADER, chunk(0, 5), end(0), chunk(0, 6)), 't.jsonl')).toThrow('t.jsonl:4: stream 0 already ended on an earlier line');
    expect(() => parseTrace(lines(HEADER, chunk(0, 5)), 't.jsonl')).toThrow(/^t\.jsonl: stream 0 has no end line/);
  });

  it('the shipped sample trace is valid and labelled synthetic', async () => {
    const trace = await loadTraceFile('traces/sample-synthetic.jsonl');
    expect(trace.header.synthetic).toBe(true);
    expect(trace.header.note).toMatch(/synthetic/);
    expect(trace.streams.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(trace.header)).not.toMatch(/authorization|api[-_]?key|sk-/i);
  });
});

describe('replay source', () => {
  it('yields every chunk at its recorded offset divided by speed (exactly, on a jump clock)', async () => {
    for (const speed of [1, 2, 0.5]) {
      const source = await createReplaySourceFromTrace(TRACE, resolveReplaySettings({ type: 'replay', trace: 'unused', speed }));
      const { chunks, offsetsMs } = await readStreamOnManualClock(source, 0);
      expect(chunks.map((chunk) => chunk.text)).toEqual(['Hello', ' world', '!', ' Bye.']);
      // Waits under 1 ms are not timed, so the third chunk (0.25 ms after the second) comes with it.
      expect(offsetsMs).toEqual([120.5 / speed, 140 / speed, 140 / speed, 400 / speed]);
    }
  });

  it('counts tokens at the chunk holding their last character, keeps reasoning apart, and reports the recorded upstream facts', async () => {
    const source = await createReplaySourceFromTrace(TRACE, resolveReplaySettings({ type: 'replay', trace: 'unused' }));
    const first = await readStream(source, 0);
    expect(first.chunks.map((chunk) => chunk.tokens)).toEqual([1, 1, 1, 2]); // "Hello" " world" "!" " Bye" "."
    expect(first.chunks.reduce((sum, chunk) => sum + chunk.tokens, 0)).toBe(tokenizer.count('Hello world! Bye.'));
    expect(first.upstream.usageReport).toEqual(firstOf(TRACE.streams, 'TRACE.streams').usage);
    // Recorded first byte and first event, placed on this replay's timeline.
    const upstream = new UpstreamRecord();
    source.open({ clock: new ManualClock(1000), streamIndex: 0, observer: upstream });
    expect([upstream.firstByteAtMs, upstream.firstEventAtMs]).toEqual([1003.5, 1004]);

    const second = await readStream(source, 1);
    expect(second.chunks).toEqual([
      { index: 0, text: '', tokens: 0, reasoning: 'Thinking' },
      { index: 1, text: 'Answer', tokens: 1 },
    ]);
    expect(second.upstream.reasoningTokens).toBe(tokenizer.count('Thinking'));
    // Stream 2 of a run plays recorded stream 0 again.
    expect(contentOf((await readStream(source, 2)).chunks)).toBe('Hello world! Bye.');
  });

  it('runs in a scenario; a missing or broken trace is a scenario error naming the file (and line)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'streambench-replay-'));
    const tracePath = join(folder, 'ok.jsonl');
    writeFileSync(tracePath, serializeTrace(TRACE));
    // Relative to the current directory, as documented.
    const scenario = parseScenarioText(`name: r\niterations: 2\nwarmup: 0\nsource: { type: replay, trace: ${relative(process.cwd(), tracePath)}, speed: 4 }\n`, 'r.yaml');
    const document = await runScenario(scenario);
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('completed');
    expect(config.iterations.map((iteration) => iteration.tokens)).toEqual([5, 1]);

    // The scenario loader may prefix the scenario file's name; the trace's own part is ours.
    expect(() => parseScenarioText('name: r\nsource: { type: replay, trace: no/such.jsonl }\n', 'r.yaml')).toThrow(
      /^(r\.yaml: )?source\.trace: no\/such\.jsonl: cannot read the trace \(no such file\); relative paths resolve from the current directory$/,
    );
    const broken = join(folder, 'broken.jsonl');
    writeFileSync(broken, lines(HEADER, { type: 'chunk', stream: 0, offsetMs: 'soon', text: 'a' }));
    expect(() => parseScenarioText(`name: r\nsource: { type: replay, trace: ${broken} }\n`, 'r.yaml')).toThrow(new RegExp(`^(r\\.yaml: )?source\\.trace: ${broken}:2: offsetMs: `));
  });
});

describe('record then replay (real HTTP)', () => {
  let server: RunningMockServer;
  const mockSettings = resolveMockSettings({ tokens: 40, profile: 'fast-hosted', reasoningTokens: 6 });
  beforeAll(async () => {
    server = await startMockServer({ settings: mockSettings, seed: 5 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('reproduces the chunk texts exactly and each chunk’s timing within 1 ms', async () => {
    const http = await createHttpSource(resolveHttpSettings({ type: 'http', baseUrl: server.baseUrl, model: 'm', includeUsage: true, streamIndexHeader: true }), 5);
    const recorded = [await recordStream(http, 0, systemClock), await recordStream(http, 1, systemClock)];
    await http.close?.();
    expect(recorded.every((stream) => stream.fromMockServer)).toBe(true);
    const trace: Trace = { header: { ...TRACE.header }, streams: recorded.map((item) => item.stream) };
    const replay = await createReplaySourceFromTrace(parseTrace(serializeTrace(trace), 'recorded.jsonl'), resolveReplaySettings({ type: 'replay', trace: 'unused' }));

    for (const [index, { stream }] of recorded.entries()) {
      expect(stream.chunks.some((chunk) => chunk.reasoning !== undefined)).toBe(true);
      const { chunks, offsetsMs } = await readStreamOnManualClock(replay, index);
      expect(chunks.map((chunk) => [chunk.text, chunk.reasoning])).toEqual(stream.chunks.map((chunk) => [chunk.text, chunk.reasoning]));
      offsetsMs.forEach((offset, chunk) => {
        // The file keeps microseconds; a chunk less than 1 ms after the previous comes with it, never later than recorded.
        const recordedMs = Math.round(itemAt(stream.chunks, chunk, 'stream.chunks').offsetMs * 1000) / 1000;
        expect(offset).toBeLessThanOrEqual(recordedMs);
        expect(recordedMs - offset).toBeLessThan(1);
      });
    }
  });

  it('on the real clock, a replayed chunk never comes more than 1 ms before its recorded offset', async () => {
    const replay = await createReplaySourceFromTrace(TRACE, resolveReplaySettings({ type: 'replay', trace: 'unused', speed: 4 }));
    const { offsetsMs } = await readStream(replay, 0);
    const recorded = firstOf(TRACE.streams, 'TRACE.streams').chunks.map((chunk) => chunk.offsetMs / 4);
    // Up to 1 ms early by design; the test reads its start just before the source reads its own.
    offsetsMs.forEach((offset, index) => expect(offset).toBeGreaterThanOrEqual(itemAt(recorded, index, 'recorded') - 1.05));
  });
});
