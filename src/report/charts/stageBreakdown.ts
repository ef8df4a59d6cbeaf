/**
 * Per-stage latency breakdown: one stacked horizontal bar per config, a segment per stage of
 * its mean latency per token (means add up, so the bar is the mean token latency to the stage
 * reached last). Pure: configs in, an SVG string out.
 */
import { STAGES } from '../../probes/stages.js';
import type { CompletedConfig, ConfigResult } from '../../result/resultSchema.js';
import { formatNumber } from '../format.js';
import { escapeXml, legend, legendRows, linearTicks, px, seriesColor, textWidth, tickLabel } from './svg.js';

/** Stages after `emit`: the ones that take time. */
const TIMED_STAGES = STAGES.filter((stage) => stage !== 'emit');

/** The chart, or null when no config has stage latencies. */
export function stageBreakdownSvg(configs: readonly ConfigResult[], width = 860): string | null {
  const rows = configs
    .filter((config): config is CompletedConfig => config.state === 'completed')
    .map((config) => ({
      name: config.name,
      segments: TIMED_STAGES.map((stage) => ({ stage, summary: config.metrics.stages[stage]?.latencyMs ?? null })),
    }))
    .filter((row) => row.segments.some((segment) => segment.summary));
  if (rows.length === 0) return null;
  const total = (row: (typeof rows)[number]) => row.segments.reduce((sum, segment) => sum + (segment.summary?.mean ?? 0), 0);
  const max = Math.max(...rows.map(total), 1e-3);
  const ticks = linearTicks(max);
  const scaleMax = Math.max(ticks.at(-1)!, max);
  const left = 170;
  // Room after the longest bar for its label ("123 ms"): the slowest config is the one a reader looks for.
  const right = Math.max(20, ...rows.map((row) => textWidth(`${formatNumber(total(row))} ms`) + 12));
  const barHeight = 22;
  const gap = 10;
  const top = 10;
  const plotWidth = width - left - right;
  const plotHeight = rows.length * (barHeight + gap);
  const legendY = top + plotHeight + 52;
  const height = legendY + legendRows(TIMED_STAGES.length, plotWidth) * 16 + 6;
  const x = (value: number) => left + (value / scaleMax) * plotWidth;

  const parts: string[] = [];
  for (const tick of ticks) {
    parts.push(`<line x1="${px(x(tick))}" y1="${top}" x2="${px(x(tick))}" y2="${px(top + plotHeight)}" class="grid"/>`);
    parts.push(`<text x="${px(x(tick))}" y="${px(top + plotHeight + 14)}" class="tick" text-anchor="middle">${tickLabel(tick)}</text>`);
  }
  parts.push(`<text x="${px(left + plotWidth / 2)}" y="${px(top + plotHeight + 30)}" class="axis" text-anchor="middle">mean latency per token, ms (stacked by stage)</text>`);
  rows.forEach((row, rowIndex) => {
    const y = top + rowIndex * (barHeight + gap);
    parts.push(`<text x="${left - 8}" y="${px(y + barHeight * 0.7)}" class="label" text-anchor="end">${escapeXml(row.name)}</text>`);
    let offset = 0;
    row.segments.forEach((segment, stageIndex) => {
      if (!segment.summary) return;
      const w = (segment.summary.mean / scaleMax) * plotWidth;
      const title = `${row.name} · ${segment.stage}: mean ${formatNumber(segment.summary.mean)} ms, p50 ${formatNumber(segment.summary.p50)} ms, p99 ${formatNumber(segment.summary.p99)} ms`;
      parts.push(
        `<rect x="${px(x(offset))}" y="${px(y)}" width="${px(Math.max(w, 0.5))}" height="${barHeight}" fill="${seriesColor(stageIndex)}" data-stage="${segment.stage}"><title>${escapeXml(title)}</title></rect>`,
      );
      offset += segment.summary.mean;
    });
    parts.push(`<text x="${px(x(offset) + 4)}" y="${px(y + barHeight * 0.7)}" class="value">${formatNumber(offset)} ms</text>`);
  });
  parts.push(legend(TIMED_STAGES, left, legendY, plotWidth));
  return `<svg xmlns="http://www.w3.org/2000/svg" data-chart="stages" viewBox="0 0 ${width} ${px(height)}" width="${width}" height="${px(height)}" role="img" aria-label="per-stage latency breakdown">${parts.join('')}</svg>`;
}
