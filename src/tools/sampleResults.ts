/**
 * Two small real result files for the commands that read results (`compare`, `report`): the
 * light bundle's build runs those commands on them to warm its code cache, and
 * `npm run bench:startup` times the commands on them.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A quick scenario on the in-process broker: two configs of five 40-token streams. */
const SAMPLE_SCENARIO = `name: sample
seed: 1
iterations: 5
warmup: 0
source: { type: synthetic, profile: zero-delay, tokens: 40 }
variants:
  - { name: field, pipeline: { preset: field-baseline, broker: { type: memory } } }
  - { name: corrected, pipeline: { preset: seed-corrected, broker: { type: memory } } }
`;

/** Runs the sample scenario twice with the ES module entry `cliFile`, into `folder`; returns the two result files. */
export function writeSampleResults(cliFile: string, folder: string): { base: string; head: string } {
  const scenario = join(folder, 'sample.yaml');
  writeFileSync(scenario, SAMPLE_SCENARIO);
  const base = join(folder, 'base.json');
  const head = join(folder, 'head.json');
  for (const out of [base, head]) {
    const child = spawnSync(process.execPath, [cliFile, 'run', scenario, '--out', out, '--quiet'], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`streambench run exited ${child.status}: ${child.stderr}`);
  }
  return { base, head };
}
