/**
 * The render table: what a user sees of each config's stream — time to first paint, how long
 * received text waited to be painted, how often the client painted — with the browser's own
 * figures (long tasks, dropped frames, the clock calibration's error) beside the modelled
 * clients' rows. Returns a string; printing is the caller's business.
 */
import type { ResultDocument, Summary } from '../result/resultSchema.js';
import { formatCount, formatMs } from './format.js';
import { fitTable, type FitColumn, type FitRow } from './fitTable.js';
import { layoutOf, type TableLayout } from './tables.js';
import { clientOf } from './configKinds.js';

/** Headers kept narrow so the table fits 120 columns; per stream: long tasks and dropped frames. */
export const RENDER_HEAD = [
  'config',
  'client render',
  '1st paint\np50 (ms)',
  'stale\np50 (ms)',
  'stale\np99 (ms)',
  'renders\n/stream',
  'long\ntasks',
  'dropped\nframes',
  'clock\nerr (ms)',
];

const p = (summary: Summary | null | undefined, key: 'p50' | 'p99') => (summary ? summary[key] : undefined);

/**
 * One row per config: first paint (request start → first content painted), staleness p50/p99
 * (paint − receive), renders per stream, and the browser's long tasks and dropped frames per
 * stream and clock calibration error (— for modelled clients).
 */
export function renderRenderTable(doc: ResultDocument, layout?: TableLayout): string {
  // The browser's own figures go first when the width is short (the table says which it hid).
  const columns: FitColumn[] = RENDER_HEAD.map((head, index) => ({ head, align: index < 2 ? 'left' : 'right', ...(index >= 6 && { dropOrder: RENDER_HEAD.length - index }) }));
  const rows: FitRow[] = [];
  for (const config of doc.configs) {
    const { type, render } = clientOf(config);
    const metrics = config.metrics;
    if (!metrics) {
      rows.push({ lead: [config.name, `${type} ${render}`], message: config.message === undefined ? config.state : `${config.state}: ${config.message}` });
      continue;
    }
    const counters = metrics.counters;
    rows.push([
      config.name,
      `${type} ${render}`,
      formatMs(p(metrics.stages.render?.ttftMs, 'p50')),
      formatMs(p(metrics.stalenessMs, 'p50')),
      formatMs(p(metrics.stalenessMs, 'p99')),
      formatCount(counters.rendersPerStream),
      formatCount(counters.longTasksPerStream),
      formatCount(counters.droppedFramesPerStream),
      formatMs(counters.clockCalibrationErrorMaxMs),
    ]);
  }
  return fitTable(columns, rows, layoutOf(layout));
}
