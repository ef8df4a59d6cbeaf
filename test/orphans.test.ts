import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPrivateRedisServer } from '../src/pipeline/brokers/redis/privateServer.js';
import { processAlive as alive } from '../src/processAlive.js';
import { firstOf } from './helpers/indexed.js';

const hasRedisServer = await startPrivateRedisServer().then(async (server) => {
  await server?.stop();
  return server !== null;
});

/** Polls `condition` every 50 ms for up to `timeoutMs`; whether it became true. */
async function eventually(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

describe.skipIf(!hasRedisServer)('the private redis-server dies with the tool', () => {
  it.each(['SIGKILL', 'SIGHUP', 'SIGQUIT'] as const)(
    '%s on the process that started it stops the server and removes its folder',
    async (signal) => {
      // A process that starts a private server the way `--redis auto` does, then is killed.
      const child = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "import { startPrivateRedisServer } from './dist/pipeline/brokers/redis/privateServer.js';" +
            'const server = await startPrivateRedisServer();' +
            'console.log(JSON.stringify({ pid: server.pid, directory: server.directory }));' +
            'setInterval(() => {}, 1000);',
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const started = await new Promise<{ pid: number; directory: string }>((resolve) => {
        let text = '';
        child.stdout!.on('data', (data) => {
          text += data;
          if (text.includes('\n')) resolve(JSON.parse(text));
        });
      });
      let serverPid = started.pid;
      try {
        expect(alive(serverPid)).toBe(true);
        expect(existsSync(started.directory)).toBe(true);
        child.kill(signal);
        await new Promise((resolve) => child.on('close', resolve));
        expect(await eventually(() => !alive(serverPid), 15_000)).toBe(true);
        expect(await eventually(() => !existsSync(started.directory), 15_000)).toBe(true);
      } finally {
        if (alive(serverPid)) process.kill(serverPid, 'SIGKILL');
        serverPid = 0;
      }
    },
    20_000,
  );
});

describe.skipIf(!hasRedisServer)('split producer processes die with the tool', () => {
  it('SIGKILL on the tool: its producer child exits', async () => {
    const server = (await startPrivateRedisServer())!;
    const folder = mkdtempSync(join(tmpdir(), 'streambench-split-'));
    const scenario = join(folder, 'split.yaml');
    writeFileSync(
      scenario,
      'name: split\niterations: 3\nwarmup: 0\nsource: { type: synthetic, tokens: 2000, ttftMs: 5, gapMs: 2 }\n' + 'pipeline: { processes: split, broker: { type: redis-list } }\n',
    );
    const tool = spawn(process.execPath, ['dist/cli.js', 'run', scenario, '--no-save', '-q', '--redis', server.url], { stdio: 'ignore' });
    const children = async (): Promise<number[]> => {
      try {
        return execFileSync('pgrep', ['-P', String(tool.pid)], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .filter(Boolean)
          .map(Number);
      } catch {
        return [];
      }
    };
    try {
      let producers: number[] = [];
      const until = Date.now() + 10_000;
      while (producers.length === 0 && Date.now() < until) {
        producers = await children();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(producers.length).toBeGreaterThan(0);
      tool.kill('SIGKILL');
      await new Promise((resolve) => tool.on('close', resolve));
      expect(await eventually(() => producers.every((pid) => !alive(pid)), 15_000)).toBe(true);
    } finally {
      tool.kill('SIGKILL');
      await server.stop();
    }
  }, 30_000);
});

describe.skipIf(!hasRedisServer)('a double Ctrl-C on `run --redis private`', () => {
  it('exits 130 at once and leaves no redis-server and no temporary folder behind', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'streambench-double-int-'));
    // The tool's temporary folder: whatever it leaves there is seen, and nothing else is there.
    const temporary = join(folder, 'tmp');
    mkdirSync(temporary);
    const scenario = join(folder, 'two.yaml');
    writeFileSync(
      scenario,
      'name: two\nseed: 4\niterations: 3\nwarmup: 0\nsource: { type: synthetic, tokens: 300, ttftMs: 5, gapMs: 2 }\n' +
        'variants:\n  - { name: first, pipeline: { broker: { type: redis-list } } }\n  - { name: second, pipeline: { broker: { type: redis-list } } }\n',
    );
    const out = join(folder, 'r.json');
    // `--redis private`: the tool's own redis-server even though the shared one answers on 6379.
    const tool = spawn(process.execPath, ['dist/cli.js', 'run', scenario, '--out', out, '--redis', 'private', '-q'], {
      env: { ...process.env, TMPDIR: temporary },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    tool.stderr!.on('data', (data) => (stderr += data));
    const exit = new Promise<number | null>((resolve) => tool.on('close', resolve));
    let serverPid = 0;
    try {
      // The first config saved: the second runs on the private server.
      expect(await eventually(() => existsSync(out), 20_000)).toBe(true);
      const serverFolders = readdirSync(temporary).filter((name) => name.startsWith('streambench-redis-'));
      expect(serverFolders).toHaveLength(1);
      serverPid = Number(/pid=(\d+)/.exec(readFileSync(join(temporary, firstOf(serverFolders, 'serverFolders'), 'redis.log'), 'utf8'))?.[1]);
      expect(alive(serverPid)).toBe(true);
      tool.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 20));
      tool.kill('SIGINT');
      expect(await exit).toBe(130);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(await eventually(() => !alive(serverPid), 15_000)).toBe(true);
      expect(await eventually(() => readdirSync(temporary).length === 0, 15_000)).toBe(true);
      const document = JSON.parse(readFileSync(out, 'utf8'));
      expect(document.interrupted).toBe(true);
      expect(document.configs.map((config: { state: string }) => config.state)).toEqual(['completed', 'interrupted']);
      expect(document.context.redis.origin).toBe('private');
    } finally {
      tool.kill('SIGKILL');
      if (serverPid > 0 && alive(serverPid)) process.kill(serverPid, 'SIGKILL');
    }
  }, 40_000);
});
