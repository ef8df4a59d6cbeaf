import { describe, expect, it } from 'vitest';
import { harnessLimit, harnessShare, harnessWarnings } from '../src/load/harnessWarnings.js';
import type { ConfigResult, ResultDocument } from '../src/result/resultSchema.js';
import { renderHarnessLimits, renderLoadTable } from '../src/report/tables.js';
import { renderResultMarkdown } from '../src/report/markdown.js';
import { renderHtmlReport } from '../src/report/htmlReport.js';
import { metricsOf, summaryOf } from './helpers/resultFixtures.js';

const load = (toolCpuShare: number, mode: 'closed-loop' | 'sequential' = 'closed-loop', durationMs = 1000): NonNullable<ConfigResult['load']> => ({
  mode,
  streamsStarted: 10,
  streamsFailed: 0,
  durationMs,
  deliveredTokensPerSecond: 100,
  completedStreamsPerSecond: 1,
  startDelayMs: null,
  toolCpuShare,
});

describe('the harness as the limit of a load', () => {
  it('is named when the tool used nearly all the cores its threads could use', () => {
    expect(harnessLimit(null, load(0.8), 1, 2)).toBeNull();
    expect(harnessLimit(null, load(0.9), 1, 2)).toMatch(/^the tool itself was the limit of this load, not the system under test: it used 0\.90 of the 1 core it could use/);
    expect(harnessLimit(null, load(1.6), 2, 2)).toBeNull();
    expect(harnessLimit(null, load(1.8), 2, 2)).toMatch(/1\.80 of the 2 cores/);
  });

  it('is named when the event loop was late and the source fell behind its plan, not for either alone', () => {
    const late = metricsOf({ eventLoopDelayMs: summaryOf(10), sourceLagMs: summaryOf(100) }); // p99 = 3 × p50
    expect(harnessLimit(late, load(0.2), 1, 2)).toMatch(/event loop was up to 30 ms late \(p99\) and the source fell up to 300 ms behind its plan/);
    expect(harnessLimit(metricsOf({ sourceLagMs: summaryOf(100) }), load(0.2), 1, 2)).toBeNull();
    expect(harnessLimit(metricsOf({ eventLoopDelayMs: summaryOf(10) }), load(0.2), 1, 2)).toBeNull();
  });

  it('is not named, nor warned of, from the CPU share of a window under a second (start-up work on helper threads)', () => {
    expect(harnessLimit(null, load(1.8, 'closed-loop', 51), 1, 2)).toBeNull();
    expect(harnessWarnings(null, load(1.8, 'sequential', 51), 1, 2)).toEqual([]);
    expect(harnessWarnings(null, load(1.8, 'sequential', 1000), 1, 2)).toEqual([expect.stringMatching(/^the tool used 180 % of a core \(1 thread, 2 cores\)/)]);
  });

  it('advises what relieves the tool on this machine: worker threads only where the cores carry them, else a lower load or --shard', () => {
    const twoCores = harnessLimit(null, load(0.9), 1, 2);
    expect(twoCores).toMatch(/; lower the load or split it over machines with --shard \(2 cores carry one load thread: more lag, not less\)$/);
    expect(twoCores).not.toMatch(/load\.workers/);
    expect(harnessLimit(null, load(0.9), 1, 4)).toMatch(/; spread it over worker threads \(load\.workers, up to 2 on this machine's 4 cores\) or machines \(--shard\)$/);
    // A split producer side already uses its second core: no worker threads to add, whatever the machine.
    expect(harnessLimit(null, load(1.8), 2, 4, true)).toMatch(/; lower the load or split it over machines with --shard \(4 cores carry 2 load threads: more lag, not less\)$/);
    // On cores that carry more than a split load's two threads, no claim that more threads would lag more.
    expect(harnessLimit(null, load(1.8), 2, 8, true)).toMatch(/; lower the load or split it over machines with --shard$/);
    const lagging = metricsOf({ sourceLagMs: summaryOf(100) });
    expect(harnessWarnings(lagging, load(0.2), 1, 2)[0]).toMatch(/If the tool is busy, lower the load or split it over machines with --shard \(2 cores carry one load thread/);
  });

  it('is never named for streams run one after another', () => {
    expect(harnessLimit(null, load(1.9, 'sequential'), 1, 2)).toBeNull();
  });

  it("states the tool's own share in cores and of the cores it could use", () => {
    expect(harnessShare(load(0.5), 1, 2)).toBe("the tool's own share: 0.50 cores, 50 % of the 1 core its 1 thread could use");
    expect(harnessShare(load(1.5), 4, 2)).toBe("the tool's own share: 1.50 cores, 75 % of the 2 cores its 4 threads could use");
  });
});

describe('load output', () => {
  const config = (name: string, toolCpuShare: number, workers?: number): ConfigResult => ({
    name,
    state: 'completed',
    settings: workers ? { load: { workers } } : {},
    metrics: metricsOf({ tokenLatencyMs: summaryOf(4) }),
    iterations: [],
    load: load(toolCpuShare),
  });

  it('says first, in words, which load the tool limited, then the table, then every config’s share', () => {
    const document = { context: { cores: 2 }, configs: [config('calm', 0.3), config('swamped', 1.9, 2)] } as unknown as ResultDocument;
    const lines = renderLoadTable(document).split('\n');
    expect(lines[0]).toMatch(/^swamped — The tool itself was the limit of this load/);
    const tableStart = lines.findIndex((line) => line.includes('calm'));
    expect(tableStart).toBeGreaterThan(0);
    expect(lines.findIndex((line) => /limit of this load/.test(line))).toBeLessThan(tableStart);
    expect(lines).toContain("calm: the tool's own share: 0.30 cores, 30 % of the 1 core its 1 thread could use");
    expect(lines).toContain("swamped: the tool's own share: 1.90 cores, 95 % of the 2 cores its 2 threads could use");
    expect(renderHarnessLimits(document)).toMatch(/^swamped — /);
    expect(renderHarnessLimits(document)).not.toMatch(/calm/);
    expect(renderLoadTable(document, { harnessLimitsFirst: false })).not.toMatch(/limit of this load/);
  });

  it('says nothing about a limit when no load was limited by the tool', () => {
    const document = { context: { cores: 2 }, configs: [config('calm', 0.3)] } as unknown as ResultDocument;
    expect(renderHarnessLimits(document)).toBe('');
    expect(renderLoadTable(document).split('\n')[0]).not.toMatch(/limit/);
  });
});

describe('every rendering of a load result (markdown, HTML)', () => {
  const config = (name: string, toolCpuShare: number): ConfigResult => ({
    name,
    state: 'completed',
    settings: {},
    metrics: metricsOf({ tokenLatencyMs: summaryOf(4) }),
    iterations: [],
    load: load(toolCpuShare),
  });
  const document = {
    runId: 'r1',
    scenario: { name: 'load', file: null, contentHash: '', settings: { description: 'at 300 streams' } },
    context: { cores: 2, node: 'v20', os: 'linux', cpuModel: 'cpu', gitCommit: null, startedAt: '2026-12-01T00:00:00Z' },
    configs: [config('calm', 0.3), config('swamped', 0.95)],
  } as unknown as ResultDocument;
  /** Where the first figure (a digit) of the result's own text starts, after `from`. */
  const firstFigure = (text: string, from: number) => from + text.slice(from).search(/\d/);

  it('markdown says which load the tool limited right under the title, before any figure, and states every share', () => {
    const markdown = renderResultMarkdown(document);
    const titleEnd = markdown.indexOf('\n');
    const limit = markdown.indexOf('swamped — The tool itself was the limit of this load');
    expect(limit).toBeGreaterThan(titleEnd);
    expect(limit).toBeLessThan(firstFigure(markdown, titleEnd));
    expect(markdown).toContain("calm: the tool's own share: 0.30 cores, 30 % of the 1 core its 1 thread could use");
    expect(markdown).toContain("swamped: the tool's own share: 0.95 cores");
    expect(markdown).not.toMatch(/calm — The tool itself/);
  });

  it('HTML says which load the tool limited right under the title, before any figure, and states every share', () => {
    const html = renderHtmlReport(document);
    const body = html.indexOf('<h1>');
    const titleEnd = html.indexOf('</h1>', body);
    const limit = html.indexOf('swamped — The tool itself was the limit of this load');
    expect(limit).toBeGreaterThan(titleEnd);
    expect(limit).toBeLessThan(
      firstFigure(
        html.replace(/<[^>]*>/g, (tag) => ' '.repeat(tag.length)),
        titleEnd,
      ),
    );
    expect(html).toContain('calm: the tool&#39;s own share: 0.30 cores');
  });

  it('a sequential run states no share and no limit', () => {
    const sequential = { ...document, configs: [{ ...config('one', 1.9), load: load(1.9, 'sequential') }] } as unknown as ResultDocument;
    expect(renderResultMarkdown(sequential)).not.toMatch(/own share|limit of this load/);
  });
});
