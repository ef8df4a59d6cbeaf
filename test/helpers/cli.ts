import { spawn } from 'node:child_process';

/** What a CLI invocation printed and returned. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `streambench` bin entry (dist/streambench.cjs, built by `npm test`'s pretest), as npm installs it. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${process.cwd()}/dist/streambench.cjs`, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => (stdout += data));
    child.stderr.on('data', (data) => (stderr += data));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs the program in this process (src/cli/program.ts main) with its output captured: no
 * process start, so it suits tests of parsing, usage errors, exit codes, printed tables and
 * files. `env` is added to this process's environment for the commands that read io.env
 * (REDIS_URL and Redis auto, --shard env, record --api-key-env, COLUMNS); paths resolve
 * against process.cwd() (the repo root). Signals, child processes, TTYs and the bin entry
 * itself need runCli.
 */
export async function runCliInProcess(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const { main } = await import('../../src/cli/program.js');
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (text: string) => ((stdout += text), true) },
    stderr: { write: (text: string) => ((stderr += text), true) },
    env: { ...process.env, ...options.env },
  });
  return { code, stdout, stderr };
}
