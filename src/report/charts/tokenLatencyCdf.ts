/**
 * Token-latency CDF per config: the share of tokens (y) that reached the client within a
 * latency (x, log scale, since configs differ by orders of magnitude). Drawn from each
 * config's p0…p100 list. Pure: configs in, an SVG string out.
 */
import type { ConfigResult } from '../../result/resultSchema.js';
import { escapeXml, legend, legendRows, logTicks, px, seriesColor, tickLabel } from './svg.js';

/** Latencies below this are drawn at it (log axes have no zero). */
const FLOOR_MS = 0.01;

/** The chart, or null when no config has a percentile list. */
export function tokenLatencyCdfSvg(configs: readonly ConfigResult[], width = 860): string | null {
  const series = configs
    .filter((config) => config.state === 'completed' && config.tokenLatencyPercentilesMs?.length === 101)
    .map((config) => ({ name: config.name, values: config.tokenLatencyPercentilesMs!.map((value) => Math.max(value, FLOOR_MS)) }));
  if (series.length === 0) return null;
  // Each series has 101 values (filtered above), so indexes 0 and 100 exist.
  const min = Math.min(...series.map((entry) => entry.values[0]!));
  const max = Math.max(...series.map((entry) => entry.values[100]!), min * 10);
  const ticks = logTicks(min, max);
  const [low, high] = [ticks[0]!, ticks.at(-1)!]; // max >= min, so logTicks gives at least one tick
  const left = 60;
  const right = 20;
  const top = 10;
  const plotWidth = width - left - right;
  const plotHeight = 260;
  const legendY = top + plotHeight + 44;
  const height = legendY + legendRows(series.length, plotWidth) * 16 + 6;
  const x = (value: number) => left + ((Math.log10(value) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * plotWidth;
  const y = (percent: number) => top + plotHeight - (percent / 100) * plotHeight;

  const parts: string[] = [];
  for (const tick of ticks) {
    parts.push(`<line x1="${px(x(tick))}" y1="${top}" x2="${px(x(tick))}" y2="${px(top + plotHeight)}" class="grid"/>`);
    parts.push(`<text x="${px(x(tick))}" y="${px(top + plotHeight + 14)}" class="tick" text-anchor="middle">${tickLabel(tick)}</text>`);
  }
  for (const percent of [0, 25, 50, 75, 90, 100]) {
    parts.push(`<line x1="${left}" y1="${px(y(percent))}" x2="${px(left + plotWidth)}" y2="${px(y(percent))}" class="grid"/>`);
    parts.push(`<text x="${left - 6}" y="${px(y(percent) + 4)}" class="tick" text-anchor="end">${percent}%</text>`);
  }
  parts.push(
    `<text x="${px(left + plotWidth / 2)}" y="${px(top + plotHeight + 32)}" class="axis" text-anchor="middle">token latency (client receive − source emit), ms, log scale</text>`,
  );
  series.forEach((entry, index) => {
    // A step per percentile: the share of tokens at or below each latency.
    const d = entry.values.map((value, percent) => `${percent === 0 ? 'M' : 'L'}${px(x(value))} ${px(y(percent))}`).join(' ');
    parts.push(
      `<path d="${d}" fill="none" stroke="${seriesColor(index)}" stroke-width="2" data-config="${escapeXml(entry.name)}"><title>${escapeXml(`${entry.name}: p50 ${entry.values[50]} ms, p99 ${entry.values[99]} ms`)}</title></path>`,
    );
  });
  parts.push(
    legend(
      series.map((entry) => entry.name),
      left,
      legendY,
      plotWidth,
    ),
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" data-chart="cdf" viewBox="0 0 ${width} ${px(height)}" width="${width}" height="${px(height)}" role="img" aria-label="token latency CDF per config">${parts.join('')}</svg>`;
}
