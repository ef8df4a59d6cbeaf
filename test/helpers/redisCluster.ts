/**
 * A throw-away three-master Redis Cluster for the cluster tests: three `redis-server`s on free
 * loopback ports (cluster bus ports too), no persistence, joined with
 * `redis-cli --cluster create`. Skipped (null) when redis-server or redis-cli is missing,
 * unless CI=true, where a missing binary fails the suite.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { monotonicNowMs } from '../../src/clock.js';

/** A running cluster. */
export interface LocalCluster {
  /** The `--redis` URL naming all three nodes. */
  url: string;
  ports: number[];
  /** Kills the servers and removes their directory. Safe to call twice. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

/** Distinct TCP ports nothing listens on right now (all held open together, so never the same one twice). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      return server;
    }),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

function onPath(binary: string): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).error === undefined;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until every node says cluster_state:ok (a hang guard, not a timing assertion). */
async function waitUntilOk(ports: number[], deadline: number): Promise<void> {
  for (const port of ports) {
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    redis.on('error', () => {});
    try {
      await redis.connect();
      for (;;) {
        const info = String(await redis.cluster('INFO'));
        if (/^cluster_state:ok/m.test(info)) break;
        if (monotonicNowMs() > deadline) throw new Error(`node ${port} never reached cluster_state:ok:\n${info}`);
        await sleep(50);
      }
    } finally {
      redis.disconnect();
    }
  }
}

/** Starts the cluster; null when the binaries are missing outside CI. */
export async function startLocalCluster(): Promise<LocalCluster | null> {
  const missing = ['redis-server', 'redis-cli'].filter((binary) => !onPath(binary));
  if (missing.length > 0) {
    if (process.env.CI === 'true') throw new Error(`CI needs ${missing.join(' and ')} on PATH for the Redis Cluster tests`);
    console.warn(`Skipping Redis Cluster tests: ${missing.join(' and ')} not on PATH`);
    return null;
  }
  const directory = await mkdtemp(join(tmpdir(), 'streambench-cluster-'));
  const allPorts = await freePorts(6);
  const ports = allPorts.slice(0, 3);
  const children = ports.map((port, index) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        // The bus port defaults to port + 10000, which may be taken: give it a free one too.
        '--cluster-port',
        String(allPorts[3 + index]),
        '--cluster-config-file',
        join(directory, `nodes-${port}.conf`),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        directory,
        '--logfile',
        join(directory, `redis-${port}.log`),
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore' },
    ),
  );
  // Never outlive the test process, even when it dies before afterAll.
  const killAll = () => children.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', killAll);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killAll);
    killAll();
    await Promise.all(children.map(exited));
    await rm(directory, { recursive: true, force: true });
  };

  try {
    const deadline = monotonicNowMs() + READY_TIMEOUT_MS;
    for (const port of ports) {
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
      probe.on('error', () => {});
      for (;;) {
        try {
          await probe.connect();
          await probe.ping();
          break;
        } catch {
          if (monotonicNowMs() > deadline) throw new Error(`redis-server on port ${port} did not start`);
          probe.disconnect();
          await sleep(25);
        }
      }
      probe.disconnect();
    }
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
      timeout: READY_TIMEOUT_MS,
    });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
    await waitUntilOk(ports, deadline);
    return { url: `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`, ports, stop };
  } catch (error) {
    const logs = await Promise.all(ports.map((port) => readFile(join(directory, `redis-${port}.log`), 'utf8').catch(() => '')));
    await stop();
    throw new Error(`${(error as Error).message}\n${logs.join('\n').split('\n').slice(-20).join('\n')}`);
  }
}
