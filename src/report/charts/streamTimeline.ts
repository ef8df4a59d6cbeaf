/**
 * One stream's timeline: three lanes of ticks over time since the request started — when the
 * source emitted a chunk, when the client received an event, when it rendered. Pure: a
 * timeline in, an SVG string out.
 */
import type { StreamTimeline } from '../../result/resultSchema.js';
import { escapeXml, linearTicks, px, seriesColor, tickLabel } from './svg.js';

const LANES = [
  { key: 'emitsMs', label: 'source emits' },
  { key: 'receivesMs', label: 'client receives' },
  { key: 'rendersMs', label: 'renders' },
] as const;

/** The chart of `timeline`, scaled to `maxMs` so the configs' timelines line up. */
export function streamTimelineSvg(configName: string, timeline: StreamTimeline, maxMs: number, width = 860): string {
  const left = 120;
  const right = 20;
  const top = 8;
  const laneHeight = 24;
  const plotWidth = width - left - right;
  const plotHeight = LANES.length * laneHeight;
  const height = top + plotHeight + 34;
  const ticks = linearTicks(maxMs, 8);
  const scaleMax = Math.max(ticks.at(-1)!, 1e-3);
  const x = (ms: number) => left + (Math.max(0, ms) / scaleMax) * plotWidth;
  const parts: string[] = [];
  for (const tick of ticks) {
    parts.push(`<line x1="${px(x(tick))}" y1="${top}" x2="${px(x(tick))}" y2="${px(top + plotHeight)}" class="grid"/>`);
    parts.push(`<text x="${px(x(tick))}" y="${px(top + plotHeight + 14)}" class="tick" text-anchor="middle">${tickLabel(tick)}</text>`);
  }
  parts.push(
    `<text x="${px(left + plotWidth / 2)}" y="${px(top + plotHeight + 30)}" class="axis" text-anchor="middle">ms since the request started (stream ${timeline.stream})</text>`,
  );
  LANES.forEach((lane, index) => {
    const y = top + index * laneHeight;
    const times = timeline[lane.key];
    parts.push(`<text x="${left - 8}" y="${px(y + laneHeight * 0.65)}" class="label" text-anchor="end">${lane.label} (${times.length})</text>`);
    if (times.length === 0) return;
    // One path of vertical strokes per lane keeps a 2,000-token stream small.
    const d = times.map((ms) => `M${px(x(ms))} ${px(y + 4)}V${px(y + laneHeight - 4)}`).join('');
    parts.push(
      `<path d="${d}" stroke="${seriesColor(index)}" stroke-width="1" data-lane="${lane.key}"><title>${escapeXml(`${configName}: ${times.length} ${lane.label}`)}</title></path>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" data-chart="timeline" data-config="${escapeXml(configName)}" viewBox="0 0 ${width} ${px(height)}" width="${width}" height="${px(height)}" role="img" aria-label="timeline of one stream of ${escapeXml(configName)}">${parts.join('')}</svg>`;
}
