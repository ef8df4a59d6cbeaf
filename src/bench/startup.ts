/**
 * `npm run bench:startup`: how long `streambench --help`, `compare` and `report` take to start
 * and finish, against a bare `node -e 0`, as medians of repeated runs. The target is at most
 * 2× the bare start: commands must load heavy modules (tokenizer tables, Redis and HTTP
 * clients, the markdown lexer) only when they need them. The commands run the bin entry
 * (dist/streambench.cjs, as npm installs it). STARTUP_BEFORE_CLI=<another build's bin entry,
 * e.g. dist/cli.js before there was one> times that build's commands in the same rounds. Every command runs without
 * NODE_EXTRA_CA_CERTS: Node loads that file at every start (30 ms on a machine with a full CA
 * bundle), which would add the same cost to both sides and flatter the ratio.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monotonicNowMs } from '../clock.js';
import { median } from '../stats/sampleStats.js';
import { writeSampleResults } from '../tools/sampleResults.js';

const cli = resolve(fileURLToPath(import.meta.url), '../../streambench.cjs');
const runs = Number(process.env.STARTUP_RUNS ?? 15);
// Another build's bin entry (e.g. a copy of dist/ from before a change) to time in the same rounds:
// on a shared machine only a side-by-side ratio says whether a change helped.
const beforeCli = process.env.STARTUP_BEFORE_CLI;

const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS;
/** The environment of every timed command: this one without NODE_EXTRA_CA_CERTS (a per-process cost that is not the tool's). */
const timedEnv: NodeJS.ProcessEnv = { ...process.env };
delete timedEnv.NODE_EXTRA_CA_CERTS;

/** Wall time of one `node …args`, in ms; throws when the command fails. */
function timeOnce(args: string[], env = timedEnv): number {
  const started = monotonicNowMs();
  // Output into a pipe, as in a CI log or `| less` (in a terminal Node also builds its TTY stream, about 2 ms more).
  const child = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env });
  const elapsed = monotonicNowMs() - started;
  if (child.status !== 0 && child.status !== 1) throw new Error(`node ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  return elapsed;
}

/**
 * Median wall time of each command over `runs` rounds, in ms. Each round runs every command
 * once, in turn, so a shared machine's load falls on all of them alike and the ratios to
 * `node -e 0` hold even when the absolute times do not.
 */
function timeSideBySide(commands: string[][]): number[] {
  const times = commands.map((): number[] => []);
  for (let round = 0; round < runs; round++) commands.forEach((args, index) => times[index]?.push(timeOnce(args)));
  return times.map((samples) => median(samples));
}

const folder = mkdtempSync(join(tmpdir(), 'streambench-startup-'));
try {
  const { base, head } = writeSampleResults(cli, folder);
  const commands: [string, string[]][] = [
    ['node -e 0', ['-e', '0']],
    ['streambench --help', [cli, '--help']],
    ['streambench compare base.json head.json', [cli, 'compare', base, head]],
    ['streambench report base.json', [cli, 'report', base]],
    ...(beforeCli
      ? ([
          ['before: streambench --help', [beforeCli, '--help']],
          ['before: streambench compare base.json head.json', [beforeCli, 'compare', base, head]],
          ['before: streambench report base.json', [beforeCli, 'report', base]],
        ] satisfies [string, string[]][])
      : []),
  ];
  const medians = timeSideBySide(commands.map(([, args]) => args));
  const bare = medians[0] ?? Number.NaN;
  const rows = commands.map(([name], index): [string, number] => [name, medians[index] ?? Number.NaN]);
  console.log(`median of ${runs} rounds, the commands in turn in each (Node ${process.version}); target: at most 2× node -e 0`);
  if (extraCaCerts !== undefined) {
    const withCerts = median(Array.from({ length: runs }, () => timeOnce(['-e', '0'], process.env)));
    console.log(
      `NODE_EXTRA_CA_CERTS is set here: every command is timed without it (node -e 0 takes ${withCerts.toFixed(0)} ms with it, ${bare.toFixed(0)} ms without; the difference is not the tool's)`,
    );
  }
  for (const [name, ms] of rows) console.log(`${name.padEnd(50)} ${ms.toFixed(0).padStart(5)} ms  ${(ms / bare).toFixed(2)}×`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
