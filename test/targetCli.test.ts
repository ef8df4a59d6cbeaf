/**
 * `streambench target` and target scenarios through the built CLI: exit codes, the output
 * format flag, and Ctrl-C leaving no app process behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuiltDist } from './helpers/builtDist.js';
import { runCli } from './helpers/cli.js';
import { processAlive as alive } from '../src/processAlive.js';

const RELAY = `node ${resolve('test/fixtures/target/relay.mjs')}`;
// Every run works in a folder of its own (the app's default log goes to <cwd>/results/), removed at the end:
// nothing lands in the repository's results/.
const WORK = mkdtempSync(join(tmpdir(), 'sb-target-cli-'));
const cli = (args: string[]) => runCli(args, { cwd: WORK });

beforeAll(() => ensureBuiltDist('dist/cli.js'));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

/** A scenario file whose streams run long, with its app's log in a folder of its own. */
function slowScenario(): { folder: string; scenario: string; log: string } {
  const folder = mkdtempSync(join(WORK, 'run-'));
  const log = join(folder, 'app.log');
  const scenario = join(folder, 'slow.json');
  writeFileSync(
    scenario,
    JSON.stringify({
      name: 'slow',
      iterations: 50,
      warmup: 0,
      source: { type: 'synthetic', profile: 'slow-local', tokens: 200 },
      variants: [{ name: 'relay', target: { url: 'http://127.0.0.1:{appPort}/chat', format: 'openai-sse', app: { command: RELAY, log } } }],
    }),
  );
  return { folder, scenario, log };
}

/** Waits (15 s at most: node starts slowly on a busy machine) until the relay has logged its pid. */
async function appPid(log: string): Promise<number> {
  let pid = 0;
  for (let attempt = 0; attempt < 150 && pid === 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (existsSync(log)) pid = Number(/pid (\d+)/.exec(readFileSync(log, 'utf8'))?.[1] ?? 0);
  }
  expect(pid).toBeGreaterThan(0);
  return pid;
}

/** `streambench target` against the example relay (openai-sse, zero-delay upstream, no warm-up), then `extra` flags. */
function relayTarget(options: { tokens: number; streams: number; app?: string }, ...extra: string[]): string[] {
  const app = options.app ?? RELAY;
  const url = 'http://127.0.0.1:{appPort}/chat';
  const shape = ['--tokens', String(options.tokens), '--profile', 'zero-delay', '--streams', String(options.streams), '--warmup', '0'];
  return ['target', '--upstream-port', '0', '--app-command', app, '--url', url, '--format', 'openai-sse', ...shape, ...extra];
}

describe('streambench target', () => {
  it('measures an app from flags; --output-format json prints the document with the target block', async () => {
    const run = await cli(relayTarget({ tokens: 20, streams: 2 }, '--no-save', '--output-format', 'json'));
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document.configs[0].state).toBe('completed');
    expect(document.configs[0].target.integrity.exactStreams).toBe(2);
    expect(document.configs[0].settings.target.format).toBe('openai-sse');
    // --no-save writes nothing under results/: the app's log goes to the temporary folder.
    expect(document.configs[0].target.app.log).toBe(join(tmpdir(), `${document.runId}-app.log`));
  }, 30000);

  it('header values never reach the result', async () => {
    const run = await cli(relayTarget({ tokens: 5, streams: 1 }, '--header', 'Authorization: Bearer sk-secret-123', '--no-save', '--json'));
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('sk-secret-123');
    expect(run.stderr).not.toContain('sk-secret-123');
    expect(JSON.parse(run.stdout).configs[0].settings.target.headers).toEqual({ Authorization: '<hidden>' });
  }, 30000);

  it('an unknown app format is a usage error (exit 2) naming --format and the choices', async () => {
    const run = await cli(['target', '--url', 'http://127.0.0.1:1/chat', '--format', 'table']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--format/);
    expect(run.stderr).toMatch(/ai-sdk-ui/);
  });

  it('flags that cannot work are usage errors (exit 2) before anything starts: a held upstream port, an app Redis that does not answer, a bad text path', async () => {
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    const { port } = holder.address() as AddressInfo;
    try {
      const held = await cli(['target', '--upstream-port', String(port), '--url', 'http://127.0.0.1:1/chat', '--format', 'text', '--no-save']);
      expect(held.code).toBe(2);
      expect(held.stderr).toBe(
        `streambench: --upstream-port: cannot listen on 127.0.0.1:${port} (EADDRINUSE: another process listens there); choose another port, or 0 for a free one\n`,
      );
    } finally {
      await new Promise((done) => holder.close(done));
    }
    const redis = await cli(['target', '--upstream-port', '0', '--url', 'http://127.0.0.1:1/chat', '--format', 'text', '--app-redis', 'redis://127.0.0.1:1', '--no-save']);
    expect(redis.code).toBe(2);
    expect(redis.stderr).toMatch(/^streambench: --app-redis: cannot connect to the app's Redis at redis:\/\/127\.0\.0\.1:1 \(connect ECONNREFUSED 127\.0\.0\.1:1\)/);
    expect(redis.stderr).not.toMatch(/Unhandled error event/);
    const path = await cli(['target', '--url', 'http://127.0.0.1:1/chat', '--format', 'sse', '--text-path', 'a..b', '--no-save']);
    expect(path.code).toBe(2);
    expect(path.stderr).toMatch(/^streambench: --text-path: path "a\.\.b": empty segment/);
    // A path the format would ignore is refused, not dropped in silence.
    const ignored = await cli(['target', '--url', 'http://127.0.0.1:1/chat', '--format', 'ai-sdk-ui', '--text-path', 'a.b', '--no-save']);
    expect(ignored.code).toBe(2);
    expect(ignored.stderr).toBe('streambench: --text-path: format ai-sdk-ui has its own place for the text and would ignore it: drop it, or use format sse, ndjson, websocket\n');
  });

  it('an app that crashes mid-run exits 3 with the streams so far saved', async () => {
    const folder = mkdtempSync(join(WORK, 'run-'));
    const out = join(folder, 'crash.json');
    const run = await cli(relayTarget({ tokens: 10, streams: 3, app: `MODE=crash-after-1 ${RELAY}` }, '--out', out, '--quiet'));
    expect(run.code).toBe(3);
    const document = JSON.parse(readFileSync(out, 'utf8'));
    expect(document.configs[0].state).toBe('errored');
    expect(document.configs[0].message).toMatch(/exited with code 7/);
    expect(document.configs[0].iterations).toHaveLength(1);
    // A saved run keeps the app's log beside its result file (--out's folder, not results/).
    expect(document.configs[0].target.app.log).toBe(join(folder, `${document.runId}-app.log`));
    // Its last line says what was kept, not that nothing was measured.
    expect(run.stderr).toMatch(/no config of target completed \(see the messages above\); the 1 stream measured before the failures is kept in the result\n$/);
    expect(run.stderr).not.toMatch(/nothing was measured/);
  }, 30000);

  it('even when streambench is killed with SIGKILL, the app it started does not outlive it', async () => {
    const { scenario, log } = slowScenario();
    const child = spawn(process.execPath, ['dist/cli.js', 'run', scenario, '--no-save', '--quiet'], { stdio: 'ignore' });
    const pid = await appPid(log);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    // The app's guard sees its pipe from streambench close and stops the group.
    for (let waited = 0; waited < 5000 && alive(pid); waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(pid)).toBe(false);
  }, 30000);

  it('Ctrl-C stops the run, saves what was measured, and leaves no app process', async () => {
    const { folder, scenario, log } = slowScenario();
    const out = join(folder, 'interrupted.json');
    const child = spawn(process.execPath, ['dist/cli.js', 'run', scenario, '--out', out, '--quiet'], { stdio: 'ignore' });
    const pid = await appPid(log);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(alive(pid)).toBe(false);
    expect(JSON.parse(readFileSync(out, 'utf8')).interrupted).toBe(true);
    expect(readdirSync(folder)).toContain('interrupted.json');
  }, 30000);
});
