/**
 * A private, throw-away redis-server for `--redis auto` when no Redis answers: started from
 * PATH on a free loopback port, with no persistence, and stopped when released, or when this
 * process is gone however it ended (a watchdog shell holds the other end of a pipe), so a
 * crash, SIGKILL or the OOM killer leaves no orphan and no folder behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, ReplyError } from 'ioredis';
import { monotonicNowMs } from '../../../clock.js';
import { processAlive } from '../../../processAlive.js';

/** A running private server. */
export interface PrivateRedisServer {
  url: string;
  /** The redis-server's process id (tests pause it with SIGSTOP). */
  pid: number;
  /** Its temporary folder (removed when it stops). */
  directory: string;
  /** Stops the server and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 2000;

/** A TCP port nothing listens on right now. */
async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

/** Resolves once the child is running, or with the spawn error (ENOENT: not on PATH). */
function spawned(child: ChildProcess): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (error) => resolve(error));
  });
}

/** Whether the server at `port` answers at all (PONG, or an error reply such as NOAUTH). */
async function answers(port: number): Promise<boolean> {
  const redis = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableReadyCheck: false,
    protocol: 2,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch (error) {
    // A reply, even a refusal, means the server is up; a socket error means not yet.
    return error instanceof ReplyError;
  } finally {
    redis.disconnect();
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * The watchdog the server runs under: a shell that starts redis-server, prints its pid, then
 * reads its stdin — a pipe from this process — until it closes. It closes when stop() asks, or
 * when this process is gone, whatever killed it (SIGKILL and the OOM killer run no exit hook):
 * then it stops the server (SIGTERM, SIGKILL after 2 s) and removes its folder. It ignores the
 * terminal's SIGHUP/SIGINT so that it, not a signal to the whole group, does the cleanup.
 */
const WATCHDOG = [
  'dir="$1"; shift',
  'command -v redis-server >/dev/null 2>&1 || exit 127',
  'redis-server "$@" </dev/null >/dev/null 2>&1 &',
  'pid=$!',
  "trap '' HUP INT QUIT",
  'echo "$pid"',
  'while read -r _; do :; done',
  'kill -TERM "$pid" 2>/dev/null',
  'i=0; while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 20 ]; do sleep 0.1; i=$((i+1)); done',
  'kill -KILL "$pid" 2>/dev/null',
  'rm -rf "$dir"',
].join('\n');

/** The first line the watchdog prints (the server's pid), or null when it exits first (127: no redis-server on PATH). */
function watchdogPid(child: ChildProcess): Promise<{ pid: number } | { exitCode: number | null }> {
  return new Promise((resolve) => {
    let text = '';
    child.stdout!.on('data', (data: Buffer) => {
      text += data.toString();
      const line = text.split('\n')[0];
      if (text.includes('\n') && /^\d+$/.test(line!)) resolve({ pid: Number(line) });
    });
    child.once('exit', (code) => resolve({ exitCode: code }));
  });
}

/**
 * Starts `redis-server` from `env.PATH` with `--save "" --appendonly no` on a free port and
 * waits until it answers. Returns null when redis-server is not on PATH; throws with the
 * server's log when it starts but never answers. `extraArgs` are appended (tests use them).
 * The server dies with this process, however it ends (see WATCHDOG).
 */
export async function startPrivateRedisServer(options: { env?: NodeJS.ProcessEnv; extraArgs?: string[] } = {}): Promise<PrivateRedisServer | null> {
  const directory = await mkdtemp(join(tmpdir(), 'streambench-redis-'));
  const logFile = join(directory, 'redis.log');
  const port = await freeLoopbackPort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    directory,
    '--logfile',
    logFile,
    '--daemonize',
    'no',
    ...(options.extraArgs ?? []),
  ];
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'streambench-redis-watchdog', directory, ...args], {
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const spawnError = await spawned(child);
  if (spawnError !== null) {
    await rm(directory, { recursive: true, force: true });
    throw new Error(`could not start redis-server: ${spawnError.message}`);
  }
  const started = await watchdogPid(child);
  if (!('pid' in started)) {
    await rm(directory, { recursive: true, force: true });
    if (started.exitCode === 127) return null;
    throw new Error(`could not start redis-server (its watchdog exited with code ${started.exitCode})`);
  }
  const serverPid = started.pid;
  // An exit this process sees (process.exit, a second Ctrl-C) stops the server at once; the
  // watchdog covers the ends it does not see.
  const killOnExit = () => {
    try {
      process.kill(serverPid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(directory, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stdin as unknown as { unref?: () => void }).unref?.();

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    child.stdin!.end();
    if (!(await waitForExit(child, STOP_TIMEOUT_MS * 2))) {
      child.kill('SIGKILL');
      killOnExit();
      await waitForExit(child, STOP_TIMEOUT_MS);
    }
    await rm(directory, { recursive: true, force: true });
  };

  const deadline = monotonicNowMs() + STARTUP_TIMEOUT_MS;
  while (monotonicNowMs() < deadline && child.exitCode === null && processAlive(serverPid)) {
    if (await answers(port)) return { url: `redis://127.0.0.1:${port}`, pid: serverPid, directory, stop };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const log = await readFile(logFile, 'utf8').catch(() => '');
  await stop();
  const tail = log.trim().split('\n').slice(-3).join(' | ');
  throw new Error(`a private redis-server on port ${port} did not answer within ${STARTUP_TIMEOUT_MS} ms${tail ? `: ${tail}` : ''}`);
}
