import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/run/runScenario.js';
import { scenarioFrom } from './helpers/scenario.js';
import { firstOf, itemAt, leadingOf } from './helpers/indexed.js';

// Zero-delay source, 100 tokens at token granularity: 100 chunks, one message each without batching.
const base = { iterations: 2, warmup: 0 };

describe('in-process pipeline', () => {
  it('the field-baseline format makes exactly the hand-counted JSON calls per token', async () => {
    const document = await runScenario(scenarioFrom({ ...base, pipeline: { preset: 'field-baseline', broker: { type: 'memory' }, client: { render: { strategy: 'every' } } } }));
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('completed');
    // Per content message: producer 3 S + 1 P, relay 1 P + 1 S, decode 3 P, field client 2 P;
    // the end item: 2 S and 4 P. (400 + 2) stringify + (700 + 4) parse over 100 tokens.
    expect(config.metrics?.counters.jsonStringifyPerToken).toBe(4.02);
    expect(config.metrics?.counters.jsonParsePerToken).toBe(7.04);
    expect(config.metrics?.counters.eventsPerToken).toBe(1.01);
    expect(config.metrics?.counters.duplicateEventsPerStream).toBe(0);
  });

  it('seed-corrected delivers exact text with fewer messages than tokens', async () => {
    const document = await runScenario(scenarioFrom({ ...base, pipeline: { preset: 'seed-corrected', broker: { type: 'memory' } } }));
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('completed');
    expect(config.iterations).toHaveLength(2);
    expect(config.metrics?.counters.tokensPerStream).toBe(100);
    // Size-5 batches after the immediate first token: 1 + 20 messages (the last one holds 4) + end.
    expect(config.metrics?.counters.eventsPerToken).toBe(0.22);
    expect(config.metrics?.stages.render?.latencyMs?.n).toBe(200);
  });

  it('shows the bounded window falling behind a producer that bursts faster than the signal rate', async () => {
    const burstyBatch = { mode: 'timer', size: 30, timeoutMs: 1000, merge: false };
    const document = await runScenario(
      scenarioFrom({
        ...base,
        pipeline: { batch: burstyBatch },
        variants: [
          { name: 'window', pipeline: { broker: { read: 'window', window: 10 } } },
          { name: 'window-catchup', pipeline: { broker: { read: 'window-catchup', window: 10 } } },
        ],
      }),
    );
    const [window, catchup] = leadingOf(document.configs, 2, 'document.configs');
    expect(window.state).toBe('completed');
    // 30 items per signal, 10 read per signal: 20 left behind after the first read.
    expect(window.metrics?.counters.readLagMaxItems).toBeGreaterThanOrEqual(20);
    expect(catchup.metrics?.counters.readLagMaxItems).toBe(0);
  });

  it('marks the seed cache with a reused message object errored: stale JSON', async () => {
    const document = await runScenario(scenarioFrom({ ...base, pipeline: { serializer: 'seed-cache-mutated' } }));
    const config = firstOf(document.configs, 'document.configs');
    expect(config.state).toBe('errored');
    expect(config.message).toMatch(/text differs from the text sent/);
  });

  it("names the reconnect when a replay from the start doubles the field client's text (WebSocket, no resume), and the lean client drops the copies", async () => {
    const reconnect = { afterEvents: 10, resume: false };
    const document = await runScenario(
      scenarioFrom({
        ...base,
        pipeline: { preset: 'field-baseline', broker: { type: 'memory' }, delivery: { type: 'websocket', reconnect } },
        variants: [{ name: 'field' }, { name: 'lean', pipeline: { client: { type: 'lean' } } }],
      }),
    );
    const [field, lean] = leadingOf(document.configs, 2, 'document.configs');
    expect(field.state).toBe('errored');
    expect(field.message).toMatch(/text differs from the text sent .*; the client reconnected once mid-stream \(delivery\.reconnect\) and got \d+ events again: without resume/);
    expect(lean.state).toBe('completed');
    expect(lean.metrics?.counters.reconnectsPerStream).toBe(1);
    expect(lean.metrics?.counters.duplicateEventsPerStream).toBeGreaterThan(0);
  });

  it('runs the same streams for every config (same seed, same text)', async () => {
    const scenario = scenarioFrom({ ...base, variants: [{ name: 'a' }, { name: 'b', pipeline: { serializer: 'raw-text' } }] });
    const document = await runScenario(scenario);
    expect(document.configs.map((config) => config.iterations.map((sample) => sample.tokens))).toEqual([
      [100, 100],
      [100, 100],
    ]);
    expect(itemAt(document.configs, 1, 'document.configs').metrics?.counters.jsonOpsPerToken).toBe(0);
  });
});
