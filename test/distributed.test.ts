import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { shardFromEnvironment } from '../src/cli/parseOptions.js';
import type { ResultDocument } from '../src/result/resultSchema.js';
import { loadScenarioFile } from '../src/scenario/loadScenario.js';
import { runCliInProcess } from './helpers/cli.js';
import { firstOf, itemAt, leadingOf } from './helpers/indexed.js';

// The manifests as docs/distributed.md shows them: the test reads the page, so they cannot drift apart.
const page = readFileSync('docs/distributed.md', 'utf8');
const manifests = [...page.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((match) =>
  parseAllDocuments(itemAt(match, 1, 'yaml block')).map((document) => document.toJS() as Record<string, any>),
);
const jobs = manifests.filter((manifest) => manifest.kind === 'Job');
const loadJob = jobs.find((job) => job.spec.completionMode === 'Indexed')!;
const mergeJob = jobs.find((job) => job !== loadJob)!;
const workflow = manifests.find((manifest) => manifest.jobs !== undefined)!;

/** A streambench command as argv after `streambench`: Kubernetes args, or a shell line's words. */
const shellWords = (line: string) =>
  line
    .trim()
    .split(/\s+/)
    .map((word) => word.replace(/^"(.*)"$/, '$1'));
const streambenchCommands = (): string[][] => {
  const commands: string[][] = [loadJob.spec.template.spec.containers[0].args];
  for (const line of mergeJob.spec.template.spec.containers[0].args as string[]) commands.push(shellWords(line).slice(1));
  for (const job of Object.values(workflow.jobs) as { steps: { run?: string }[] }[]) {
    for (const step of job.steps) if (step.run?.startsWith('npx streambench ')) commands.push(shellWords(step.run).slice(2));
  }
  return commands;
};

const helpCache = new Map<string, string>();
const helpOf = (subcommand: string) => {
  if (!helpCache.has(subcommand)) helpCache.set(subcommand, execFileSync(process.execPath, ['dist/cli.js', subcommand, '--help'], { encoding: 'utf8' }));
  return helpCache.get(subcommand)!;
};

const folder = mkdtempSync(join(tmpdir(), 'streambench-distributed-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('docs/distributed.md', () => {
  it('holds a Kubernetes Indexed Job, a merge Job and a GitHub Actions workflow', () => {
    expect(loadJob.apiVersion).toBe('batch/v1');
    expect(loadJob.spec.parallelism).toBe(loadJob.spec.completions);
    expect(mergeJob.spec.template.spec.containers[0].command).toEqual(['sh', '-c']);
    expect(Object.keys(workflow.jobs)).toEqual(['load', 'merge']);
    expect(workflow.jobs.merge.needs).toBe('load');
  });

  it('runs only subcommands and options the CLI really has', () => {
    const commands = streambenchCommands();
    expect(commands.map((command) => command[0])).toEqual(['run', 'merge', 'run', 'merge', 'report']);
    for (const [subcommand, ...rest] of commands) {
      const help = helpOf(subcommand!);
      for (const flag of rest.filter((word) => word.startsWith('--'))) expect(help, `${subcommand} ${flag}`).toContain(`${flag} `);
    }
  });

  it('runs the load with --shard env, the shard count beside the job size, and a scenario that loads', async () => {
    const [run, scenarioPath] = leadingOf(loadJob.spec.template.spec.containers[0].args as string[], 2, 'load job args');
    expect(run).toBe('run');
    const kubernetesArgs = loadJob.spec.template.spec.containers[0].args.join(' ');
    expect(kubernetesArgs).toContain('--shard env');
    expect(kubernetesArgs).toContain('$(JOB_COMPLETION_INDEX)');
    const env = Object.fromEntries(loadJob.spec.template.spec.containers[0].env.map((variable: { name: string; value?: string }) => [variable.name, variable.value]));
    expect(env.STREAMBENCH_SHARD_COUNT).toBe(String(loadJob.spec.completions));

    const matrixJob = workflow.jobs.load;
    expect(matrixJob.env).toEqual({ STREAMBENCH_SHARD_INDEX: '${{ strategy.job-index }}', STREAMBENCH_SHARD_COUNT: '${{ strategy.job-total }}' });
    const matrixRun = matrixJob.steps.find((step: { run?: string }) => step.run?.includes(' run ')).run as string;
    expect(matrixRun).toContain(`run ${scenarioPath} --shard env`);

    expect(existsSync(scenarioPath)).toBe(true);
    const scenario = await loadScenarioFile(scenarioPath);
    // A Redis Cluster cannot take shared connections: every config uses per-stream ones.
    for (const config of scenario.configs) expect(config.pipeline.broker).toMatchObject({ connections: 'per-stream' });
  });

  it('gives each pod its share from the environment the engines set, and the merge step combines the shards', async () => {
    // The same flags on a small in-memory scenario, the environment as Kubernetes sets it in pods 0 and 1 of 2.
    const scenarioPath = join(folder, 'tiny.yaml');
    writeFileSync(
      scenarioPath,
      JSON.stringify({
        name: 'tiny',
        seed: 5,
        warmup: 0,
        iterations: 4,
        source: { type: 'synthetic', profile: 'zero-delay', tokens: 20 },
        pipeline: { broker: { type: 'memory' } },
        load: { concurrency: 2 },
      }),
    );
    for (const index of [0, 1]) {
      const out = join(folder, `shard-${index}.json`);
      const result = await runCliInProcess(['run', scenarioPath, '--shard', 'env', '--out', out, '-q'], {
        env: { JOB_COMPLETION_INDEX: String(index), STREAMBENCH_SHARD_COUNT: '2' },
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const document = JSON.parse(readFileSync(out, 'utf8')) as ResultDocument;
      expect(document.shard).toEqual({ index, count: 2 });
      // The shard's streams keep the whole run's numbers: shard 0 runs measured streams 1 and 3, shard 1 streams 2 and 4.
      expect(
        firstOf(document.configs, 'document.configs')
          .iterations.map((sample) => sample.stream)
          .sort(),
      ).toEqual([index + 1, index + 3]);
    }
    // The merge Job's own shell line, pointed at this folder.
    const mergeLine = (mergeJob.spec.template.spec.containers[0].args[0] as string).replaceAll('/results', folder).replace(/^streambench /, `"${process.execPath}" dist/cli.js `);
    execFileSync('sh', ['-c', `${mergeLine} -q`]);
    const merged = JSON.parse(readFileSync(join(folder, 'merged.json'), 'utf8')) as ResultDocument;
    const mergedConfig = firstOf(merged.configs, 'merged.configs');
    expect(mergedConfig.iterations).toHaveLength(4);
    expect(mergedConfig.load).toMatchObject({ streamsStarted: 4, streamsFailed: 0 });
  });

  it('refuses --shard env without its variables, naming them (exit 2, nothing written)', async () => {
    const out = join(folder, 'never.json');
    const result = await runCliInProcess(['run', 'scenarios/default.yaml', '--shard', 'env', '--out', out], {
      env: { JOB_COMPLETION_INDEX: '', STREAMBENCH_SHARD_INDEX: '', STREAMBENCH_SHARD_COUNT: '' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/STREAMBENCH_SHARD_INDEX or JOB_COMPLETION_INDEX/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('shardFromEnvironment', () => {
  it('reads a Kubernetes completion index or a matrix index (0-based) and the count', () => {
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '3', STREAMBENCH_SHARD_COUNT: '4' })).toEqual({ index: 3, count: 4 });
    expect(shardFromEnvironment({ STREAMBENCH_SHARD_INDEX: '0', STREAMBENCH_SHARD_COUNT: '1' })).toEqual({ index: 0, count: 1 });
    expect(shardFromEnvironment({ STREAMBENCH_SHARD_INDEX: '2', JOB_COMPLETION_INDEX: '2', STREAMBENCH_SHARD_COUNT: '3' })).toEqual({ index: 2, count: 3 });
  });

  it('names the variable and the fix when something is missing or wrong', () => {
    expect(() => shardFromEnvironment({ STREAMBENCH_SHARD_COUNT: '4' })).toThrow(/JOB_COMPLETION_INDEX/);
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '1' })).toThrow(/STREAMBENCH_SHARD_COUNT/);
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '4', STREAMBENCH_SHARD_COUNT: '4' })).toThrow(/not below STREAMBENCH_SHARD_COUNT=4 \(the index is 0-based\)/);
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: 'one', STREAMBENCH_SHARD_COUNT: '4' })).toThrow(/JOB_COMPLETION_INDEX must be a whole number/);
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '1', STREAMBENCH_SHARD_COUNT: '0' })).toThrow(/STREAMBENCH_SHARD_COUNT must be a whole number ≥ 1/);
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '1', STREAMBENCH_SHARD_INDEX: '2', STREAMBENCH_SHARD_COUNT: '4' })).toThrow(/disagree/);
  });
});
