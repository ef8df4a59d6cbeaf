import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultDocument } from '../src/result/resultSchema.js';
import { parseTrace } from '../src/traces/parseTrace.js';
import { runCli, runCliInProcess } from './helpers/cli.js';
import { firstOf, itemAt } from './helpers/indexed.js';

const SECRET = 'sk-test-SECRET123';
const temporaryFolder = () => mkdtempSync(join(tmpdir(), 'streambench-http-cli-'));

/** A running `streambench mock-server` child and the base URL it printed. */
interface MockChild {
  child: ChildProcessWithoutNullStreams;
  baseUrl: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts the built `mock-server` command and waits for its listening line. */
function startMockChild(args: string[]): Promise<MockChild> {
  const child = spawn(process.execPath, [`${process.cwd()}/dist/cli.js`, 'mock-server', '--port', '0', ...args]);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (data) => (stderr += data));
    child.stdout.on('data', (data) => {
      stdout += data;
      const match = /OpenAI-compatible base URL: (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(stdout);
      if (match) resolve({ child, baseUrl: itemAt(match, 1, 'base URL'), stdout: () => stdout, stderr: () => stderr, exited });
    });
    void exited.then((code) => reject(new Error(`mock-server exited with ${code}: ${stderr}`)));
  });
}

/** A server that answers 401 and echoes the credentials it got, as a careless gateway might. */
let echoServer: Server;
let echoBaseUrl: string;
let mock: MockChild;

beforeAll(async () => {
  echoServer = createServer((request, response) => {
    request.resume();
    const echoed = String(request.headers.authorization ?? '');
    response.writeHead(401, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { message: `Invalid credentials: ${echoed}`, type: 'authentication_error' } }));
  });
  await new Promise<void>((resolve) => echoServer.listen(0, '127.0.0.1', resolve));
  echoBaseUrl = `http://127.0.0.1:${(echoServer.address() as AddressInfo).port}/v1`;
  mock = await startMockChild(['--seed', '3', '--tokens', '20', '--ttft-ms', '5', '--gap-ms', '1']);
});

afterAll(async () => {
  mock.child.kill('SIGTERM');
  await mock.exited;
  await new Promise<void>((resolve) => echoServer.close(() => resolve()));
});

describe('streambench mock-server (built binary)', () => {
  it('prints where it listens, serves requests, and stops cleanly on SIGTERM', async () => {
    const own = await startMockChild(['--profile', 'zero-delay', '--tokens', '5']);
    expect(own.stdout()).toMatch(/^streambench mock server listening on http:\/\/127\.0\.0\.1:\d+\n/);
    const response = await fetch(`${own.baseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [] }) });
    expect(response.status).toBe(200);
    own.child.kill('SIGTERM');
    expect(await own.exited).toBe(0);
    expect(own.stderr()).toMatch(/POST \/v1\/chat\/completions stream 0 → 200 \(not streamed\)\nSIGTERM: stopping\n$/);
  });

  it('exits 2 for a bad fault option', async () => {
    const result = await runCliInProcess(['mock-server', '--fail-rate', '2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--fail-rate <r>.*expected a number from 0 to 1, got "2"/);
  });
});

describe('streambench record (built binary)', () => {
  it('records N streams into a valid synthetic-labelled trace and prints one line', async () => {
    const out = join(temporaryFolder(), 'traces', 'mock.jsonl');
    mkdirSync(dirname(out)); // streambench creates no folders (but results/)
    const result = await runCliInProcess(['record', '--url', mock.baseUrl, '--requests', '2', '--include-usage', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^recorded 2 streams, \\d+ chunks, TTFT p50 [\\d.]+ ms from streambench-mock at ${mock.baseUrl.replace(/\./g, '\\.')} \\(synthetic\\) → ${out.replace(/\./g, '\\.')}\\n$`,
      ),
    );
    const trace = parseTrace(readFileSync(out, 'utf8'), out);
    expect(trace.header).toMatchObject({ synthetic: true, api: 'openai-chat', baseUrl: mock.baseUrl, request: { stream: true, stream_options: { include_usage: true } } });
    expect(trace.streams).toHaveLength(2);
    expect(trace.streams.every((stream) => stream.usage !== null && stream.chunks.length > 0)).toBe(true);
  });

  it('exits 3 and writes nothing when a request fails, without the key in any output', async () => {
    const folder = temporaryFolder();
    const out = join(folder, 'x.jsonl');
    const result = await runCliInProcess(['record', '--url', echoBaseUrl, '--api-key-env', 'SB_TEST_KEY', '--out', out], { env: { SB_TEST_KEY: SECRET } });
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `streambench: request 1 of 1 failed, nothing written: HTTP 401 from POST ${echoBaseUrl}/chat/completions: Invalid credentials: Bearer [REDACTED] (authentication_error)\n`,
    );
    expect(result.stdout + result.stderr).not.toContain('SECRET123');
    expect(existsSync(out)).toBe(false);
  });
});

describe('streambench run with an http source (built binary)', () => {
  const scenario = (folder: string, source: string) => {
    const path = join(folder, 'http.yaml');
    writeFileSync(
      path,
      `name: http-key\niterations: 2\nwarmup: 0\nsource: ${source}\nvariants:\n  - { name: baseline, pipeline: { preset: field-baseline } }\n  - { name: corrected, pipeline: { preset: seed-corrected, delivery: { type: sse } } }\n`,
    );
    return path;
  };

  it('never writes the API key: not on stdout, stderr or in the result file (completed run)', async () => {
    const folder = temporaryFolder();
    const path = scenario(folder, '{ type: http, apiKeyEnv: SB_TEST_KEY, includeUsage: true, mockServer: { tokens: 20, ttftMs: 5, gapMs: 1 } }');
    const result = await runCli(['run', path, '--out', folder, '--json'], { env: { SB_TEST_KEY: SECRET } });
    expect(result.code).toBe(0);
    const resultFile = firstOf(
      readdirSync(folder).filter((name) => name.endsWith('.json')),
      'result files',
    );
    const written = readFileSync(join(folder, resultFile), 'utf8');
    for (const text of [result.stdout, result.stderr, written]) expect(text).not.toContain('SECRET123');
    const document = JSON.parse(written);
    expect(document.scenario.settings.source).toMatchObject({ type: 'http', apiKeyEnv: 'SB_TEST_KEY', apiKeySet: true });
    expect(document.scenario.settings.source.baseUrl).toMatch(/\(built-in mock server, worker thread\)$/);
    expect(document.configs.map((config: { state: string }) => config.state)).toEqual(['completed', 'completed']);
    expect(document.configs[0].metrics.upstreamTimeToFirstByteMs.n).toBe(2);
  });

  it('an endpoint that echoes the key: configs errored (exit 3), result written whole, key redacted everywhere', async () => {
    const folder = temporaryFolder();
    const path = scenario(folder, `{ type: http, baseUrl: '${echoBaseUrl}', model: m, apiKeyEnv: SB_TEST_KEY }`);
    const result = await runCli(['run', path, '--out', folder], { env: { SB_TEST_KEY: SECRET } });
    expect(result.code).toBe(3);
    const resultFile = firstOf(
      readdirSync(folder).filter((name) => name.endsWith('.json')),
      'result files',
    );
    const written = readFileSync(join(folder, resultFile), 'utf8');
    for (const text of [result.stdout, result.stderr, written]) expect(text).not.toContain('SECRET123');
    const document = JSON.parse(written);
    expect(document.configs).toHaveLength(2);
    for (const config of document.configs) {
      expect(config.state).toBe('errored');
      expect(config.message).toBe(`stream 1: HTTP 401 from POST ${echoBaseUrl}/chat/completions: Invalid credentials: Bearer [REDACTED] (authentication_error)`);
    }
  });

  it('mock-server on a port another process holds is a usage error (exit 2) saying what to change', async () => {
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    const { port } = holder.address() as AddressInfo;
    try {
      const result = await runCliInProcess(['mock-server', '--port', String(port)]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(
          `^streambench: --port: cannot listen on 127\\.0\\.0\\.1:${port} \\(.*EADDRINUSE.*\\): another process listens there; choose another --port, or 0 for a free one`,
        ),
      );
    } finally {
      await new Promise((done) => holder.close(done));
    }
  });

  it('names a failing warm-up stream as one, apart from the measured streams (numbered from 1)', async () => {
    const folder = temporaryFolder();
    const path = join(folder, 'warm.yaml');
    writeFileSync(path, `name: warm\niterations: 2\nwarmup: 1\nsource: { type: http, baseUrl: '${echoBaseUrl}', model: m }\n`);
    const result = await runCliInProcess(['run', path, '--json', '--no-save']);
    expect(result.code).toBe(3);
    const document = JSON.parse(result.stdout) as ResultDocument;
    expect(firstOf(document.configs, 'document.configs').message).toMatch(/^warm-up stream 1: HTTP 401 from POST /);
  });

  it('a replay scenario with a broken trace exits 2 naming the trace file and line', async () => {
    const folder = temporaryFolder();
    const trace = join(folder, 'bad.jsonl');
    writeFileSync(trace, '{"type":"header","version":1}\n');
    const path = join(folder, 'replay.yaml');
    writeFileSync(path, `name: r\nsource: { type: replay, trace: '${trace}' }\n`);
    const result = await runCliInProcess(['run', path, '--no-save']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^streambench: (${path.replace(/\./g, '\\.')}: )?source\\.trace: ${trace.replace(/\./g, '\\.')}:1: recordedAt: `));
  });
});
