import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/result/writeResult.js';
import { runCliInProcess } from './helpers/cli.js';

const temporaryFolder = () => mkdtempSync(join(tmpdir(), 'streambench-out-'));

/** Runs the CLI and expects exit 2 with a message matching `message`, no stack trace. */
async function refused(args: string[], message: RegExp): Promise<void> {
  const result = await runCliInProcess(args);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.code).toBe(2);
}

describe('output paths are checked before the run (exit 2, nothing measured, nothing created)', () => {
  it('--out in a folder that does not exist creates no folders', async () => {
    const folder = temporaryFolder();
    await refused(['run', 'test/fixtures/tiny.yaml', '--out', join(folder, 'no', 'dir', 'x.json')], /the folder .*no\/dir does not exist; create it first/);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('--markdown in a folder that does not exist is refused before compare reads its files, and before run measures', async () => {
    const folder = temporaryFolder();
    const markdown = join(folder, 'no', 'summary.md');
    await refused(['compare', 'base.json', 'head.json', '--markdown', markdown], /--markdown .*summary\.md: the folder .*no does not exist; create it first/);
    await refused(['run', 'test/fixtures/tiny.yaml', '--no-save', '--markdown', markdown], /--markdown .*summary\.md: the folder .*no does not exist; create it first/);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('--out x.txt is neither a .json file nor a folder', async () => {
    const folder = temporaryFolder();
    await refused(['run', 'test/fixtures/tiny.yaml', '--out', join(folder, 'x.txt')], /--out .*x\.txt: neither a \.json file nor an existing folder/);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('--out with --no-save is a contradiction', async () => {
    await refused(['run', 'test/fixtures/tiny.yaml', '--out', 'x.json', '--no-save'], /--out x\.json and --no-save contradict each other/);
  });

  it('a path through a file, a name too long, a device, a virtual file system', async () => {
    const folder = temporaryFolder();
    writeFileSync(join(folder, 'file'), '');
    await refused(['run', 'test/fixtures/tiny.yaml', '--out', join(folder, 'file', 'x.json')], /is a file, not a folder|is not a folder/);
    await refused(['run', 'test/fixtures/tiny.yaml', '--out', join(folder, `${'n'.repeat(250)}.json`)], /the file name is 255 bytes; at most 234/);
    await refused(['run', 'test/fixtures/tiny.yaml', '--out', '/dev/full.json', '--csv', '/dev/full'], /(--out|--csv) .*(not a regular file|cannot write)/);
    await refused(['run', 'test/fixtures/tiny.yaml', '--no-save', '--csv', '/proc/streambench.csv'], /--csv \/proc\/streambench\.csv: cannot write in \/proc/);
    await refused(['report', 'test/fixtures/none.json', '--html', join(folder, 'missing', 'r.html')], /--html .*does not exist/);
    await refused(['merge', 'a.json', '--out', join(folder, 'missing', 'm.json')], /--out .*does not exist/);
  });
});

describe('the temporary file', () => {
  it('never follows a symlink planted at a predictable name, and leaves nothing behind', async () => {
    const folder = temporaryFolder();
    const victim = join(folder, 'victim.txt');
    writeFileSync(victim, 'precious');
    const out = join(folder, 'result.json');
    // The names the old code used (<out>.<pid>.tmp) for the next few pids, and the out path's dotted form.
    for (let pid = process.pid; pid < process.pid + 5; pid++) symlinkSync(victim, `${out}.${pid}.tmp`);
    await writeFileAtomic(out, '{"ok":true}\n');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(readFileSync(out, 'utf8')).toBe('{"ok":true}\n');
    expect(lstatSync(out).isSymbolicLink()).toBe(false);
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp') && !lstatSync(join(folder, name)).isSymbolicLink())).toEqual([]);
  });
});

// A full disk: a tiny tmpfs (needs root and mount; skipped elsewhere).
const tiny = mkdtempSync(join(tmpdir(), 'streambench-tiny-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', tiny], { stdio: 'ignore' });
  mounted = true;
} catch {
  // not root, or no mount in this sandbox
}
afterAll(() => {
  if (mounted) execFileSync('umount', [tiny], { stdio: 'ignore' });
});

describe.skipIf(!mounted)('a full disk', () => {
  it('keeps the document in a fallback file named in the message, exit 3, no stack trace, no truncated file', async () => {
    const out = join(tiny, 'result.json');
    // Leave room for the probe, not for a result (a few hundred kB).
    writeFileSync(join(tiny, 'filler'), Buffer.alloc(48 * 1024));
    const result = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--out', out, '-q']);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const fallback = /the result was kept in (\S+)$/m.exec(result.stderr)?.[1];
    expect(result.stderr).toMatch(/could not write .*result\.json \(ENOSPC\)/);
    expect(result.code).toBe(3);
    expect(fallback).toBeDefined();
    const document = JSON.parse(readFileSync(fallback!, 'utf8'));
    expect(document.configs.map((config: { state: string }) => config.state)).toEqual(['completed', 'completed']);
    expect(document.incomplete).toBeUndefined();
    expect(readdirSync(tiny)).toEqual(['filler']); // no truncated temporary file
  });
});

describe('compare and merge refuse partial results unless --allow-partial', () => {
  it('names what is missing', async () => {
    const folder = temporaryFolder();
    const whole = join(folder, 'whole.json');
    expect((await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--out', whole, '-q'])).code).toBe(0);
    const document = JSON.parse(readFileSync(whole, 'utf8'));
    const interrupted = join(folder, 'interrupted.json');
    writeFileSync(interrupted, JSON.stringify({ ...document, interrupted: true, configs: [{ ...document.configs[0], state: 'interrupted' }, document.configs[1]] }));
    const incomplete = join(folder, 'incomplete.json');
    writeFileSync(incomplete, JSON.stringify({ ...document, incomplete: true, configs: [document.configs[0]] }));
    await refused(['compare', whole, interrupted], /interrupted\.json: not a whole run: the run was interrupted.*config field stopped while running\. Pass --allow-partial/);
    await refused(['compare', incomplete, whole], /incomplete\.json: not a whole run: the run was still going when it was written/);
    await refused(['merge', incomplete, '--out', join(folder, 'merged.json')], /incomplete\.json: not a whole run/);
    await refused(['run', 'test/fixtures/tiny.yaml', '--no-save', '--baseline', incomplete], /--baseline .*incomplete\.json: not a whole run/);
    // A baseline of another scenario is refused before the run, not after it.
    const other = join(folder, 'other.json');
    writeFileSync(other, JSON.stringify({ ...document, scenario: { ...document.scenario, name: 'other' } }));
    const results = temporaryFolder();
    await refused(
      ['run', 'test/fixtures/tiny.yaml', '--out', results, '--baseline', other],
      /--baseline .*other\.json is a run of scenario "other", not of "tiny"; give a baseline of the same scenario/,
    );
    expect(readdirSync(results)).toEqual([]);
    await refused(['compare', '/dev/zero', whole], /\/dev\/zero: not a regular file/);
    // report shows a partial file, saying first that it is one.
    const report = await runCliInProcess(['report', incomplete, '--format', 'table']);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/^not a whole run: the run was still going when it was written/);
    expect((await runCliInProcess(['report', whole, '--format', 'table'])).stdout).not.toMatch(/not a whole run/);
    const allowed = await runCliInProcess(['compare', whole, interrupted, '--allow-partial']);
    expect(allowed.code).not.toBe(2);
    expect(existsSync(join(folder, 'merged.json'))).toBe(false);
  });
});
