/**
 * Hand-built result-document fixtures for the stats and table tests. Every builder returns a
 * value of the schema's own types, so a schema change breaks these at compile time.
 */
import { type ConfigMetrics, type ConfigResult, noStreamMetrics, type ResultDocument, type Summary } from '../../src/result/resultSchema.js';

/** A summary whose statistics are all derived from `p50` unless overridden (keeps fixtures short). */
export function summaryOf(p50: number, overrides: Partial<Summary> = {}): Summary {
  return {
    n: 10,
    min: p50 / 2,
    mean: p50 * 1.1,
    p50,
    p90: p50 * 2,
    p99: p50 * 3,
    max: p50 * 4,
    stddev: p50 / 10,
    ...overrides,
  };
}

/** Metrics with every summary null, no stages and no counters, then the overrides. */
export function metricsOf(overrides: Partial<ConfigMetrics> = {}): ConfigMetrics {
  return {
    ...noStreamMetrics(),
    ...overrides,
  };
}

/** A completed config. */
export function completedConfig(name: string, metrics: ConfigMetrics): ConfigResult {
  return { name, state: 'completed', settings: {}, metrics, iterations: [] };
}

/** An errored or skipped config (no metrics). */
export function failedConfig(name: string, state: 'errored' | 'skipped', message?: string): ConfigResult {
  return {
    name,
    state,
    ...(message !== undefined && { message }),
    settings: {},
    metrics: null,
    iterations: [],
  };
}

/** A result document holding `configs`. */
export function resultDocument(configs: ConfigResult[], runId = 'run-1'): ResultDocument {
  return {
    schemaVersion: 1,
    tool: { name: 'streambench', version: '0.1.0' },
    runId,
    interrupted: false,
    scenario: { name: 'fixture', file: null, contentHash: 'sha256:0', settings: {} },
    context: {
      node: 'v20.18.1',
      os: 'linux',
      cpuModel: 'test cpu',
      cores: 4,
      gitCommit: null,
      startedAt: '2025-01-01T00:00:00.000Z',
    },
    configs,
  };
}
