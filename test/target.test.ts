import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/run/runScenario.js';
import { scenarioFrom } from './helpers/scenario.js';

const RELAY = 'node test/fixtures/target/relay.mjs';
const SOURCE = { type: 'synthetic', profile: 'fast-hosted', tokens: 30, ttftMs: 20, gapMs: 5 };

/** A scenario with one target variant running the test relay in `mode`. */
function relayScenario(mode: string, extra: Record<string, unknown> = {}) {
  return scenarioFrom({
    source: SOURCE,
    iterations: 2,
    warmup: 0,
    variants: [
      {
        name: mode,
        target: {
          url: 'http://127.0.0.1:{appPort}/chat',
          format: 'openai-sse',
          app: { command: RELAY, env: { MODE: mode }, readyUrl: 'http://127.0.0.1:{appPort}/health', readyTimeoutMs: 10000 },
          ...extra,
        },
      },
    ],
  });
}

describe('target mode through a relay', () => {
  it('measures a relay that streams through: exact text, every stream matched by its marker', async () => {
    const document = await runScenario(relayScenario('pass'));
    const config = document.configs[0];
    expect(config.message).toBeUndefined();
    expect(config.state).toBe('completed');
    expect(config.target?.integrity).toMatchObject({ streams: 2, exactStreams: 2, missingChars: 0, duplicatedChars: 0, foreignChars: 0 });
    expect(config.target?.matching).toMatchObject({ byMarker: 2, byArrivalOrder: 0 });
    expect(config.metrics?.counters.tokensPerStream).toBe(30);
    expect(config.metrics?.tokenLatencyMs?.n).toBe(60);
    expect(config.target?.upstreamChunksPerClientEvent).toBe(1);
    expect(config.target?.verdict.kind).not.toBe('buffers');
    expect(config.metrics?.stages.emit?.ttftMs?.n).toBe(2);
  }, 30000);

  it('reports a relay that holds the answer back as buffering', async () => {
    const document = await runScenario(relayScenario('buffer'));
    const config = document.configs[0];
    expect(config.state).toBe('completed');
    expect(config.target?.verdict.kind).toBe('buffers');
    expect(config.target?.verdict.evidence.join(' ')).toMatch(/last 10 %/);
  }, 30000);
});
