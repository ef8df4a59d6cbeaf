import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { runCli, runCliInProcess } from './helpers/cli.js';
import { firstOf } from './helpers/indexed.js';

const validateResult = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync('schemas/result.schema.json', 'utf8')));
const temporaryFolder = () => mkdtempSync(join(tmpdir(), 'streambench-cli-'));

describe('streambench CLI (built binary)', () => {
  it('prints help for the program and each command', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/run \[options\] \[scenario\.\.\.\]/);
    expect(help.stdout).toMatch(/compare \[options\] <base> <head>/);
    const runHelp = await runCliInProcess(['run', '--help']);
    expect(runHelp.code).toBe(0);
    expect(runHelp.stdout).toMatch(/--streams <n>/);
    // --iterations, the old name, still works but is not shown.
    expect(runHelp.stdout).not.toMatch(/--iterations/);
  });

  it('exits 2 for a bad flag value, naming the flag', async () => {
    const result = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--streams', 'many']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--streams <n>.*expected a whole number ≥ 1, got "many"/);
    const old = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--iterations', 'many']);
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/--iterations <n>.*expected a whole number ≥ 1, got "many"/);
  });

  it('says a --redis URL is not used when no config uses a Redis broker (it is not checked then)', async () => {
    const folder = temporaryFolder();
    const path = join(folder, 'memory.yaml');
    writeFileSync(path, 'name: memory-only\nwarmup: 0\niterations: 1\nsource: { type: synthetic, profile: zero-delay, tokens: 5 }\n');
    const result = await runCliInProcess(['run', path, '--redis', 'redis://127.0.0.1:1', '--no-save', '-q']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('streambench: --redis is not used: no config of memory-only uses a Redis broker\n');
  });

  it('exits 2 for an unknown command or option', async () => {
    expect((await runCliInProcess(['frobnicate'])).code).toBe(2);
    expect((await runCliInProcess(['run', '--iteration', '3'])).code).toBe(2);
  });

  it('words errors alike whether it registered one command (no help asked) or all', async () => {
    // compare alone registers only compare; the help flag registers every command.
    const typo = await runCliInProcess(['compare', 'a.json', 'b.json', '--gat', 'ttftMs']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe("error: unknown option '--gat'\n(Did you mean --gate?)\n(run with --help for usage)\n");
    const unknown = await runCliInProcess(['compar']);
    expect(unknown.stderr).toBe("error: unknown command 'compar'\n(Did you mean compare?)\n(run with --help for usage)\n");
    const help = await runCliInProcess(['compare', '--help']);
    expect(help.stdout).toMatch(/^Usage: streambench compare \[options\] <base> <head>/);
  });

  it('exits 2 for an invalid scenario and writes nothing', async () => {
    const folder = temporaryFolder();
    const scenario = join(folder, 'bad.yaml');
    writeFileSync(scenario, 'name: bad\nsource: { type: synthetic, tokens: -1 }\n');
    const result = await runCliInProcess(['run', scenario, '--out', folder]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml: source\.tokens: /);
    expect(readdirSync(folder)).toEqual(['bad.yaml']);
  });

  it('--json prints one result document that validates against the published schema', async () => {
    const result = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--json', '--no-save']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(validateResult(document), JSON.stringify(validateResult.errors)).toBe(true);
    expect(document.configs.map((config: { name: string; state: string }) => [config.name, config.state])).toEqual([
      ['field', 'completed'],
      ['corrected', 'completed'],
    ]);
    expect(result.stderr).toMatch(/│ field /); // the tables moved to stderr
  });

  it('saves a result file atomically in the --out folder and prints where', async () => {
    const folder = temporaryFolder();
    const result = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--out', folder, '--seed', '9']);
    expect(result.code).toBe(0);
    const files = readdirSync(folder);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^tiny-\d{8}T\d{6}Z\.json$/);
    const file = firstOf(files, 'files');
    expect(result.stdout).toContain(`results written to ${join(folder, file)}`);
    const document = JSON.parse(readFileSync(join(folder, file), 'utf8'));
    expect(validateResult(document)).toBe(true);
    expect(document.scenario.settings.seed).toBe(9);
  });

  it('exits 3 when a config errors, and still writes the whole file', async () => {
    const folder = temporaryFolder();
    const out = join(folder, 'stale.json');
    const result = await runCliInProcess(['run', 'test/fixtures/stale-cache.yaml', '--out', out, '--quiet']);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    const document = JSON.parse(readFileSync(out, 'utf8'));
    expect(validateResult(document)).toBe(true);
    expect(document.configs.map((config: { state: string }) => config.state)).toEqual(['completed', 'errored']);
  });

  it('compare: exit 0 when no rule is breached, 1 when one is, 2 for bad input', async () => {
    const folder = temporaryFolder();
    const base = join(folder, 'base.json');
    const head = join(folder, 'head.json');
    expect((await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--out', base, '--quiet'])).code).toBe(0);
    const document = JSON.parse(readFileSync(base, 'utf8'));
    document.configs[1].metrics.counters.jsonOpsPerToken += 1;
    writeFileSync(head, JSON.stringify(document));

    const same = await runCliInProcess(['compare', base, base, '--fail-on', 'counters.jsonOpsPerToken>0']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('corrected');

    const regressed = await runCliInProcess(['compare', base, head, '--fail-on', 'counters.jsonOpsPerToken>0,ttftMs.p50>+1000%']);
    expect(regressed.code).toBe(1);
    expect(regressed.stdout).toMatch(/corrected: counters\.jsonOpsPerToken>0 breached/);
    expect(regressed.stdout).not.toMatch(/field: counters/);

    const badRule = await runCliInProcess(['compare', base, head, '--fail-on', 'ttftMs.p50 bigger 10%']);
    expect(badRule.code).toBe(2);
    expect(badRule.stderr).toMatch(/--fail-on: /);

    const unknownMetric = await runCliInProcess(['compare', base, head, '--fail-on', 'counters.nope>0']);
    expect(unknownMetric.code).toBe(2);

    const missing = await runCliInProcess(['compare', base, join(folder, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: cannot read the result file \(no such file\)/);
  });
});
