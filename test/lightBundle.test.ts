/**
 * The bin entry (src/streambench.cts) and the light bundle it runs help, version, compare and
 * report from (src/cli/lightBundle.cts, built by src/tools/writeLightBundle.ts): the build's cache
 * is accepted, a bad or missing cache or bundle changes nothing but the time, and the bin entry
 * sends each command where it belongs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuiltDist } from './helpers/builtDist.js';
import { runCliInProcess } from './helpers/cli.js';
import type * as LightBundle from '../src/cli/lightBundle.cjs';

const root = process.cwd();
let folder: string;
let base: string;
let head: string;

/** A copy of the package (dist/, package.json, node_modules linked) whose bundle and cache a test may break. */
function packageCopy(name: string): string {
  const copy = join(folder, name);
  cpSync(join(root, 'dist'), join(copy, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(copy, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

/** What the bundle's cache was in `distFolder`, as a fresh Node loading it finds it. */
function cacheState(distFolder: string): string {
  const loader = join(distFolder, 'cli', 'lightBundle.cjs');
  return execFileSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(loader)}).loadLightBundle(${JSON.stringify(distFolder)})?.cache ?? 'no bundle')`], {
    encoding: 'utf8',
  });
}

/** Output and exit code of `node <entry> ...args`. */
function run(entry: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', cwd: folder });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** Invocations the bundle runs, and one it does not. */
const invocations = (): string[][] => [
  ['--help'],
  ['--version'],
  [],
  ['compare', '--help'],
  ['compare', base, head],
  ['compare', base, head, '--format', 'markdown', '--gate', 'ttftMs:5%'],
  ['report', base, '--format', 'csv'],
  ['report', join(folder, 'missing.json')],
  ['compare', base, head, '--bogus'],
  ['bogus'],
];

beforeAll(async () => {
  ensureBuiltDist('dist/cli.bundle.codecache');
  folder = mkdtempSync(join(tmpdir(), 'streambench-bundle-test-'));
  base = join(folder, 'base.json');
  head = join(folder, 'head.json');
  for (const out of [base, head]) expect((await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--out', out, '--quiet', '--broker', 'memory'])).code).toBe(0);
}, 60_000);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('light bundle', () => {
  it('routes help, version, compare and report to the bundle, everything else to the ES module entry', () => {
    const { runsFromLightBundle } = createRequire(import.meta.url)('../dist/cli/lightBundle.cjs') as typeof LightBundle;
    for (const argv of [[], ['--help'], ['-h'], ['--version'], ['-V'], ['compare', 'a', 'b'], ['compare', '--help'], ['report', 'a', '--html', 'x']])
      expect(runsFromLightBundle(argv)).toBe(true);
    for (const argv of [['run'], ['run', '--help'], ['help'], ['help', 'compare'], ['--help', 'run'], ['merge', 'a'], ['sweep'], ['bogus'], ['--bogus']])
      expect(runsFromLightBundle(argv)).toBe(false);
  });

  it("is run from the build's cache", () => {
    expect(cacheState(join(root, 'dist'))).toBe('accepted');
  });

  it('the bin entry runs the bundle for those commands only', () => {
    const copy = packageCopy('routed');
    writeFileSync(
      join(copy, 'dist', 'cli.bundle.cjs'),
      "(function (exports, require, module) { module.exports = { processIo: () => null, main: async (argv) => { process.stdout.write('bundle ' + JSON.stringify(argv)); return 5; } }; })\n",
    );
    const bin = join(copy, 'dist', 'streambench.cjs');
    expect(run(bin, ['compare', 'a', 'b'])).toMatchObject({ code: 5, stdout: 'bundle ["compare","a","b"]' });
    expect(run(bin, ['--version'])).toMatchObject({ code: 5, stdout: 'bundle ["--version"]' });
    const help = run(bin, ['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: streambench run');
  });

  it('prints and exits exactly as the ES module entry, with the cache accepted, corrupt, from another bundle or missing, and without a bundle', () => {
    const expected = invocations().map((args) => run(join(root, 'dist', 'cli.js'), args));
    const cases: [string, (dist: string) => void, string][] = [
      ['accepted', () => undefined, 'accepted'],
      [
        'corrupt',
        (dist) => writeFileSync(join(dist, 'cli.bundle.codecache'), Buffer.concat([readFileSync(join(dist, 'cli.bundle.codecache')).subarray(0, 64), Buffer.alloc(4096, 7)])),
        'rejected',
      ],
      ['other', (dist) => writeFileSync(join(dist, 'cli.bundle.codecache'), Buffer.alloc(4096, 0x61)), 'mismatched'],
      ['missing', (dist) => rmSync(join(dist, 'cli.bundle.codecache')), 'missing'],
      ['no-bundle', (dist) => rmSync(join(dist, 'cli.bundle.cjs')), 'no bundle'],
    ];
    for (const [name, breakIt, state] of cases) {
      const dist = join(packageCopy(name), 'dist');
      breakIt(dist);
      expect(cacheState(dist), name).toBe(state);
      invocations().forEach((args, index) => expect(run(join(dist, 'streambench.cjs'), args), `${name}: ${args.join(' ')}`).toEqual(expected[index]));
    }
  }, 120_000);
});
