/**
 * A private, throw-away redis-server for `--redis auto` when no Redis answers: started from
 * PATH on a free loopback port, with no persistence, and stopped when released (or when this
 * process exits, so a crash leaves no orphan behind).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, ReplyError } from 'ioredis';
import { monotonicNowMs } from '../../../clock.js';

/** A running private server. */
export interface PrivateRedisServer {
  url: string;
  /** The redis-server's process id (tests pause it with SIGSTOP). */
  pid: number;
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
 * Starts `redis-server` from `env.PATH` with `--save "" --appendonly no` on a free port and
 * waits until it answers. Returns null when redis-server is not on PATH; throws with the
 * server's log when it starts but never answers. `extraArgs` are appended (tests use them).
 */
export async function startPrivateRedisServer(
  options: { env?: NodeJS.ProcessEnv; extraArgs?: string[] } = {},
): Promise<PrivateRedisServer | null> {
  const directory = await mkdtemp(join(tmpdir(), 'streambench-redis-'));
  const logFile = join(directory, 'redis.log');
  const port = await freeLoopbackPort();
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', directory,
    '--logfile', logFile,
    '--daemonize', 'no',
    ...(options.extraArgs ?? []),
  ];
  const child = spawn('redis-server', args, { env: options.env ?? process.env, stdio: 'ignore' });
  const spawnError = await spawned(child);
  if (spawnError !== null) {
    await rm(directory, { recursive: true, force: true });
    if (spawnError.code === 'ENOENT') return null;
    throw new Error(`could not start redis-server: ${spawnError.message}`);
  }
  // The server must not outlive this process, even when the run crashes before release().
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.unref();

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    child.kill('SIGTERM');
    if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
      child.kill('SIGKILL');
      await waitForExit(child, STOP_TIMEOUT_MS);
    }
    await rm(directory, { recursive: true, force: true });
  };

  const deadline = monotonicNowMs() + STARTUP_TIMEOUT_MS;
  while (monotonicNowMs() < deadline && child.exitCode === null) {
    if (await answers(port)) return { url: `redis://127.0.0.1:${port}`, pid: child.pid!, stop };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const log = await readFile(logFile, 'utf8').catch(() => '');
  await stop();
  const tail = log.trim().split('\n').slice(-3).join(' | ');
  throw new Error(`a private redis-server on port ${port} did not answer within ${STARTUP_TIMEOUT_MS} ms${tail ? `: ${tail}` : ''}`);
}
