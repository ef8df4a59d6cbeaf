import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { harnessWarnings } from '../src/load/harnessWarnings.js';
import { resourceReport, type ResourceSample } from '../src/probes/resourceSampler.js';
import { UpstreamRecord } from '../src/probes/upstreamRecord.js';
import { renderLoadTable } from '../src/report/tables.js';
import type { ConfigResult, ResultDocument } from '../src/result/resultSchema.js';
import { emitOnSchedule } from '../src/sources/synthetic.js';
import { metricsOf, summaryOf } from './helpers/resultFixtures.js';

const sample = (atS: number, heapUsedMB: number, activeResources: number): ResourceSample => ({ atS, heapUsedMB, rssMB: 100, activeResources });

describe('resource report', () => {
  it('measures growth from the median of the first third of the samples to the median of the last', () => {
    const samples = [sample(5, 10, 50), sample(10, 30, 60), sample(15, 20, 55), sample(20, 25, 70), sample(25, 40, 80), sample(30, 35, 90)];
    // first third: 10, 30 → median 20; last third: 40, 35 → median 37.5
    expect(resourceReport(samples)).toMatchObject({ heapGrowthMB: 17.5, activeResourcesGrowth: 30 });
  });

  it('reports no growth from fewer than three samples', () => {
    expect(resourceReport([sample(5, 10, 1), sample(10, 99, 9)])).toMatchObject({ heapGrowthMB: null, activeResourcesGrowth: null });
  });
});

describe('source schedule lag', () => {
  it('reports how late each chunk is emitted against its plan when the producer pulls it late', async () => {
    const clock = new ManualClock(1000);
    const plan = { chunks: [0, 1, 2].map((index) => ({ index, text: 'x', tokens: 1 })), offsetsMs: [10, 20, 30] };
    const record = new UpstreamRecord();
    const chunks = emitOnSchedule(plan, clock.nowMs(), clock, undefined, record);
    clock.advance(55); // the producer was busy: every chunk is already due
    for await (const _chunk of chunks);
    expect(record.scheduleLagMaxMs).toBe(45); // chunk 0 was due at +10, emitted at +55
    expect(record.observed).toBe(false); // a planned source is not an upstream server
  });
});

describe('harness warnings', () => {
  const load = (toolCpuShare: number): NonNullable<ConfigResult['load']> => ({
    mode: 'closed-loop',
    streamsStarted: 10,
    streamsFailed: 0,
    durationMs: 1000,
    deliveredTokensPerSecond: 1,
    completedStreamsPerSecond: 1,
    startDelayMs: null,
    toolCpuShare,
  });

  it('warns when the tool uses most of the cores its threads can use, advising worker threads while cores are left', () => {
    expect(harnessWarnings(null, load(0.8), 1, 2)).toEqual([]);
    // On 2 cores a second load thread lagged more (docs/benchmarks.md): the advice is machines, not threads.
    expect(harnessWarnings(null, load(0.9), 1, 2)[0]).toMatch(/90 % of a core \(1 thread, 2 cores\).*--shard \(2 cores carry one load thread: more lag, not less\)$/);
    expect(harnessWarnings(null, load(0.9), 1, 2)[0]).not.toMatch(/load\.workers/);
    expect(harnessWarnings(null, load(0.9), 1, 4)[0]).toMatch(/spread it over worker threads \(load\.workers, up to 2 on this machine's 4 cores\)/);
    expect(harnessWarnings(null, load(1.6), 2, 2)).toEqual([]);
    expect(harnessWarnings(null, load(1.8), 2, 2)[0]).toMatch(/--shard/);
  });

  it('warns when the source fell behind its plan or the event loop stalled', () => {
    const metrics = metricsOf({ sourceLagMs: summaryOf(1), eventLoopDelayMs: summaryOf(5) }); // p99 = 3 × p50
    expect(harnessWarnings(metrics, null, 1, 2)).toEqual([]);
    const behind = metricsOf({ sourceLagMs: summaryOf(10), eventLoopDelayMs: summaryOf(10) });
    const warnings = harnessWarnings(behind, null, 1, 2);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/event-loop delay p99 was 30\.0 ms/);
    expect(warnings[1]).toMatch(/source emitted up to 30\.0 ms \(p99 over streams\) behind its planned times/);
  });

  it('gives no load advice when one stream ran at a time (no load block, or a closed loop of one)', () => {
    const behind = metricsOf({ sourceLagMs: summaryOf(10), eventLoopDelayMs: summaryOf(10) });
    for (const oneAtATime of [null, { ...load(0.5), peakConcurrentStreams: 1 }]) {
      const [loopDelay, lag] = harnessWarnings(behind, oneAtATime, 1, 2);
      expect(loopDelay).toMatch(/one stream ran at a time, so it was that stream's own work \(client, renders, serializer\): use lighter client\/render settings$/);
      expect(lag).toMatch(/One stream ran at a time, so it was that stream's own work: its awaited broker writes/);
      expect(`${loopDelay} ${lag}`).not.toMatch(/concurrency|lower the load|--shard/);
    }
    const [loopDelay, lag] = harnessWarnings(behind, { ...load(0.5), peakConcurrentStreams: 10 }, 1, 2);
    expect(loopDelay).toMatch(/lower the concurrency or rate/);
    expect(lag).toMatch(/If the tool is busy, lower the load/);
  });
});

describe('load table', () => {
  it('is empty without load and lists each loaded config with its warnings', () => {
    const config: ConfigResult = {
      name: 'many',
      state: 'errored',
      message: '1 stream failed',
      settings: {},
      metrics: metricsOf({ tokenLatencyMs: summaryOf(4) }),
      iterations: [],
      load: {
        mode: 'open-loop',
        streamsStarted: 12,
        streamsFailed: 1,
        peakConcurrentStreams: 7,
        durationMs: 1000,
        deliveredTokensPerSecond: 480,
        completedStreamsPerSecond: 11,
        startDelayMs: summaryOf(1),
        toolCpuShare: 0.5,
      },
      warnings: ['the tool was busy'],
    };
    const document = { configs: [{ ...config, name: 'plain', load: undefined, warnings: undefined }] } as unknown as ResultDocument;
    expect(renderLoadTable(document)).toBe('');
    const table = renderLoadTable({ ...document, configs: [config] }, { wide: true });
    expect(table).toMatch(/many\s+│ errored\s+│ open-loop\s+│\s+12 │\s+1 │\s+7 │\s+480 │\s+12\.0 │/);
    expect(table).toMatch(/many: the tool was busy$/);
  });
});
