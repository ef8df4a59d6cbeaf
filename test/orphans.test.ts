import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
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
