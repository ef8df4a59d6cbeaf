import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../src/run/runScenario.js';
import { renderTargetTable } from '../src/report/targetTable.js';
import { scenarioFrom } from './helpers/scenario.js';
import { runTargets, targetScenario } from './helpers/targetRun.js';
import { processAlive } from '../src/processAlive.js';
import { firstOf } from './helpers/indexed.js';

const RELAY = 'node test/fixtures/target/relay.mjs';
const LOGS = mkdtempSync(join(tmpdir(), 'sb-target-logs-'));
afterAll(() => rmSync(LOGS, { recursive: true, force: true }));
const SOURCE = { type: 'synthetic', profile: 'fast-hosted', tokens: 30, ttftMs: 20, gapMs: 5 };

/** A scenario with one target variant running the test relay in `mode`. */
function relayScenario(mode: string, extra: Record<string, unknown> = {}) {
  return targetScenario(
    [
      {
        name: mode,
        target: {
          url: 'http://127.0.0.1:{appPort}/chat',
          format: 'openai-sse',
          app: { command: RELAY, env: { MODE: mode }, readyUrl: 'http://127.0.0.1:{appPort}/health', readyTimeoutMs: 10000, log: join(LOGS, `${mode}.log`) },
          ...extra,
        },
      },
    ],
    { source: SOURCE, streams: 2 },
  );
}

describe('target mode through a relay', () => {
  it('measures a relay that streams through: exact text, every stream matched by its marker', async () => {
    const document = await runScenario(relayScenario('pass'));
    const config = firstOf(document.configs, 'document.configs');
    expect(config.message).toBeUndefined();
    expect(config.state).toBe('completed');
    expect(config.target?.integrity).toMatchObject({ streams: 2, exactStreams: 2, missingChars: 0, duplicatedChars: 0, foreignChars: 0 });
    expect(config.target?.matching).toMatchObject({ byMarker: 2, byArrivalOrder: 0 });
    expect(config.metrics?.counters.tokensPerStream).toBe(30);
    expect(config.metrics?.tokenLatencyMs?.n).toBe(60);
    expect(config.target?.upstreamChunksPerClientEvent).toBe(1);
    expect(config.target?.verdict.kind).not.toBe('buffers');
    expect(config.metrics?.stages.emit?.ttftMs?.n).toBe(2);
    const table = renderTargetTable(document);
    expect(table).toMatch(/streams-through|delays/);
    // No app Redis named: no Redis columns of dashes.
    expect(table).not.toMatch(/Redis sent/);
    expect(Math.max(...table.split('\n').map((line) => line.length))).toBeLessThanOrEqual(120);
    // On an 80-column terminal the least important columns are hidden, with a note; --wide shows them.
    const narrow = renderTargetTable(document, { width: 80 });
    expect(Math.max(...narrow.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
    expect(narrow).toMatch(/hidden to fit 80 columns/);
    expect(renderTargetTable(document, { width: 80, wide: true })).toMatch(/framing/);
  }, 30000);

  it('reports a relay that holds the answer back as buffering', async () => {
    const document = await runScenario(relayScenario('buffer'));
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('completed');
    expect(config.target?.verdict.kind).toBe('buffers');
    expect(config.target?.verdict.evidence.join(' ')).toMatch(/last 10 %/);
  }, 30000);
});

/** The relay's pid from its log line, and whether that process still exists. */
function relayAlive(logPath: string): boolean {
  const pid = Number(/pid (\d+)/.exec(readFileSync(logPath, 'utf8'))?.[1]);
  expect(pid).toBeGreaterThan(0);
  return processAlive(pid);
}

describe('target mode faults: a clear message, nothing lost, no orphan', () => {
  it('an app that never answers nor calls the upstream fails after the upstream timeout', async () => {
    const document = await runScenario(relayScenario('hang', { timeouts: { upstreamMs: 300 } }));
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('errored');
    expect(config.message).toMatch(/never called the upstream within 300 ms/);
  }, 30000);

  it('an app that answers without calling the upstream is errored, not fast', async () => {
    const document = await runScenario(relayScenario('no-upstream'));
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('errored');
    expect(config.message).toMatch(/without calling the upstream/);
    // An error in the app's answer usually names the cause: it is quoted.
    const unreachable = firstOf((await runScenario(relayScenario('model-unreachable'))).configs, 'configs');
    expect(unreachable.message).toMatch(/without calling the upstream \(.*its answer carried the error "connect ECONNREFUSED 127\.0\.0\.1:8400"\)/);
  }, 30000);

  it('an app that loses text is errored and the loss is counted', async () => {
    const document = await runScenario(relayScenario('lose-text'));
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('errored');
    expect(config.message).toMatch(/never reached the client/);
    expect(config.target?.integrity.missingChars).toBeGreaterThan(0);
    expect(config.target?.integrity.exactStreams).toBe(0);
  }, 30000);

  it('a non-2xx answer and an answer in another format are errored with what was received', async () => {
    const status = await runScenario(relayScenario('status-500'));
    const statusConfig = firstOf(status.configs, 'status.configs');
    expect(statusConfig.state).toBe('errored');
    expect(statusConfig.message).toMatch(/500/);
    const garbage = await runScenario(relayScenario('garbage'));
    const garbageConfig = firstOf(garbage.configs, 'garbage.configs');
    expect(garbageConfig.state).toBe('errored');
    expect(garbageConfig.message).toMatch(/openai-sse/);
    expect(garbageConfig.message).toMatch(/html/);
  }, 30000);

  it('refuses to start the app when its address already answers (another process would be measured), and never starts it', async () => {
    const other = createServer((_request, response) => response.end('not the app'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    try {
      const taken = await runTargets(
        [
          {
            name: 'taken',
            target: { url: `http://127.0.0.1:${port}/chat`, format: 'text', app: { command: 'echo started > /dev/stderr; sleep 30', log: join(LOGS, 'taken.log') } },
          },
        ],
        { source: SOURCE, streams: 1 },
      );
      const config = firstOf(taken.configs, 'taken.configs');
      expect(config.state).toBe('errored');
      expect(config.message).toContain(`--url (target.url): 127.0.0.1:${port} already accepts connections before the app started`);
      expect(existsSync(join(LOGS, 'taken.log'))).toBe(false);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  }, 30000);

  it('an app that exits before it is ready, or never gets ready, is errored with its log named', async () => {
    const exits = await runTargets(
      [{ name: 'exits', target: { url: 'http://127.0.0.1:{appPort}/chat', format: 'text', app: { command: 'echo starting; exit 3', log: join(LOGS, 'exits.log') } } }],
      { source: SOURCE, streams: 1 },
    );
    const exitsConfig = firstOf(exits.configs, 'exits.configs');
    expect(exitsConfig.state).toBe('errored');
    expect(exitsConfig.message).toMatch(/exited with code 3 before it was ready/);
    expect(exitsConfig.message).toMatch(/starting/);
    const slow = await runTargets(
      [
        {
          name: 'slow',
          target: { url: 'http://127.0.0.1:{appPort}/chat', format: 'text', app: { command: 'echo pid $$; sleep 30', readyTimeoutMs: 400, log: join(LOGS, 'slow.log') } },
        },
      ],
      { source: SOURCE, streams: 1 },
    );
    const slowConfig = firstOf(slow.configs, 'slow.configs');
    expect(slowConfig.state).toBe('errored');
    expect(slowConfig.message).toMatch(/not ready within 400 ms/);
    expect(relayAlive(join(LOGS, 'slow.log'))).toBe(false);
  }, 30000);

  it('an interruption while the app is getting ready stops the wait at once: the config is interrupted, the app stopped', async () => {
    const controller = new AbortController();
    const interrupt = setTimeout(() => controller.abort(), 300);
    const startedMs = performance.now();
    const document = await runTargets(
      [
        {
          name: 'starting',
          target: { url: 'http://127.0.0.1:{appPort}/chat', format: 'text', app: { command: 'echo pid $$; sleep 30', readyTimeoutMs: 20000, log: join(LOGS, 'starting.log') } },
        },
      ],
      { source: SOURCE, streams: 1 },
      { signal: controller.signal },
    );
    clearTimeout(interrupt);
    // Not the 20 s readiness timeout: the wait ends on the interruption (the app's stop takes up to its grace).
    expect(performance.now() - startedMs).toBeLessThan(10000);
    expect(document.interrupted).toBe(true);
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('interrupted');
    expect(config.message).toMatch(/interrupted while waiting for the app to be ready/);
    expect(relayAlive(join(LOGS, 'starting.log'))).toBe(false);
  }, 30000);

  it('an error the app reports inside its stream makes the config errored with its words', async () => {
    const document = await runScenario(relayScenario('stream-error'));
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('errored');
    expect(config.message).toMatch(/the app reported an error in its stream: .*upstream quota exceeded/);
  }, 30000);

  it('an unreachable app is errored naming the URL', async () => {
    const document = await runTargets([{ name: 'gone', target: { url: 'http://127.0.0.1:9/chat', format: 'openai-sse' } }], { source: SOURCE, streams: 1 });
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('errored');
    expect(config.message).toMatch(/127\.0\.0\.1:9/);
  }, 30000);

  it('an app that crashes mid-run: the streams so far are kept, the config is errored, the process group is gone', async () => {
    const document = await runScenario({ ...relayScenario('crash-after-1'), iterations: 3 });
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('errored');
    expect(config.message).toMatch(/exited with code 7/);
    expect(config.iterations).toHaveLength(1);
    expect(config.target?.app?.exited).toBe('exited with code 7');
    expect(relayAlive(config.target!.app!.log)).toBe(false);
  }, 30000);

  it('an app that drops the marker is matched by arrival order, and the result says so', async () => {
    const document = await runScenario(relayScenario('drop-marker'));
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('completed');
    expect(config.target?.matching).toMatchObject({ byMarker: 0, byArrivalOrder: 2 });
    expect(config.target?.matching.note).toMatch(/arrival order/);
    expect(relayAlive(config.target!.app!.log)).toBe(false);
  }, 30000);
});

describe('target scenarios', () => {
  it('a second upstream call for a finished stream is refused and counted, the stream itself measured', async () => {
    const document = await runScenario(relayScenario('double'));
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('completed');
    expect(config.target?.matching.byMarker).toBe(2);
    // The relay's second call after the last stream may come after the config ended: at least the first is counted.
    expect(config.target?.matching.unmatchedUpstreamRequests).toBeGreaterThanOrEqual(1);
  }, 30000);

  it('the Anthropic upstream: the client straight at /v1/messages reads the exact text', async () => {
    const document = await runTargets(
      [
        {
          name: 'anthropic-direct',
          target: {
            url: '{upstreamUrl}/v1/messages',
            format: 'anthropic-sse',
            body: { model: 'claude', max_tokens: 100, stream: true, messages: [{ role: 'user', content: '{{prompt}}' }] },
          },
        },
      ],
      { source: SOURCE, streams: 2 },
    );
    const config = firstOf(document.configs, 'document.configs');
    expect(config.message).toBeUndefined();
    expect(config.target?.integrity.exactStreams).toBe(2);
    expect(config.metrics?.counters.tokensPerStream).toBe(30);
  }, 30000);

  it('the upstream replays a recorded trace as well as a synthetic profile', async () => {
    const document = await runTargets(
      [
        {
          name: 'replay-direct',
          target: { url: '{upstreamUrl}/v1/chat/completions', format: 'openai-sse', body: { model: 'm', stream: true, messages: [{ role: 'user', content: '{{prompt}}' }] } },
        },
      ],
      { source: { type: 'replay', trace: 'traces/sample-synthetic.jsonl', speed: 10 }, streams: 2 },
    );
    const config = firstOf(document.configs, 'document.configs');
    expect(config.message).toBeUndefined();
    expect(config.target?.integrity.exactStreams).toBe(2);
    expect(config.metrics?.counters.tokensPerStream).toBeGreaterThan(0);
  }, 30000);

  it('the shipped example scenario validates, and a variant cannot be both a pipeline and a target', async () => {
    const { loadScenarioFile } = await import('../src/scenario/loadScenario.js');
    const example = await loadScenarioFile('scenarios/target-example.yaml');
    expect(example.configs.map((config) => config.target?.format)).toEqual(['sse', 'ai-sdk-ui', 'ai-sdk-ui']);
    expect(() => scenarioFrom({ variants: [{ name: 'both', pipeline: { preset: 'field-baseline' }, target: { url: 'http://x', format: 'text' } }] })).toThrow(
      /variants\[0\]\.pipeline: a target variant measures the app/,
    );
    expect(() => scenarioFrom({ variants: [{ name: 'typo', target: { url: 'http://x', format: 'text', textpath: 'a' } }] })).toThrow(/unknown field "textpath"/);
    expect(() => scenarioFrom({ variants: [{ name: 'fmt', target: { url: 'http://x', format: 'html' } }] })).toThrow(/variants\[0\]\.target\.format/);
  });
});
