/**
 * The user's app as a child process: started with a shell command in a process group of its
 * own (so everything it starts can be stopped together), its stdout and stderr appended to a
 * log file, waited for until a readiness URL answers, and stopped — SIGTERM to the group, then
 * SIGKILL after a grace period — at the end, on failure and when the tool exits. No orphan.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { monotonicNowMs } from '../clock.js';
import { hideCommandSecrets } from './describeTarget.js';
import { tryConnect } from './appStream/reachable.js';

/** How to start the app. */
export interface AppProcessOptions {
  command: string;
  cwd?: string;
  env: Record<string, string>;
  logPath: string;
  /** GET this until 2xx; or null to wait for a TCP connection on `port`. */
  readyUrl: string | null;
  port: number;
  readyTimeoutMs: number;
  stopTimeoutMs: number;
  /** The run's interruption: stops the wait for readiness at once (the app is then stopped). */
  signal?: AbortSignal;
}

/** A started app. */
export interface AppProcess {
  readonly pid: number;
  readonly logPath: string;
  /** Set once the app exited: how, in words (e.g. "exited with code 1"). */
  exitDescription(): string | null;
  /** Resolves with the description when the app exits. */
  readonly exited: Promise<string>;
  /** Stops the app and everything in its process group. */
  stop(): Promise<void>;
}

/** The environment variable that carries the user's command to the guard script (no quoting to get wrong). */
const COMMAND_VARIABLE = 'STREAMBENCH_APP_COMMAND';

/**
 * Runs the user's command in the background of a shell that leads the process group, and a
 * guard beside it that waits for EOF on the pipe streambench holds as the shell's stdin: if
 * streambench dies without stopping the app (even by SIGKILL), the guard stops the whole group,
 * so no app outlives the tool. The shell exits with the app's own exit code.
 */
const GUARDED_COMMAND = [
  'exec 3<&0 0</dev/null',
  `{ eval "$${COMMAND_VARIABLE}"; } 3<&- &`,
  'app=$!',
  '{ read _ <&3; kill -TERM 0; sleep 2; kill -KILL 0; } &',
  'exec 3<&-',
  'wait $app',
].join('\n');

/** Every app still running, killed synchronously if the tool exits without stopping them. */
const running = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of running) killGroup(pid, 'SIGKILL');
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function groupExists(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1 (for `app.port: auto`). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The last lines of the app's log, for error messages. */
export function logTail(path: string, lines = 8): string {
  try {
    const text = readFileSync(path, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Starts the app and waits until it is ready; throws with the log's tail when it exits or never becomes ready. */
export async function startApp(options: AppProcessOptions): Promise<AppProcess> {
  installExitHook();
  mkdirSync(dirname(options.logPath), { recursive: true });
  const logFd = openSync(options.logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', GUARDED_COMMAND], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, [COMMAND_VARIABLE]: options.command },
      // stdin is a pipe only this process holds: when it dies, even by SIGKILL, the guard sees EOF.
      stdio: ['pipe', logFd, logFd],
      detached: true, // its own process group: the group is stopped as one
    });
    child.stdin?.on('error', () => {}); // the guard may be gone first
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the app (${hideCommandSecrets(options.command)})`);
  running.add(pid);
  let exitDescription: string | null = null;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      exitDescription = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      resolve(exitDescription);
    });
    child.once('error', (error) => {
      exitDescription = `could not run: ${error.message}`;
      resolve(exitDescription);
    });
  });

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      killGroup(pid, 'SIGTERM');
      const grace = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.stopTimeoutMs).unref());
      if (exitDescription === null && (await Promise.race([exited, grace])) === 'timeout') killGroup(pid, 'SIGKILL');
      // The shell may be gone while its children linger: the group gets SIGKILL either way.
      killGroup(pid, 'SIGKILL');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      // The shell's children leave after it: wait (2 s at most) until the group is empty.
      for (let waited = 0; waited < 2000 && groupExists(pid); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      running.delete(pid);
    })());

  const app: AppProcess = { pid, logPath: options.logPath, exitDescription: () => exitDescription, exited, stop };
  try {
    await waitReady(options, exited);
  } catch (error) {
    await stop();
    throw error;
  }
  return app;
}

async function waitReady(options: AppProcessOptions, exited: Promise<string>): Promise<void> {
  const deadline = monotonicNowMs() + options.readyTimeoutMs;
  let exitedHow: string | null = null;
  void exited.then((how) => (exitedHow = how));
  let lastProblem = 'no answer yet';
  while (monotonicNowMs() < deadline) {
    if (options.signal?.aborted) throw new Error(`interrupted while waiting for the app to be ready (${lastProblem} so far)`);
    if (exitedHow !== null) {
      const tail = logTail(options.logPath);
      throw new Error(`the app ${exitedHow} before it was ready (command: ${hideCommandSecrets(options.command)}; log: ${options.logPath})${tail ? `\n${tail}` : ''}`);
    }
    const problem = options.readyUrl ? await probeUrl(options.readyUrl) : await probePort(options.port);
    if (problem === null) return;
    lastProblem = problem;
    await pause(100, options.signal);
  }
  const what = options.readyUrl ? `GET ${options.readyUrl}` : `a connection to 127.0.0.1:${options.port}`;
  throw new Error(
    `the app was not ready within ${options.readyTimeoutMs} ms (${what}: ${lastProblem}; log: ${options.logPath}); raise app.readyTimeoutMs (--ready-timeout) or check the command`,
  );
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** null when the URL answers 2xx, else why not. */
async function probeUrl(url: string): Promise<string | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.ok ? null : `status ${response.status}`;
  } catch (error) {
    return ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
  }
}

/** null when a TCP connection to the port succeeds, else why not. */
async function probePort(port: number): Promise<string | null> {
  const outcome = await tryConnect('127.0.0.1', port, 1000);
  return outcome === null ? null : outcome === 'timeout' ? 'timed out' : outcome.message;
}
