import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedisServer, type PrivateRedisServer } from '../src/pipeline/brokers/redis/privateServer.js';

const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync('schemas/result.schema.json', 'utf8')));

/** A scenario of two configs whose streams take about `streamMs` each. */
function twoConfigScenario(folder: string, broker: string, tokens: number): string {
  const path = join(folder, 'scenario.yaml');
  writeFileSync(
    path,
    `name: stoppable\nseed: 4\niterations: 3\nwarmup: 0\nsource: { type: synthetic, tokens: ${tokens}, ttftMs: 5, gapMs: 2 }\n` +
      `variants:\n  - { name: first, pipeline: { broker: ${broker} } }\n  - { name: second, pipeline: { broker: ${broker} } }\n`,
  );
  return path;
}

function startRun(args: string[]): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['dist/streambench.cjs', 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (data) => (stderr += data));
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, stderr: () => stderr, exit };
}

/** Resolves once `path` exists (the first config was saved). */
function fileAppears(path: string): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (existsSync(path)) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
  });
}

/** Resolves once a key of stream `streamId` exists on `url` (the streams before it were measured). */
async function streamStarted(url: string, streamId: string): Promise<void> {
  const inspector = new Redis(url);
  try {
    while ((await inspector.keys(`streambench:*{${streamId}}*`)).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    inspector.disconnect();
  }
}

describe('stopping a run', () => {
  let server: PrivateRedisServer | null = null;
  beforeAll(async () => {
    server = await startPrivateRedisServer();
  });
  afterAll(async () => {
    if (server) process.kill(server.pid, 'SIGCONT');
    await server?.stop();
  });

  it('SIGINT ends a run stuck on a paused Redis within the grace period, exit 130, the finished config kept', async () => {
    if (!server) return;
    const folder = mkdtempSync(join(tmpdir(), 'streambench-frozen-'));
    const out = join(folder, 'partial.json');
    const run = startRun([twoConfigScenario(folder, '{ type: redis-list }', 300), '--out', out, '--redis', server.url]);
    try {
      await fileAppears(out);
      process.kill(server.pid, 'SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const signalledAt = performance.now();
      run.child.kill('SIGINT');
      const code = await run.exit;
      if (process.env.SB_SHOW_TIMES) console.log(`stopped ${Math.round(performance.now() - signalledAt)} ms after SIGINT`);
      expect(code).toBe(130);
      expect(run.stderr()).not.toMatch(/\n\s+at /);
      const document = JSON.parse(readFileSync(out, 'utf8'));
      expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
      expect(document.interrupted).toBe(true);
      expect(document.configs.map((config: { name: string; state: string }) => [config.name, config.state])).toEqual([
        ['first', 'completed'],
        ['second', 'interrupted'],
      ]);
      expect(document.configs[0].iterations).toHaveLength(3);
    } finally {
      run.child.kill('SIGKILL');
      process.kill(server.pid, 'SIGCONT');
    }
  }, 30_000);

  // Config "second" measured streams 0 and 1, stream 2 is stuck on the paused Redis: both stops keep the two.
  it.each([
    ['one SIGINT: the orderly stop, its cleanup no longer waiting out full deadlines', 1],
    ['two SIGINTs: the forced stop (synchronous write)', 2],
  ])(
    "a paused Redis, %s, keeps the running config's measured streams",
    async (_, signals) => {
      if (!server) return;
      const folder = mkdtempSync(join(tmpdir(), 'streambench-frozen-kept-'));
      const out = join(folder, 'partial.json');
      const run = startRun([twoConfigScenario(folder, '{ type: redis-list }', 300), '--out', out, '--redis', server.url]);
      try {
        await streamStarted(server.url, '1-2');
        process.kill(server.pid, 'SIGSTOP');
        await new Promise((resolve) => setTimeout(resolve, 100));
        const signalledAt = performance.now();
        run.child.kill('SIGINT');
        if (signals === 2) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          run.child.kill('SIGINT');
        }
        const code = await run.exit;
        const stoppedMs = performance.now() - signalledAt;
        if (process.env.SB_SHOW_TIMES) console.log(`${signals} signal(s): stopped ${Math.round(stoppedMs)} ms after the first`);
        expect(code).toBe(130);
        expect(run.stderr()).not.toMatch(/\n\s+at /);
        const document = JSON.parse(readFileSync(out, 'utf8'));
        expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
        expect(document.interrupted).toBe(true);
        // Only the forced stop leaves the document marked incomplete: the orderly one finished within the grace period.
        expect(document.incomplete).toBe(signals === 2 ? true : undefined);
        expect(document.configs.map((config: { name: string; state: string }) => [config.name, config.state])).toEqual([
          ['first', 'completed'],
          ['second', 'interrupted'],
        ]);
        const second = document.configs[1];
        expect(second.iterations).toHaveLength(2);
        expect(second.message).toMatch(/2 measured streams/);
        expect(second.metrics.counters.tokensPerStream).toBe(second.iterations[0].tokens);
        expect(second.metrics.tokenLatencyMs.n).toBe(second.iterations[0].tokens + second.iterations[1].tokens);
      } finally {
        run.child.kill('SIGKILL');
        process.kill(server.pid, 'SIGCONT');
      }
    },
    30_000,
  );

  it('SIGHUP is handled like SIGTERM: the running config is saved as interrupted, not completed', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'streambench-hup-'));
    const out = join(folder, 'partial.json');
    const run = startRun([twoConfigScenario(folder, '{ type: memory }', 400), '--out', out]);
    try {
      await fileAppears(out);
      run.child.kill('SIGHUP');
      expect(await run.exit).toBe(130);
      const document = JSON.parse(readFileSync(out, 'utf8'));
      expect(document.interrupted).toBe(true);
      expect(document.incomplete).toBeUndefined(); // an orderly stop writes the file whole
      expect(document.configs.map((config: { state: string }) => config.state)).toEqual(['completed', 'interrupted']);
      expect(document.configs[1].message).toMatch(/interrupted after \d+ measured streams/);
    } finally {
      run.child.kill('SIGKILL');
    }
  }, 30_000);

  it('a file left by SIGKILL is marked incomplete', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'streambench-kill-'));
    const out = join(folder, 'partial.json');
    const run = startRun([twoConfigScenario(folder, '{ type: memory }', 400), '--out', out]);
    await fileAppears(out);
    run.child.kill('SIGKILL');
    await run.exit;
    const document = JSON.parse(readFileSync(out, 'utf8'));
    expect(document.incomplete).toBe(true);
    expect(document.interrupted).toBe(false);
    expect(document.configs).toHaveLength(1);
  }, 30_000);
});
