/** Small helpers shared by the inline-SVG charts: escaping, a palette, number ticks. Pure. */

/** Escapes text for HTML and SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Colour-blind-safe categorical palette (Okabe–Ito), cycled. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

/** The colour of series `index`. */
export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length]!; // the remainder is always in range
}

/** A coordinate to two decimals: enough for a screen, short in the file. */
export function px(value: number): string {
  return (Math.round(value * 100) / 100).toString();
}

/**
 * About `count` round tick values from 0 to the first one at or past `max` (1, 2 or 5 × 10ⁿ
 * steps): an axis that ends on the last tick reaches past the largest value, so no bar or line
 * is cut off.
 */
export function linearTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power;
  const ticks: number[] = [0];
  while (ticks.at(-1)! < max - step * 1e-9) ticks.push(Math.round((ticks.length * step) / step) * step);
  return ticks;
}

/** Roughly how wide `text` is drawn at the charts' 12 px sans-serif, for margins (generous: digits are ~7 px). */
export function textWidth(text: string): number {
  return text.length * 7.5;
}

/** Powers of ten from ≤ min to ≥ max (log axes). */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let exponent = Math.floor(Math.log10(min)); exponent <= Math.ceil(Math.log10(max)); exponent++) ticks.push(10 ** exponent);
  return ticks;
}

/** A tick label: `0.01`, `1`, `250`, `1.5k`. */
export function tickLabel(value: number): string {
  if (value >= 1000) return `${Number((value / 1000).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

/** A legend: a coloured square and a name per series, laid out in a row that wraps by count. */
export function legend(names: readonly string[], x: number, y: number, width: number): string {
  const perRow = Math.max(1, Math.floor(width / 170));
  return names
    .map((name, index) => {
      const lx = x + (index % perRow) * 170;
      const ly = y + Math.floor(index / perRow) * 16;
      return `<rect x="${px(lx)}" y="${px(ly - 9)}" width="10" height="10" fill="${seriesColor(index)}"/><text x="${px(lx + 14)}" y="${px(ly)}" class="legend">${escapeXml(name)}</text>`;
    })
    .join('');
}

/** Rows a legend of `count` names takes at `width`. */
export function legendRows(count: number, width: number): number {
  return Math.ceil(count / Math.max(1, Math.floor(width / 170)));
}
