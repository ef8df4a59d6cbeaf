/** The pure parts of target mode: offset matching, marker matching, verdicts, commandstats, templates. */
import { describe, expect, it } from 'vitest';
import { commandDelta, commandName, parseCommandStats, SentCommandCounter } from '../src/target/appRedisStats.js';
import { MarkerRegistry } from '../src/target/markerMatching.js';
import { describeIntegrity, matchByOffset } from '../src/target/offsetMatching.js';
import { buildAppRequest } from '../src/target/requestTemplate.js';
import { describeTarget, hideCommandSecrets } from '../src/target/describeTarget.js';
import { targetSchema } from '../src/scenario/targetSchema.js';
import { decideVerdict } from '../src/stats/targetVerdicts.js';

const event = (atMs: number, text: string) => ({ atMs, text });

describe('matchByOffset', () => {
  it('ties each upstream chunk to the client event that delivered its last character, whatever the re-chunking', () => {
    const match = matchByOffset(['Hel', 'lo', ' wor', 'ld'], [event(1, 'Hello w'), event(2, 'orld')]);
    expect(match.chunkEvent).toEqual([0, 0, 1, 1]);
    expect(match.integrity).toEqual({ missingChars: 0, duplicatedChars: 0, reorderedEvents: 0, foreignChars: 0, exact: true });
  });

  it('counts missing, duplicated, reordered and foreign text exactly', () => {
    const missing = matchByOffset(['ab', 'cd', 'ef'], [event(1, 'ab'), event(2, 'ef')]);
    expect(missing.chunkEvent).toEqual([0, -1, 1]);
    expect(missing.integrity).toMatchObject({ missingChars: 2, exact: false });
    const duplicated = matchByOffset(['ab', 'cd'], [event(1, 'ab'), event(2, 'ab'), event(3, 'cd')]);
    expect(duplicated.integrity).toMatchObject({ missingChars: 0, duplicatedChars: 2, reorderedEvents: 0 });
    const reordered = matchByOffset(['ab', 'cd', 'ef'], [event(1, 'ab'), event(2, 'ef'), event(3, 'cd')]);
    expect(reordered.integrity).toMatchObject({ missingChars: 0, duplicatedChars: 0, reorderedEvents: 1 });
    expect(reordered.chunkEvent).toEqual([0, 2, 1]);
    const foreign = matchByOffset(['ab'], [event(1, 'ab'), event(2, 'XYZ')]);
    expect(foreign.integrity).toMatchObject({ foreignChars: 3, missingChars: 0 });
    expect(describeIntegrity(missing.integrity, 6)).toMatch(/2 of 6 characters the upstream sent never reached the client/);
    expect(describeIntegrity(matchByOffset(['a'], [event(1, 'a')]).integrity, 1)).toBeNull();
    // Nothing in common: the reader looked in the wrong place, which the message says rather than blame the app.
    expect(describeIntegrity(matchByOffset(['abc'], [event(1, '{"id":1}')]).integrity, 3)).toMatch(
      /^none of the 3 characters the upstream sent is in the 8 read from the app's answer: check that --format .* --text-path/,
    );
  });
});

describe('MarkerRegistry', () => {
  it('finds the stream by the marker anywhere in the forwarded body, else the oldest waiting stream', () => {
    const registry = new MarkerRegistry<string>();
    const first = registry.expect(0, 'first');
    const second = registry.expect(1, 'second');
    const body = JSON.stringify({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: `hi ${second.marker}` },
      ],
    });
    expect(registry.match(body)).toMatchObject({ expectation: { value: 'second' }, method: 'marker' });
    expect(registry.match(body)).toMatchObject({ expectation: null });
    expect(registry.match('{"messages":[]}')).toMatchObject({ expectation: { value: 'first' }, method: 'arrival-order' });
    expect(registry.match('{"messages":[]}')).toMatchObject({ expectation: null, reason: expect.stringMatching(/no client stream is waiting/) });
    registry.forget(first);
    // Another registry's marker is not this one's.
    expect(new MarkerRegistry<string>().markerFor(0)).not.toBe(registry.markerFor(0));
  });
});

describe('decideVerdict', () => {
  const thresholds = { delayThresholdMs: 3, bufferShare: 0.8 };
  const base = {
    streams: 3,
    upstreamSpanMsMedian: 500,
    upstreamChunksMedian: 50,
    upstreamChunksPerClientEvent: 1,
    addedLatencyP10Ms: 0.2,
    addedLatencyP50Ms: 0.3,
    addedLatencyP99Ms: 1,
  };
  it('buffers, delays, streams through, or cannot decide — with the evidence', () => {
    const buffers = decideVerdict({ ...base, lastTenthTextShareMedian: 0.97, upstreamChunksPerClientEvent: 50, addedLatencyP50Ms: 250 }, thresholds);
    expect(buffers.kind).toBe('buffers');
    expect(buffers.evidence.join(' ')).toMatch(/97 % of the text arrived in the last 10 %/);
    expect(decideVerdict({ ...base, lastTenthTextShareMedian: 0.1, addedLatencyP10Ms: 4.8, addedLatencyP50Ms: 5.1 }, thresholds).kind).toBe('delays');
    expect(decideVerdict({ ...base, lastTenthTextShareMedian: 0.1 }, thresholds).kind).toBe('streams-through');
    const short = decideVerdict({ ...base, lastTenthTextShareMedian: 1, upstreamSpanMsMedian: 2 }, thresholds);
    expect(short.kind).toBe('undecided');
    expect(short.evidence.join(' ')).toMatch(/too short/);
    expect(decideVerdict({ ...base, streams: 0, lastTenthTextShareMedian: null }, thresholds).kind).toBe('undecided');
    // Near the threshold, the verdict stands but the evidence says it could go either way.
    const near = decideVerdict({ ...base, lastTenthTextShareMedian: 0.1, addedLatencyP10Ms: 3.2, addedLatencyP50Ms: 17 }, thresholds);
    expect(near.kind).toBe('delays');
    expect(near.evidence.at(-1)).toMatch(/borderline: p10 3\.20 ms is within 25 % of the 3\.00 ms delay threshold/);
    expect(decideVerdict({ ...base, lastTenthTextShareMedian: 0.1, addedLatencyP10Ms: 0.2 }, thresholds).evidence.join(' ')).not.toMatch(/borderline/);
  });
});

describe('INFO commandstats', () => {
  it("parses calls per command and leaves streambench's own commands out of the delta", () => {
    const before = parseCommandStats('# Commandstats\r\ncmdstat_rpush:calls=10,usec=5,usec_per_call=0.5\r\ncmdstat_info:calls=3,usec=1\r\n');
    const after = parseCommandStats(
      '# Commandstats\r\ncmdstat_rpush:calls=25,usec=9\r\ncmdstat_publish:calls=15,usec=1\r\ncmdstat_info:calls=5,usec=1\r\ncmdstat_client|setname:calls=1,usec=1\r\n',
    );
    expect(commandDelta(before, after, new Set(['info', 'client|setname']))).toEqual({ rpush: 15, publish: 15 });
  });
});

describe('buildAppRequest', () => {
  it('fills prompt, marker and stream id into body, headers and URL; an object body goes as JSON', () => {
    const target = targetSchema.parse({
      url: 'http://127.0.0.1:1/chat/{{streamId}}',
      format: 'ai-sdk-ui',
      headers: { 'X-Trace': '{{marker}}' },
      body: { messages: [{ role: 'user', content: '{{prompt}}' }], id: '{{streamId}}' },
    });
    const request = buildAppRequest(target, target.url, { prompt: 'Hi "there" sbmark-1', marker: 'sbmark-1', streamId: 's 1' });
    expect(request.url).toBe('http://127.0.0.1:1/chat/s%201');
    expect(request.headers).toEqual({ 'x-trace': 'sbmark-1', 'content-type': 'application/json' });
    expect(JSON.parse(request.body!)).toEqual({ messages: [{ role: 'user', content: 'Hi "there" sbmark-1' }], id: 's 1' });
    expect(request.method).toBe('POST');
    expect(request.resume).toEqual({ mode: 'none' });
  });
});

describe('describeTarget', () => {
  it('hides header and environment values and secret-looking assignments in the command', () => {
    expect(hideCommandSecrets('OPENAI_API_KEY=sk-123 DB_PASSWORD="a b" PORT=3 node app.js')).toBe('OPENAI_API_KEY=<hidden> DB_PASSWORD=<hidden> PORT=3 node app.js');
    expect(hideCommandSecrets('litellm --api-key sk-abcdefgh123 --port 4000 --master_key=mk1 -H "Authorization: Bearer tok9"')).toBe(
      'litellm --api-key <hidden> --port 4000 --master_key=<hidden> -H "Authorization: Bearer <hidden>"',
    );
    expect(hideCommandSecrets('node app.js sk-proj-abcdefghijkl')).toBe('node app.js <hidden>');
    const shown = describeTarget(
      targetSchema.parse({ url: 'http://u:pw@127.0.0.1:1/chat', format: 'text', headers: { Authorization: 'Bearer t' }, app: { command: 'TOKEN=x node a', env: { KEY: 'v' } } }),
    );
    expect(JSON.stringify(shown)).not.toMatch(/Bearer t|TOKEN=x|"v"|pw@/);
  });
});

describe('sweeping a target variant', () => {
  it('varies its load only, keeping the target in every point', async () => {
    const { planSweep } = await import('../src/sweep/sweepGrid.js');
    const raw = {
      name: 's',
      source: { type: 'synthetic', profile: 'zero-delay', tokens: 5 },
      variants: [{ name: 'app', target: { url: 'http://127.0.0.1:1/chat', format: 'text' }, load: { concurrency: 1, streams: 2 } }],
    };
    const plan = planSweep(raw, 's.yaml', 'hash', [{ path: 'load.concurrency', values: [1, 4] }], 'app');
    expect(plan.scenario.configs.map((config) => [config.target?.format, config.load?.concurrency])).toEqual([
      ['text', 1],
      ['text', 4],
    ]);
    expect(() => planSweep(raw, 's.yaml', 'hash', [{ path: 'batch.size', values: [1] }], 'app')).toThrow(/is a target \(your app\), which has no pipeline fields/);
  });
});

describe('SentCommandCounter (MONITOR lines)', () => {
  it("counts what clients sent between the observer's markers, not a script's own commands nor the observer's marker blocks", () => {
    const counter = new SentCommandCounter('s', 'e');
    const app = '127.0.0.1:5000';
    const me = '127.0.0.1:6000';
    counter.line(['rpush', 'k', 'before'], app);
    counter.line(['multi'], me);
    counter.line(['info', 'commandstats'], me);
    counter.line(['echo', 's'], me);
    counter.line(['exec'], me);
    counter.line(['EVALSHA', 'abc', '2'], app);
    counter.line(['rpush', 'k', 'a'], 'lua');
    counter.line(['publish', 'c', 'a'], 'lua');
    counter.line(['lrange', 'k', '0', '-1'], app);
    counter.line(['CLIENT', 'SETNAME', 'x'], app);
    counter.line(['multi'], app);
    counter.line(['exec'], app);
    counter.line(['multi'], me);
    expect(counter.complete).toBe(false);
    counter.line(['echo', 'e'], me);
    counter.line(['rpush', 'k', 'after'], app);
    expect(counter.complete).toBe(true);
    expect(Object.fromEntries(counter.sent)).toEqual({ evalsha: 1, lrange: 1, 'client|setname': 1, multi: 1, exec: 1 });
    expect(counter.scriptRun).toBe(2);
    expect(commandName(['Config', 'GET', 'x'])).toBe('config|get');
  });
});
