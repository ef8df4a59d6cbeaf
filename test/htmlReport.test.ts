/**
 * The HTML report: rendered from a real run of a tiny scenario, opened in a real headless
 * Chromium (Debian's chromium with playwright-core). The page must load without console
 * errors or failed requests, and every chart must have drawn content. Without Chromium or
 * playwright-core the browser part is skipped on a developer machine and fails under CI=true.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../src/report/htmlReport.js';
import { resultDocumentSchema, type ResultDocument } from '../src/result/resultSchema.js';
import { runCliInProcess } from './helpers/cli.js';
import { firstOf, itemAt, leadingOf } from './helpers/indexed.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The slice of playwright-core's API this test uses (typed here so type-checking does not need the package). */
interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Page {
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', listener: (error: Error) => void): void;
  on(event: 'requestfailed', listener: (request: { url(): string }) => void): void;
  on(event: 'request', listener: (request: { url(): string }) => void): void;
  goto(url: string, options?: { waitUntil?: 'load' }): Promise<unknown>;
  evaluate<T>(fn: () => T): Promise<T>;
}

/** Chromium launcher, or the reason there is none. */
async function chromiumLauncher(): Promise<{ launch: () => Promise<Browser> } | string> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install -y chromium)`;
  const moduleName = 'playwright-core';
  try {
    const playwright = (await import(moduleName)) as { chromium: { launch(options: object): Promise<Browser> } };
    return { launch: () => playwright.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true }) };
  } catch (error) {
    return `playwright-core cannot be imported (${(error as Error).message.split('\n')[0]})`;
  }
}

const launcher = await chromiumLauncher();
if (typeof launcher === 'string' && process.env.CI === 'true') {
  throw new Error(`CI needs Chromium for the HTML report test: ${launcher}`);
}
if (typeof launcher === 'string') console.warn(`Skipping the Chromium check of the HTML report: ${launcher}`);

describe('HTML report', () => {
  const folder = mkdtempSync(join(tmpdir(), 'streambench-report-'));
  const resultPath = join(folder, 'tiny.json');
  const htmlPath = join(folder, 'report.html');
  let result: ResultDocument;

  beforeAll(async () => {
    const run = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--out', resultPath, '--quiet']);
    expect(run.code).toBe(0);
    const report = await runCliInProcess(['report', resultPath, '--html', htmlPath, '--quiet']);
    expect(report.code).toBe(0);
    result = resultDocumentSchema.parse(JSON.parse(readFileSync(resultPath, 'utf8')));
  });

  it('the run records what the charts need: percentiles p0…p100 and one stream timeline per config', () => {
    for (const config of result.configs) {
      expect(config.tokenLatencyPercentilesMs).toHaveLength(101);
      const percentiles = config.tokenLatencyPercentilesMs!;
      expect(percentiles.every((value, index) => index === 0 || value >= itemAt(percentiles, index - 1, 'percentiles'))).toBe(true);
      expect(config.timeline!.stream).toBe(1);
      expect(config.timeline!.emitsMs).toHaveLength(config.timeline!.emitTokens.length);
      expect(config.timeline!.emitTokens.reduce((a, b) => a + b, 0)).toBe(50); // tiny.yaml: 50 tokens a stream
      expect(config.timeline!.receivesMs.length).toBeGreaterThan(0);
      expect(firstOf(config.iterations, 'config.iterations').counters?.eventsPerToken).toBeGreaterThan(0);
    }
  });

  it('is one self-contained file: no script, no external reference', () => {
    const html = readFileSync(htmlPath, 'utf8');
    expect(html).toBe(renderHtmlReport(result));
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    expect(html.match(/<svg /g)).toHaveLength(2 + result.configs.length); // stages, CDF, a timeline per config
  });

  it.skipIf(typeof launcher === 'string')('loads in headless Chromium without console errors and with non-empty charts', async () => {
    const browser = await (launcher as { launch: () => Promise<Browser> }).launch();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
      page.on('request', (request) => requests.push(request.url()));
      const url = pathToFileURL(htmlPath).href;
      await page.goto(url, { waitUntil: 'load' });
      // Runs in the page; typed loosely because the project's TypeScript has no DOM library.
      const charts = await page.evaluate(() =>
        [...(globalThis as any).document.querySelectorAll('svg[data-chart]')].map((svg: any) => {
          const box = svg.getBoundingClientRect();
          const marks: any[] = [...svg.querySelectorAll('rect[data-stage], path[data-config], path[data-lane]')];
          return {
            chart: svg.getAttribute('data-chart') as string,
            config: svg.getAttribute('data-config') as string | null,
            width: box.width as number,
            height: box.height as number,
            marks: marks.length,
            // Drawn marks have area: a bar's width or a line's bounding box.
            drawn: marks.filter((mark) => {
              const markBox = mark.getBBox();
              return markBox.width > 0 || markBox.height > 0;
            }).length,
            // Everything drawn lies inside the chart's own box (a label past the edge is cut off).
            outside: [...svg.querySelectorAll('text, rect, path, line')]
              .filter((element: any) => {
                const view = svg.viewBox.baseVal;
                const b = element.getBBox();
                return b.x < view.x - 0.5 || b.y < view.y - 0.5 || b.x + b.width > view.x + view.width + 0.5 || b.y + b.height > view.y + view.height + 0.5;
              })
              .map((element: any) => `${element.tagName} ${element.textContent ?? ''}`.trim()),
            // The axis's last tick, and the bars' values (stage chart): the axis must reach past the longest bar.
            lastTick: Math.max(...[...svg.querySelectorAll('text.tick')].map((tick: any) => Number(String(tick.textContent).replace(/k$/, 'e3').replace('%', '')))),
            values: [...svg.querySelectorAll('text.value')].map((value: any) => Number(String(value.textContent).replace(/ ms$/, ''))),
          };
        }),
      );
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]); // nothing fetched but the page itself
      expect(charts.map((chart) => chart.chart)).toEqual(['stages', 'cdf', 'timeline', 'timeline']);
      for (const chart of charts) {
        expect(chart.width, `${chart.chart} width`).toBeGreaterThan(100);
        expect(chart.height, `${chart.chart} height`).toBeGreaterThan(50);
        expect(chart.drawn, `${chart.chart} ${chart.config ?? ''} drawn marks`).toBe(chart.marks);
        expect(chart.outside, `${chart.chart} ${chart.config ?? ''}: drawn outside the chart`).toEqual([]);
      }
      // A labelled bar per config, and an axis reaching past the longest one.
      const [stagesChart, cdfChart, timelineChart] = leadingOf(charts, 3, 'charts');
      expect(stagesChart.values).toHaveLength(result.configs.length);
      expect(stagesChart.lastTick).toBeGreaterThanOrEqual(Math.max(...stagesChart.values));
      expect(stagesChart.marks).toBeGreaterThanOrEqual(2 * 3); // two configs, at least three stages each
      expect(cdfChart.marks).toBe(2); // a CDF line per config
      expect(timelineChart.marks).toBe(3); // emits, receives, renders
    } finally {
      await browser.close();
    }
  });
});
