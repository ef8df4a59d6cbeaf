/**
 * The GitHub Actions workflow in .github/workflows/streambench.yml is the one docs/ci.md shows,
 * and its streambench commands run as written against this checkout (with fewer streams, so the
 * test stays quick), so neither the file nor the docs can rot.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { redisUrlForTests } from './helpers/redisUrl.js';
import { firstOf } from './helpers/indexed.js';

const WORKFLOW = '.github/workflows/streambench.yml';
const workflowText = readFileSync(WORKFLOW, 'utf8');

interface Step {
  name?: string;
  run?: string;
  'working-directory'?: string;
}

/** The workflow's shell lines, one command each (backslash continuations joined), npm ci left out. */
function commandsOf(step: Step): string[] {
  return (step.run ?? '')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('npm ci'));
}

const sharedUrl = await redisUrlForTests();

describe('the CI workflow', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'streambench-ci-'));
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it('is the workflow docs/ci.md shows', () => {
    const docs = readFileSync('docs/ci.md', 'utf8');
    const block = /```yaml\n(name: streambench[\s\S]*?)```/.exec(docs)?.[1];
    const withoutComments = workflowText.replace(/^#.*\n/gm, '');
    expect(block).toBe(withoutComments);
  });

  it.skipIf(sharedUrl === null)(
    'runs its streambench commands as written: baseline, the pull request against it, the HTML report',
    () => {
      const workflow = parse(workflowText) as { env?: Record<string, string>; jobs: Record<string, { env?: Record<string, string>; steps: Step[] }> };
      const job = firstOf(Object.values(workflow.jobs), 'workflow.jobs');
      // The job's checkouts (base/ and head/) are this worktree; ../ from them is the workspace.
      symlinkSync(process.cwd(), join(workspace, 'base'));
      symlinkSync(process.cwd(), join(workspace, 'head'));
      const summary = join(workspace, 'step-summary.md');
      const ran: string[] = [];
      for (const step of job.steps) {
        for (const command of commandsOf(step)) {
          // Fewer streams than CI runs, to keep the test quick; everything else as written.
          const quick = command.replace(/--iterations \d+/g, '--iterations 1 --warmup 0');
          const inCheckout = step['working-directory'] !== undefined;
          const shellCommand = inCheckout ? quick.replace(/\.\.\//g, `${workspace}/`) : quick;
          const result = spawnSync('bash', ['-c', shellCommand], {
            cwd: inCheckout ? process.cwd() : workspace,
            env: { ...process.env, ...job.env, REDIS_URL: sharedUrl!, GITHUB_STEP_SUMMARY: summary },
            encoding: 'utf8',
            timeout: 120_000,
          });
          // A gate may find a regression between two one-stream runs (exit 1): the command still
          // works. Rot is a usage error (2) or a failed run (3).
          const allowed = /--baseline|compare/.test(command) ? [0, 1] : [0];
          expect(allowed, `${step.name}: ${command} exited ${result.status}\n${result.stderr}`).toContain(result.status);
          ran.push(step.name ?? command);
        }
      }
      expect(ran).toEqual(['Baseline (base branch)', 'Pull request, compared with the baseline', 'HTML report']);
      for (const file of ['baseline.json', 'head.json', 'report.html']) expect(existsSync(join(workspace, file)), file).toBe(true);
      expect(readFileSync(summary, 'utf8')).toMatch(/^### streambench compare: /m);
    },
    180_000,
  );
});
