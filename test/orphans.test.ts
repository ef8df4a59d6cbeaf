import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPrivateRedisServer } from '../src/pipeline/brokers/redis/privateServer.js';

const hasRedisServer = (await startPrivateRedisServer().then(async (server) => {
  await server?.stop();
  return server !== null;
}));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

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
  it.each(['SIGKILL', 'SIGHUP', 'SIGQUIT'] as const)('%s on the process that started it stops the server and removes its folder', async (signal) => {
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
      expect(await eventually(() => !alive(serverPid), 5000)).toBe(true);
      expect(await eventually(() => !existsSync(started.directory), 5000)).toBe(true);
    } finally {
      if (alive(serverPid)) process.kill(serverPid, 'SIGKILL');
      serverPid = 0;
    }
  }, 20_000);
});

describe.skipIf(!hasRedisServer)('split producer processes die with the tool', () => {
  it('SIGKILL on the tool: its producer child exits', async () => {
    const server = (await startPrivateRedisServer())!;
    const folder = mkdtempSync(join(tmpdir(), 'streambench-split-'));
    const scenario = join(folder, 'split.yaml');
    writeFileSync(
      scenario,
      'name: split\niterations: 3\nwarmup: 0\nsource: { type: synthetic, tokens: 2000, ttftMs: 5, gapMs: 2 }\n' +
        'pipeline: { processes: split, broker: { type: redis-list } }\n',
    );
    const tool = spawn(process.execPath, ['dist/cli.js', 'run', scenario, '--no-save', '-q', '--redis', server.url], { stdio: 'ignore' });
    const children = async (): Promise<number[]> => {
      try {
        return execFileSync('pgrep', ['-P', String(tool.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
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
      expect(await eventually(() => producers.every((pid) => !alive(pid)), 5000)).toBe(true);
    } finally {
      tool.kill('SIGKILL');
      await server.stop();
    }
  }, 30_000);
});
