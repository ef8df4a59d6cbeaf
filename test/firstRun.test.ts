/**
 * A first run anywhere (built binary): without Redis the run falls back to the memory broker and
 * says so; the Redis used is named; a run that measured nothing fails; a bad REDIS_URL is named
 * as such; --iterations applies under load; `--help` and `compare` load no heavy module; `record`
 * warms up and splits each request into phases, with the mock's Anthropic base URL as printed.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from './helpers/cli.js';
import { redisUrlForTests } from './helpers/redisUrl.js';
import { itemAt } from './helpers/indexed.js';

const folder = mkdtempSync(join(tmpdir(), 'streambench-first-run-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/**
 * No Redis anywhere, nothing configured: REDIS_URL unset, the address auto probes moved off the
 * shared 6379 to a closed port (STREAMBENCH_DEFAULT_REDIS_URL), and no redis-server on PATH.
 */
const NO_REDIS = { REDIS_URL: '', STREAMBENCH_DEFAULT_REDIS_URL: 'redis://127.0.0.1:1', PATH: '/nonexistent' };

/** A Redis that is configured but down: nothing listens on port 1. */
const DOWN_URL = 'redis://127.0.0.1:1';

const sharedUrl = await redisUrlForTests();

describe('a first run without Redis (built binary)', () => {
  it('falls back to the in-process memory broker, says what changed and how to get Redis, and measures', async () => {
    const out = join(folder, 'no-redis.json');
    const result = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--out', out], { env: NO_REDIS });
    expect(result.code).toBe(0);
    const text = result.stdout.replace(/\s+/g, ' ');
    expect(result.stdout).toMatch(/^broker: nothing answered at redis:\/\/127\.0\.0\.1:1 and redis-server is not on PATH/m);
    expect(text).toMatch(/the redis-\* configs ran on the in-process memory broker/);
    expect(result.stdout.replace(/\s+/g, ' ')).toContain('To measure Redis too: start one on 127.0.0.1:6379, set REDIS_URL or pass --redis URL, or install redis-server');
    const document = JSON.parse(readFileSync(out, 'utf8'));
    expect(document.context.redis).toMatchObject({ broker: 'memory' });
    expect(document.configs.map((config: { state: string }) => config.state)).toEqual(['completed', 'completed']);
    expect(document.configs.map((config: { settings: { broker: { type: string } } }) => config.settings.broker.type)).toEqual(['memory', 'memory']);
  });

  it('--broker memory asks for the memory broker directly', async () => {
    const result = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--no-save', '--json', '--broker', 'memory'], { env: NO_REDIS });
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.context.redis.note).toMatch(/^--broker memory: the redis-\* configs ran on the in-process memory broker/);
    expect(result.stderr).toMatch(/^broker: --broker memory: /m);
  });

  it('exits 3 when nothing was measured', async () => {
    const result = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--no-save', '--redis', 'off']);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('streambench: nothing was measured in tiny: no config completed (see the messages above)\n');
  });

  it('refuses a REDIS_URL that does not answer (exit 2, naming REDIS_URL and the fix, nothing written), even with redis-server on PATH', async () => {
    const out = join(folder, 'down-env.json');
    for (const env of [{ ...NO_REDIS, REDIS_URL: DOWN_URL }, { REDIS_URL: DOWN_URL }]) {
      const result = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--out', out], { env });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^streambench: REDIS_URL \(redis:\/\/127\.0\.0\.1:1\) did not answer \(.*\)\. Start that Redis or correct REDIS_URL; or unset it .* or pass --broker memory to run without Redis\.\n$/,
      );
      expect(existsSync(out)).toBe(false);
    }
  });

  it('refuses a --redis URL or --redis-file that does not answer (exit 2, naming the flag), never the memory broker', async () => {
    const flag = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--no-save', '--redis', DOWN_URL], { env: NO_REDIS });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^streambench: --redis: Cannot connect to Redis at redis:\/\/127\.0\.0\.1:1 \(.*\)\. Provide one with --redis /);
    const file = join(folder, 'redis-url.txt');
    writeFileSync(file, `${DOWN_URL}\n`);
    const fromFile = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--no-save', '--redis-file', file], { env: NO_REDIS });
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toMatch(new RegExp(`^streambench: --redis-file ${file.replace(/[.]/g, '\\.')}: Cannot connect to Redis at redis://127\\.0\\.0\\.1:1 `));
  });

  it('names a malformed REDIS_URL as REDIS_URL (exit 2, nothing written)', async () => {
    const out = join(folder, 'bad-url.json');
    const result = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--out', out], { env: { REDIS_URL: 'localhost:6379' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'streambench: REDIS_URL must be a redis:// or rediss:// URL (or redis+cluster://host:port,...); got "localhost:6379". Fix or unset REDIS_URL, or pass --redis URL.\n',
    );
  });
});

describe.skipIf(sharedUrl === null)('which Redis (built binary)', () => {
  it('is named on the terminal and in the result context, with its version', async () => {
    const result = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--no-save', '--json'], { env: { REDIS_URL: sharedUrl! } });
    expect(result.code).toBe(0);
    const redis = JSON.parse(result.stdout).context.redis;
    expect(redis).toMatchObject({ broker: 'redis', origin: 'REDIS_URL', url: sharedUrl });
    expect(redis.version).toMatch(/^\d+\.\d+/);
    expect(result.stderr).toContain(`Redis: ${sharedUrl} (from REDIS_URL), Redis ${redis.version}`);
  });
});

describe('--iterations under load (built binary)', () => {
  it('replaces load.streams instead of being ignored', async () => {
    const result = await runCliInProcess(['run', 'test/fixtures/load-closed.yaml', '--no-save', '--json', '--iterations', '6', '--warmup', '0']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.configs.map((config: { load: { streamsStarted: number } }) => config.load.streamsStarted)).toEqual([6, 6]);
  });
});

describe('merge (built binary)', () => {
  it('says "merged 1 shard", not "1 shards"', async () => {
    const shard = join(folder, 'shard-1.json');
    expect((await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--shard', '1/1', '--broker', 'memory', '--out', shard, '--quiet'])).code).toBe(0);
    const merged = join(folder, 'merged.json');
    const result = await runCliInProcess(['merge', shard, '--out', merged]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`\\nmerged 1 shard into ${merged.replace(/\./g, '\\.')}\\n$`));
  });
});

describe('lazy loading (built binary)', () => {
  /** The packages a command loaded: from a resolve hook that prints every module imported, and the CommonJS modules required (commander is), printed at exit. */
  async function loadedPackages(args: string[], entry = 'dist/streambench.cjs'): Promise<Set<string>> {
    const hook = join(folder, 'hook.mjs');
    writeFileSync(
      hook,
      'export async function resolve(specifier, context, next) { const result = await next(specifier, context); process.stderr.write(`LOADED ${result.url}\\n`); return result; }\n',
    );
    const register = join(folder, 'register.mjs');
    writeFileSync(
      register,
      `import { createRequire, register } from 'node:module'; register(${JSON.stringify(`file://${hook}`)});\n` +
        "const required = createRequire(import.meta.url).cache; process.on('exit', () => { for (const file of Object.keys(required)) process.stderr.write(`LOADED ${file}\\n`); });\n",
    );
    const child = spawn(process.execPath, ['--import', register, entry, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data) => (stderr += data));
    await new Promise((resolve) => child.on('close', resolve));
    return new Set([...stderr.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((match) => itemAt(match, 1, 'package name')));
  }

  const HEAVY = ['ioredis', 'undici', 'gpt-tokenizer', 'marked', 'ws', 'hdr-histogram-js'];

  it('--help loads commander only: bundled, from the bin entry; from node_modules, from the ES module entry', async () => {
    expect([...(await loadedPackages(['--help']))]).toEqual([]);
    expect([...(await loadedPackages(['--help'], 'dist/cli.js'))]).toEqual(['commander']);
  });

  it('compare loads none of the heavy modules', async () => {
    const base = join(folder, 'lazy-base.json');
    expect((await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--out', base, '--quiet', '--broker', 'memory'])).code).toBe(0);
    const loaded = await loadedPackages(['compare', base, base]);
    expect(HEAVY.filter((name) => loaded.has(name))).toEqual([]);
    const report = await loadedPackages(['report', base]);
    expect(HEAVY.filter((name) => report.has(name))).toEqual([]);
  });
});

describe('record (built binary)', () => {
  it("warms up, records each request's phases, and takes the mock's printed Anthropic base URL", async () => {
    const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['dist/cli.js', 'mock-server', '--port', '0', '--tokens', '10', '--ttft-ms', '5', '--gap-ms', '1']);
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      const anthropicUrl = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (data) => {
          stdout += data;
          const match = /Anthropic base URL:\s+(\S+)/.exec(stdout);
          if (match) resolve(itemAt(match, 1, 'Anthropic base URL'));
        });
        void exited.then(() => reject(new Error(`mock-server exited: ${stdout}`)));
      });
      expect(anthropicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      for (const url of [anthropicUrl, anthropicUrl.replace(/\/v1$/, '')]) {
        const out = join(folder, 'anthropic.jsonl');
        const result = await runCliInProcess(['record', '--api', 'anthropic', '--url', url, '--requests', '2', '--out', out]);
        expect(result.code, result.stderr).toBe(0);
        const ends = readFileSync(out, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line))
          .filter((line) => line.type === 'end');
        expect(ends).toHaveLength(2);
        for (const end of ends) {
          const phases = end.phasesMs;
          // The warm-up opened the connection: the timed requests reuse it.
          expect(phases.connected).toBeNull();
          expect(phases.requestSent).toBeGreaterThanOrEqual(0);
          expect(phases.responseHead).toBeGreaterThanOrEqual(phases.requestSent);
          expect(phases.firstEvent).toBeGreaterThanOrEqual(phases.responseHead);
        }
      }
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
