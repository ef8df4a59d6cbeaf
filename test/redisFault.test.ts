import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { startPrivateRedisServer } from '../src/pipeline/brokers/redis/privateServer.js';

const server = await startPrivateRedisServer();
if (!server && process.env.CI === 'true') throw new Error('CI needs redis-server on PATH for the Redis fault test');

describe.skipIf(server === null)('Redis killed mid-run', () => {
  it('marks the affected config errored, exits 3, and keeps a valid file with what was measured before', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'streambench-fault-'));
    const out = join(folder, 'result.json');
    const child = spawn(process.execPath, ['dist/cli.js', 'run', 'test/fixtures/slow-redis.yaml', '--out', out, '--redis', server!.url, '-q'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (data) => (stderr += data));
    // Kill Redis once the first config is saved and the second is under way.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (existsSync(out)) {
          clearInterval(timer);
          setTimeout(resolve, 150);
        }
      }, 20);
    });
    await server!.stop();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(3);
    expect(stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    const document = JSON.parse(readFileSync(out, 'utf8'));
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync('schemas/result.schema.json', 'utf8')));
    expect(validate(document)).toBe(true);
    const [first, second] = document.configs;
    expect(first.state).toBe('completed');
    expect(first.iterations).toHaveLength(3);
    expect(second.state).toBe('errored');
    expect(second.message).toMatch(/redis|Redis|connection|closed/);
  });
});
