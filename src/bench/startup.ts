/**
 * `npm run bench:startup`: how long `streambench --help`, `compare` and `report` take to start
 * and finish, against a bare `node -e 0`, as medians of repeated runs. The target is at most
 * 2× the bare start: commands must load heavy modules (tokenizer tables, Redis and HTTP
 * clients, the markdown lexer) only when they need them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monotonicNowMs } from '../clock.js';
import { median } from '../stats/sampleStats.js';

const cli = resolve(fileURLToPath(import.meta.url), '../../cli.js');
const runs = Number(process.env.STARTUP_RUNS ?? 15);

/** Median wall time of `node …args` over `runs` runs, in ms; throws when the command fails. */
function timeCommand(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = monotonicNowMs();
    const child = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    times.push(monotonicNowMs() - started);
    if (child.status !== 0 && child.status !== 1) throw new Error(`node ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  }
  return median(times);
}

/** A quick scenario on the in-process broker, run once to have real result files to compare and report. */
const SCENARIO = `name: startup
seed: 1
iterations: 5
warmup: 0
source: { type: synthetic, profile: zero-delay, tokens: 40 }
variants:
  - { name: field, pipeline: { preset: field-baseline, broker: { type: memory } } }
  - { name: corrected, pipeline: { preset: seed-corrected, broker: { type: memory } } }
`;

/** Runs the scenario once into `out` (setup, not timed). */
function runOnce(scenario: string, out: string): void {
  const child = spawnSync(process.execPath, [cli, 'run', scenario, '--out', out, '--quiet'], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`streambench run exited ${child.status}: ${child.stderr}`);
}

const folder = mkdtempSync(join(tmpdir(), 'streambench-startup-'));
try {
  const base = join(folder, 'base.json');
  const head = join(folder, 'head.json');
  const scenario = join(folder, 'startup.yaml');
  writeFileSync(scenario, SCENARIO);
  runOnce(scenario, base);
  runOnce(scenario, head);
  const bare = timeCommand(['-e', '0']);
  const rows: [string, number][] = [
    ['node -e 0', bare],
    ['streambench --help', timeCommand([cli, '--help'])],
    ['streambench compare base.json head.json', timeCommand([cli, 'compare', base, head])],
    ['streambench report base.json', timeCommand([cli, 'report', base])],
  ];
  console.log(`median of ${runs} runs each (Node ${process.version}); target: at most 2× node -e 0`);
  for (const [name, ms] of rows) console.log(`${name.padEnd(42)} ${ms.toFixed(0).padStart(5)} ms  ${(ms / bare).toFixed(2)}×`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
