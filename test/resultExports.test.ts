import { describe, expect, it } from 'vitest';
import { resultToCsv } from '../src/report/csv.js';
import { renderTargetTable } from '../src/report/targetTable.js';
import type { ConfigResult, Summary } from '../src/result/resultSchema.js';
import { completedConfig, metricsOf, resultDocument, summaryOf } from './helpers/resultFixtures.js';

/** The CSV as rows of fields (no field in these fixtures holds a comma or a quote). */
function rowsOf(csv: string): string[][] {
  return csv
    .split('\r\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split(','));
}

/** Data row `row` as header → field. */
function rowOf(rows: string[][], row: number): Record<string, string | undefined> {
  return Object.fromEntries(rows[0]!.map((name, index) => [name, rows[row]![index]]));
}

const loadConfig: ConfigResult = {
  ...completedConfig('closed', metricsOf({ ttftMs: summaryOf(12) })),
  load: {
    mode: 'closed-loop',
    streamsStarted: 400,
    streamsFailed: 1,
    durationMs: 8000,
    deliveredTokensPerSecond: 2450,
    completedStreamsPerSecond: 49.875,
    startDelayMs: null,
    toolCpuShare: 0.37,
    resources: { samples: [{ atS: 0, heapUsedMB: 20, rssMB: 90, activeResources: 12 }], heapGrowthMB: 1.5, activeResourcesGrowth: null },
  },
};

const targetConfig: ConfigResult = {
  ...completedConfig('app', metricsOf()),
  target: {
    url: 'http://127.0.0.1:3000/chat',
    format: 'sse-json',
    upstreamUrl: 'http://127.0.0.1:4000/v1',
    app: null,
    matching: { byMarker: 20, byArrivalOrder: 0, unmatchedUpstreamRequests: 0 },
    verdict: { kind: 'buffers', evidence: ['80 % of the text, in the last tenth'], delayThresholdMs: 50, bufferShare: 0.5 },
    ttftAddedMs: summaryOf(40),
    appUpstreamRequestMs: null,
    lastTenthTextShare: { median: 0.8, max: 0.95 },
    upstreamChunksPerClientEvent: 50,
    framingOverheadShare: 0.25,
    integrity: { streams: 20, exactStreams: 20, missingChars: 0, duplicatedChars: 0, reorderedEvents: 0, foreignChars: 0, streamsWithoutEndMarker: 0 },
  },
};

describe('resultToCsv', () => {
  it("gives a load's figures their own columns, numbers unformatted, the mode as text", () => {
    const rows = rowsOf(resultToCsv(resultDocument([loadConfig])));
    expect(rowOf(rows, 1)).toMatchObject({
      'ttftMs.p50': '12',
      'load.mode': 'closed-loop',
      'load.completedStreamsPerSecond': '49.875',
      'load.toolCpuShare': '0.37',
      'load.streamsFailed': '1',
      'load.resources.heapGrowthMB': '1.5',
    });
    // A null summary and the per-second samples are no columns; the metric columns come first.
    expect(rows[0]!.some((name) => name.startsWith('load.startDelayMs') || name.startsWith('load.resources.samples'))).toBe(false);
    expect(rows[0]!.indexOf('ttftMs.p50')).toBeLessThan(rows[0]!.indexOf('load.mode'));
  });

  it("gives a target's verdict, summaries and integrity counts their own columns, and leaves its URLs and evidence out", () => {
    const rows = rowsOf(resultToCsv(resultDocument([targetConfig])));
    expect(rowOf(rows, 1)).toMatchObject({
      'target.verdict.kind': 'buffers',
      'target.format': 'sse-json',
      'target.ttftAddedMs.p50': '40',
      'target.ttftAddedMs.n': '10',
      'target.lastTenthTextShare.median': '0.8',
      'target.integrity.exactStreams': '20',
      'target.matching.byMarker': '20',
    });
    expect(rows[0]!.filter((name) => /url|evidence|app\./i.test(name))).toEqual([]);
  });

  it('leaves a column empty for a config without the block', () => {
    const rows = rowsOf(resultToCsv(resultDocument([targetConfig, loadConfig])));
    expect(rowOf(rows, 1)).toMatchObject({ 'load.toolCpuShare': '', 'target.verdict.kind': 'buffers' });
    expect(rowOf(rows, 2)).toMatchObject({ 'load.toolCpuShare': '0.37', 'target.verdict.kind': '' });
  });
});

describe("the target tables' Redis notes", () => {
  const withRedis = (writeLatencyMs: Summary | null | undefined): ConfigResult => ({
    ...targetConfig,
    target: {
      ...targetConfig.target!,
      redis: {
        url: 'redis://127.0.0.1:6379',
        exactness: 'exact',
        commandsSentPerToken: 0.2,
        commandsSentByType: { evalsha: 0.2 },
        commandsExecutedPerToken: 0.8,
        commandsExecutedByType: { evalsha: 0.2, rpush: 0.2, publish: 0.2, expire: 0.2 },
        scriptCallsPerToken: 0.2,
        ...(writeLatencyMs !== undefined && { writeLatencyMs }),
      },
    },
  });

  it("print the keyspace notifications' write latency when they were allowed", () => {
    const table = renderTargetTable(resultDocument([withRedis(summaryOf(0.5, { n: 37 }))]), { width: 300 });
    expect(table).toContain("app: the app's Redis writes after the latest upstream write (keyspace notifications, 37): p50 0.500 ms, p99 1.50 ms, max 2.00 ms");
  });

  it('say that nothing was timed when no notification followed an upstream write', () => {
    expect(renderTargetTable(resultDocument([withRedis(null)]), { width: 300 })).toMatch(/keyspace notifications\): none timed, no notification followed an upstream write/);
  });

  it('say nothing of write latency when notifications were not allowed', () => {
    expect(renderTargetTable(resultDocument([withRedis(undefined)]), { width: 300 })).not.toMatch(/keyspace/);
  });
});
