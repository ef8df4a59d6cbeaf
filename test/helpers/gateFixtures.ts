/**
 * Result documents with per-stream samples for the gate tests: a config's streams drawn from a
 * seeded generator, so a "slowdown" is a known shift applied to the same streams.
 */
import type { ConfigResult, IterationSample, ResultDocument } from '../../src/result/resultSchema.js';
import { createRandom } from '../../src/sources/random.js';
import { completedConfig, metricsOf, resultDocument, summaryOf } from './resultFixtures.js';
import { itemAt } from './indexed.js';

/** What one config's streams look like. */
export interface StreamShape {
  streams: number;
  /** Typical token-latency p99 per stream, ms, and the spread between streams. */
  p99Ms: number;
  spreadMs: number;
  /** Run-to-run jitter of the same stream, ms. */
  jitterMs: number;
  /** Added to every stream's time metrics (the injected slowdown). */
  slowdownMs?: number;
  counters?: Record<string, number>;
  /** Per-stream counters that move with timing: name → values per stream. */
  varyingCounters?: Record<string, number[]>;
  /** Seed of the run-to-run jitter (different per run). */
  runSeed: number;
}

/** The per-stream samples of one config. */
export function streamsOf(shape: StreamShape): IterationSample[] {
  const streamRandom = createRandom(42); // the streams themselves: same in every run
  const runRandom = createRandom(shape.runSeed); // what differs from run to run
  const slow = shape.slowdownMs ?? 0;
  return Array.from({ length: shape.streams }, (_, index) => {
    const stream = streamRandom.next() - 0.5;
    const jitter = () => (runRandom.next() - 0.5) * shape.jitterMs;
    const counters: Record<string, number> = { ...shape.counters };
    for (const [name, values] of Object.entries(shape.varyingCounters ?? {})) counters[name] = itemAt(values, index, `varyingCounters.${name}`);
    return {
      ttftMs: 300 + stream * 200 + jitter() + slow,
      e2eMs: 1300 + stream * 200 + jitter() + slow,
      tokenLatencyP50Ms: shape.p99Ms / 2 + (stream * shape.spreadMs) / 2 + jitter() + slow,
      tokenLatencyP99Ms: shape.p99Ms + stream * shape.spreadMs + jitter() + slow,
      itlP50Ms: 12 + stream + jitter(),
      tokens: 80,
      renderLatencyP99Ms: null,
      stalenessP99Ms: null,
      counters,
    };
  });
}

/** A completed config with per-stream samples and config-level counters. */
export function configWithStreams(name: string, shape: StreamShape): ConfigResult {
  const iterations = streamsOf(shape);
  const counters: Record<string, number> = { ...shape.counters };
  for (const [counter, values] of Object.entries(shape.varyingCounters ?? {})) {
    counters[counter] = values.reduce((sum, value) => sum + value, 0) / values.length;
  }
  return { ...completedConfig(name, metricsOf({ tokenLatencyMs: summaryOf(shape.p99Ms / 2), counters })), iterations };
}

/** A result document of scenario "fixture" with the given configs and the settings that make streams pair up. */
export function runOf(configs: ConfigResult[], runId: string, settings: Record<string, unknown> = {}): ResultDocument {
  const document = resultDocument(configs, runId);
  document.scenario.settings = { seed: 42, warmup: 1, iterations: configs[0]?.iterations.length ?? 0, source: { type: 'synthetic' }, ...settings };
  return document;
}

/** The text form of a comparison with each wrapped line joined back (continuations are indented 4 spaces): one line per mark. */
export function unwrapped(text: string): string {
  return text.replace(/\n {4}/g, ' ');
}

/** The outcome: the last line of the text form, unwrapped. */
export function outcomeLine(text: string): string {
  return unwrapped(text).split('\n').at(-1) ?? '';
}
