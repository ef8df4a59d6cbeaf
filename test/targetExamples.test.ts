/**
 * Target mode on the shipped examples (examples/): the two relays with their Redis on a private
 * redis-server (so INFO commandstats holds nothing but the app's commands), the pass-through
 * proxy streaming and buffering, and the client pointed straight at the upstream.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { privateRedisForTheseTests } from './helpers/privateRedis.js';
import { runTargets } from './helpers/targetRun.js';
import { renderTargetTable } from '../src/report/targetTable.js';
import { entryOf, firstOf, leadingOf } from './helpers/indexed.js';

const LOGS = mkdtempSync(join(tmpdir(), 'sb-target-logs-'));
afterAll(() => rmSync(LOGS, { recursive: true, force: true }));
const SOURCE = { type: 'synthetic', profile: 'fast-hosted', tokens: 60, ttftMs: 20, gapMs: 4 };
const OPENAI_BODY = { model: 'm', stream: true, messages: [{ role: 'user', content: '{{prompt}}' }] };

describe('the example relays, with their Redis on a private redis-server', () => {
  const redis = privateRedisForTheseTests(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

  it('the field relay makes about 3 Redis commands per token, the corrected one at most 0.3; neither loses text', async (context) => {
    // Exact counts need a Redis with nothing else on it: skipped without redis-server, except in CI.
    if (redis.server === null && process.env.CI === 'true') throw new Error('CI needs redis-server on PATH for the exact command counts');
    if (redis.server === null) return context.skip('redis-server is not on PATH');
    const app = (script: string) => ({ command: `node examples/${script}`, readyUrl: 'http://127.0.0.1:{appPort}/health', log: join(LOGS, `${script}.log`) });
    const document = await runTargets(
      [
        {
          name: 'field-relay',
          target: {
            url: 'http://127.0.0.1:{appPort}/api/chat',
            format: 'sse',
            textPath: 'content@json.content',
            donePath: 'status',
            app: app('field-relay.mjs'),
            redis: { url: redis.url },
          },
        },
        { name: 'corrected-relay', target: { url: 'http://127.0.0.1:{appPort}/api/chat', format: 'ai-sdk-ui', app: app('corrected-relay.mjs'), redis: { url: redis.url } } },
      ],
      { source: SOURCE, streams: 3, warmup: 1 },
    );
    const [field, corrected] = leadingOf(document.configs, 2, 'document.configs');
    for (const config of [field, corrected]) {
      expect(config.message).toBeUndefined();
      expect(config.state).toBe('completed');
      expect(config.target?.integrity).toMatchObject({ streams: 3, exactStreams: 3, missingChars: 0, duplicatedChars: 0 });
      expect(config.metrics?.tokenLatencyMs?.n).toBe(180);
    }
    // One RPUSH and one PUBLISH per chunk (one token each), and an LRANGE per signal: sent as executed.
    const fieldRedis = field.target!.redis!;
    expect(fieldRedis.commandsSentByType!.rpush).toBeGreaterThanOrEqual(1);
    expect(fieldRedis.commandsSentByType!.publish).toBeGreaterThanOrEqual(1);
    expect(fieldRedis.commandsSentPerToken).toBeGreaterThan(2.5);
    expect(fieldRedis.commandsSentPerToken).toBeLessThan(3.5);
    expect(fieldRedis.commandsSentPerToken).toBe(fieldRedis.commandsExecutedPerToken);
    expect(field.metrics?.counters.appRedisCommandsPerToken).toBe(fieldRedis.commandsSentPerToken);
    expect(fieldRedis.scriptCallsPerToken).toBe(0);
    // INFO counts the commands a script runs under their own names too; MONITOR tells them
    // apart. The corrected relay sends RPUSH and PUBLISH only inside its script: it sends
    // one EVALSHA per batch and its LRANGE catch-up reads, nothing else. At 4 ms between
    // tokens a 25 ms batch holds about 6 tokens.
    const correctedRedis = corrected.target!.redis!;
    const sent = correctedRedis.commandsSentByType!;
    expect(sent.rpush).toBeUndefined();
    expect(sent.publish).toBeUndefined();
    expect(sent.evalsha).toBe(correctedRedis.scriptCallsPerToken);
    expect(correctedRedis.commandsExecutedByType.rpush).toBeGreaterThan(0);
    expect(correctedRedis.commandsSentPerToken).toBeLessThanOrEqual(0.3);
    // Executed = sent + what the scripts ran (RPUSH, PUBLISH, EXPIRE once per stream), exactly.
    const executed = correctedRedis.commandsExecutedByType;
    const scriptRan = entryOf(executed, 'rpush', 'commandsExecutedByType') + entryOf(executed, 'publish', 'commandsExecutedByType') + (executed.expire ?? 0);
    expect(correctedRedis.commandsExecutedPerToken - scriptRan).toBeCloseTo(correctedRedis.commandsSentPerToken!, 9);
    expect(corrected.metrics?.counters.appRedisCommandsPerToken).toBe(correctedRedis.commandsSentPerToken);
    expect(corrected.metrics?.counters.appRedisCommandsExecutedPerToken).toBe(correctedRedis.commandsExecutedPerToken);
    expect(corrected.target?.upstreamChunksPerClientEvent).toBeGreaterThan(1);
    expect(corrected.target?.redis?.exactness).toMatch(/exact only when nothing else uses this Redis/);
  }, 60000);

  it('a client that drops and resumes with Last-Event-ID gets the text whole, the reconnect counted', async () => {
    const document = await runTargets(
      [
        {
          name: 'corrected-resume',
          target: {
            url: 'http://127.0.0.1:{appPort}/api/chat',
            format: 'ai-sdk-ui',
            resume: { mode: 'last-event-id', afterEvents: 3, urlTemplate: 'http://127.0.0.1:{appPort}/api/chat/{streamId}/stream', streamIdFrom: { header: 'x-stream-id' } },
            app: { command: 'node examples/corrected-relay.mjs', readyUrl: 'http://127.0.0.1:{appPort}/health', log: join(LOGS, 'resume.log') },
            redis: { url: redis.url },
          },
        },
      ],
      { source: SOURCE, streams: 2 },
    );
    const config = firstOf(document.configs, 'document.configs');
    expect(config.message).toBeUndefined();
    expect(config.target?.integrity).toMatchObject({ exactStreams: 2, missingChars: 0, duplicatedChars: 0 });
    expect(config.metrics?.counters.reconnectsPerStream).toBe(1);
  }, 60000);

  it("with keyspace notifications allowed, the app's writes are timed and the setting is restored", async (context) => {
    // Never reconfigure the shared Redis.
    if (redis.server === null) return context.skip('redis-server is not on PATH');
    const [, before] = (await redis.inspector.config('GET', 'notify-keyspace-events')) as [string, string];
    const document = await runTargets(
      [
        {
          name: 'field-relay',
          target: {
            url: 'http://127.0.0.1:{appPort}/api/chat',
            format: 'sse',
            textPath: 'content@json.content',
            donePath: 'status',
            app: { command: 'node examples/field-relay.mjs', readyUrl: 'http://127.0.0.1:{appPort}/health', log: join(LOGS, 'keyspace.log') },
            redis: { url: redis.url, keyspaceNotifications: true },
          },
        },
      ],
      { source: SOURCE, streams: 1 },
    );
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('completed');
    expect(config.target?.redis?.writeLatencyMs?.n).toBeGreaterThan(0);
    // Printed under the target tables, not only saved.
    expect(renderTargetTable(document, { width: 300 })).toMatch(
      /field-relay: the app's Redis writes after the latest upstream write \(keyspace notifications, \d+\): p50 [\d.e-]+ ms/,
    );
    const [, after] = (await redis.inspector.config('GET', 'notify-keyspace-events')) as [string, string];
    expect(after).toBe(before);
  }, 60000);

  it("runs under load (closed loop) against the app, with every stream matched by its marker and the tool's CPU reported", async () => {
    const document = await runTargets(
      [
        {
          name: 'corrected-relay',
          target: {
            url: 'http://127.0.0.1:{appPort}/api/chat',
            format: 'ai-sdk-ui',
            app: { command: 'node examples/corrected-relay.mjs', readyUrl: 'http://127.0.0.1:{appPort}/health', log: join(LOGS, 'load.log') },
            redis: { url: redis.url },
          },
        },
      ],
      { source: SOURCE, streams: 1, warmup: 1, load: { concurrency: 4, streams: 8 } },
    );
    const config = firstOf(document.configs, 'document.configs');
    expect(config.message).toBeUndefined();
    expect(config.load).toMatchObject({ mode: 'closed-loop', streamsStarted: 8, streamsFailed: 0 });
    expect(config.load?.peakConcurrentStreams).toBeGreaterThan(1);
    expect(config.load?.toolCpuShare).toBeGreaterThan(0);
    expect(config.target?.matching).toMatchObject({ byMarker: 8, byArrivalOrder: 0 });
    expect(config.target?.integrity.exactStreams).toBe(8);
  }, 60000);
});

describe('the example proxy', () => {
  const proxy = (flags: string) => ({
    url: 'http://127.0.0.1:{appPort}/v1/chat/completions',
    format: 'openai-sse',
    body: OPENAI_BODY,
    app: { command: `node examples/proxy.mjs ${flags}`, env: { TARGET_URL: '{upstreamUrl}' }, readyUrl: 'http://127.0.0.1:{appPort}/health', log: join(LOGS, `proxy${flags}.log`) },
  });

  it('buffering the whole answer is reported as buffering; streaming through is not', async () => {
    const document = await runTargets(
      [
        { name: 'streaming', target: proxy('') },
        { name: 'buffering', target: proxy('--buffer') },
      ],
      { source: SOURCE, streams: 2 },
    );
    const [streaming, buffering] = leadingOf(document.configs, 2, 'document.configs');
    expect(streaming.state).toBe('completed');
    expect(buffering.state).toBe('completed');
    expect(streaming.target?.verdict.kind).not.toBe('buffers');
    expect(buffering.target?.verdict.kind).toBe('buffers');
    expect(buffering.target?.integrity.exactStreams).toBe(2);
  }, 60000);

  it('the client pointed straight at the upstream (no app between) reads the exact text', async () => {
    const document = await runTargets([{ name: 'direct', target: { url: '{upstreamUrl}/v1/chat/completions', format: 'openai-sse', body: OPENAI_BODY } }], {
      source: SOURCE,
      streams: 2,
    });
    const direct = firstOf(document.configs, 'document.configs');
    expect(direct.state).toBe('completed');
    expect(direct.target?.app).toBeNull();
    expect(direct.target?.integrity.exactStreams).toBe(2);
    expect(direct.target?.upstreamChunksPerClientEvent).toBe(1);
    expect(direct.target?.matching.byMarker).toBe(2);
  }, 30000);
});
