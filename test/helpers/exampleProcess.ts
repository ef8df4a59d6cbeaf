/** Runs an example relay (examples/*.mjs) as a child process for a test, and always stops it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { itemAt } from './indexed.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 3_000;

/** A running example. */
export interface RunningExample {
  url: string;
  child: ChildProcess;
  /** What it printed on stderr so far (for failure messages). */
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 3 s; resolves with the exit code (null when killed). */
  stop(): Promise<number | null>;
}

/** Starts `examples/<file>` with `env` (PORT=0) and waits for its `listening on` line. */
export async function startExample(file: string, env: Record<string, string>, args: string[] = []): Promise<RunningExample> {
  const child = spawn(process.execPath, [`${EXAMPLES}${file}`, ...args], {
    env: { PATH: process.env.PATH, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const example: RunningExample = {
    url: '',
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      return child.exitCode;
    },
  };
  try {
    example.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${file} printed no "listening on" line within ${READY_TIMEOUT_MS} ms; stderr: ${stderr}`)), READY_TIMEOUT_MS);
      child.stdout!.on('data', (chunk) => {
        stdout += chunk;
        const match = stdout.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        if (match) {
          clearTimeout(timer);
          resolve(itemAt(match, 1, 'listening URL'));
        }
      });
      void exited.then((code) => reject(new Error(`${file} exited with ${code} before it was ready; stderr: ${stderr}`)));
    });
  } catch (error) {
    await example.stop();
    throw error;
  }
  return example;
}
