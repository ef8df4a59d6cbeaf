import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from './helpers/cli.js';

const folder = mkdtempSync(join(tmpdir(), 'streambench-limits-'));

/** Writes `text` as a scenario file and returns its path. */
function scenarioFile(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

const trace = (offsetMs: number) =>
  `${JSON.stringify({ type: 'header', version: 1, recordedAt: '2026-01-01T00:00:00Z', model: 'm', api: 'openai-chat', baseUrl: 'http://x/v1', request: {}, synthetic: true })}\n` +
  `${JSON.stringify({ type: 'chunk', stream: 0, offsetMs, text: 'hi' })}\n${JSON.stringify({ type: 'end', stream: 0 })}\n`;

/** Runs the CLI and expects exit 2 with a message matching `message` and no stack trace. */
async function refused(args: string[], message: RegExp): Promise<void> {
  const result = await runCliInProcess(args);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.code).toBe(2);
}

describe('upper bounds are validated before anything runs (exit 2, saying what is allowed and why)', () => {
  it('tokens: 1e12', async () => {
    const path = scenarioFile('tokens.yaml', 'name: t\nsource: { type: synthetic, tokens: 1000000000000 }\n');
    await refused(['run', path, '--no-save'], /source\.tokens: at most 1,000,000 tokens per stream \(each token in flight costs about 1\.3 kB/);
  });

  it('iterations: 1e9 and --iterations 1e9', async () => {
    const path = scenarioFile('iterations.yaml', 'name: t\niterations: 1000000000\nsource: { type: synthetic, tokens: 10 }\n');
    await refused(['run', path, '--no-save'], /iterations: at most 1,000,000 iterations/);
    await refused(['run', 'test/fixtures/tiny.yaml', '--no-save', '--iterations', '1000000000'], /--iterations.*at most 1,000,000/);
  });

  it('load.concurrency: 1e9', async () => {
    const path = scenarioFile('concurrency.yaml', 'name: t\nload: { concurrency: 1000000000 }\nsource: { type: synthetic, tokens: 10 }\n');
    await refused(['run', path, '--no-save'], /load\.concurrency: at most 100,000 concurrent streams/);
  });

  it('a run whose memory estimate exceeds the machine needs --force', async () => {
    const path = scenarioFile('huge.yaml', 'name: t\nload: { concurrency: 10000, streams: 10000 }\nsource: { type: synthetic, tokens: 1000000 }\n');
    await refused(['run', path, '--no-save'], /would need about [\d,]+ MB of memory .*--force/);
  });

  it('a scenario file over 1 MiB, and one with 40,000 keys, fail fast', async () => {
    const big = scenarioFile('big.yaml', `name: t\nsource: { type: synthetic }\ndescription: "${'x'.repeat(1_100_000)}"\n`);
    await refused(['run', big, '--no-save'], /big\.yaml: [\d,]+ bytes; a scenario may have at most 1,048,576 bytes/);
    const keys = Array.from({ length: 40_000 }, (_, index) => `  k${index}: 1`).join('\n');
    const many = scenarioFile('keys.yaml', `name: t\nsource: { type: synthetic }\nextra:\n${keys}\n`);
    await refused(['run', many, '--no-save'], /keys\.yaml: a scenario may have at most 10,000 keys and list items/);
  });

  it('a scenario path naming a device is refused', async () => {
    await refused(['run', '/dev/zero', '--no-save'], /\/dev\/zero: not a regular file/);
  });

  it('replay: offsetMs 1e12, a speed that stretches past a day, and a trace that is a device', async () => {
    writeFileSync(join(folder, 'far.jsonl'), trace(1e12));
    await refused(['run', scenarioFile('far.yaml', `name: t\nsource: { type: replay, trace: ${join(folder, 'far.jsonl')} }\n`), '--no-save'], /offsetMs: at most 86,400,000 ms/);
    writeFileSync(join(folder, 'hour.jsonl'), trace(3_600_000));
    await refused(
      ['run', scenarioFile('slow.yaml', `name: t\nsource: { type: replay, trace: ${join(folder, 'hour.jsonl')}, speed: 0.001 }\n`), '--no-save'],
      /source\.speed: 0\.001 stretches/,
    );
    await refused(['run', scenarioFile('zero.yaml', 'name: t\nsource: { type: replay, trace: /dev/zero }\n'), '--no-save'], /\/dev\/zero: not a regular file/);
  });
});

describe('invalid input is exit 2, naming the flag', () => {
  it('mock-server --port 99999', async () => {
    await refused(['mock-server', '--port', '99999'], /--port.*at most 65,535/);
  });

  it('record --api-key-env naming an unset variable', async () => {
    await refused(
      ['record', '--url', 'http://127.0.0.1:9/v1', '--api-key-env', 'SB_SURELY_UNSET_KEY', '--out', join(folder, 'x.jsonl')],
      /--api-key-env SB_SURELY_UNSET_KEY: the environment variable is not set/,
    );
  });

  it('control characters quoted from an input file are escaped', async () => {
    const path = scenarioFile('control.yaml', 'name: x\nsource: [\u001b[31mred\u001b]0;title\u0007\n  bad: {\n');
    const result = await runCliInProcess(['run', path, '--no-save']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('\\u001b[31mred\\u001b]0;title\\u0007');
    expect(result.stderr).not.toMatch(/[\u001b\u0007]/);
  });
});

describe('--redis-file', () => {
  it('reads the URL from a file (so the password is not on the command line) and never shows the password', async () => {
    const path = join(folder, 'redis.url');
    writeFileSync(path, '\nredis://:hunter2secret@127.0.0.1:1\n');
    const result = await runCliInProcess(['run', 'test/fixtures/redis-presets.yaml', '--no-save', '--redis-file', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
    expect(result.stderr).not.toContain('hunter2secret');
    await refused(['run', 'test/fixtures/redis-presets.yaml', '--no-save', '--redis-file', join(folder, 'missing.url')], /--redis-file .*missing\.url: cannot read it \(ENOENT\)/);
  });
});
