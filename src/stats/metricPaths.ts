/**
 * Dotted metric paths into ConfigMetrics (`ttftMs.p50`, `stages.brokerRead.latencyMs.p99`,
 * `counters.jsonOpsPerToken`): the names `compare` rows and `--fail-on` rules use.
 */
import { STAGES } from '../probes/stages.js';
import type { ConfigMetrics, Summary } from '../result/resultSchema.js';

/** A statistic of a Summary (`n`, `min`, `p50`, ...). */
export type SummaryStatistic = keyof Summary;

/** Keys of ConfigMetrics whose value is a Summary. */
export type SummaryMetricKey = {
  [K in keyof ConfigMetrics]: ConfigMetrics[K] extends Summary | null ? K : never;
}[keyof ConfigMetrics];

/** The statistics of a Summary, in the order a Summary lists them. */
export const SUMMARY_STATISTICS: readonly SummaryStatistic[] = ['n', 'min', 'mean', 'p50', 'p90', 'p99', 'max', 'stddev'];

/** The statistics the compare table shows by default. */
export const DEFAULT_STATISTICS: readonly SummaryStatistic[] = ['mean', 'p50', 'p90', 'p99'];

/**
 * Every Summary-valued metric, in display order. Typed as a Record so that a Summary field
 * added to the schema fails to compile until it is listed here.
 */
const SUMMARY_METRIC_ORDER: Record<SummaryMetricKey, number> = {
  ttftMs: 0,
  timeToFirstByteMs: 1,
  timeToFirstEventMs: 2,
  tokenLatencyMs: 3,
  itlMs: 4,
  tpotMs: 5,
  e2eMs: 6,
  renderLatencyMs: 7,
  stalenessMs: 8,
  renderMs: 9,
  eventLoopDelayMs: 10,
  upstreamTimeToFirstByteMs: 11,
  upstreamTimeToFirstEventMs: 12,
  sourceLagMs: 13,
  paintDelayMs: 14,
};
const SUMMARY_METRIC_KEYS = (Object.keys(SUMMARY_METRIC_ORDER) as SummaryMetricKey[]).sort((a, b) => SUMMARY_METRIC_ORDER[a] - SUMMARY_METRIC_ORDER[b]);

/** The Summary-valued metrics of one stage. */
const STAGE_METRIC_KEYS = ['ttftMs', 'latencyMs'] as const;

/** Stage names of `metrics` in pipeline order; unknown stages follow in their own order. */
export function orderedStageNames(metrics: ConfigMetrics): string[] {
  const present = Object.keys(metrics.stages);
  const known = STAGES.filter((stage) => present.includes(stage));
  const unknown = present.filter((stage) => !(STAGES as readonly string[]).includes(stage));
  return [...known, ...unknown];
}

/** Adds `<prefix>.<statistic>` for each statistic of a non-null summary. */
export function addSummary(into: Map<string, number | string>, prefix: string, summary: Summary | null | undefined, statistics: readonly SummaryStatistic[]): void {
  if (!summary) return;
  for (const statistic of statistics) into.set(`${prefix}.${statistic}`, summary[statistic]);
}

/**
 * Flattens metrics into path → value: client summaries, then stages in pipeline order, then
 * counters by name, then event-loop delay. Null summaries are skipped; every counter is kept.
 */
export function flattenMetrics(metrics: ConfigMetrics, statistics: readonly SummaryStatistic[] = DEFAULT_STATISTICS): Map<string, number> {
  const flat = new Map<string, number>();
  for (const key of SUMMARY_METRIC_KEYS) {
    // Event-loop delay is harness overhead, not a pipeline metric: listed last.
    if (key !== 'eventLoopDelayMs') addSummary(flat, key, metrics[key], statistics);
  }
  for (const stage of orderedStageNames(metrics)) {
    for (const key of STAGE_METRIC_KEYS) {
      addSummary(flat, `stages.${stage}.${key}`, metrics.stages[stage]?.[key], statistics);
    }
  }
  for (const name of Object.keys(metrics.counters).sort()) {
    const value = metrics.counters[name];
    if (value !== undefined) flat.set(`counters.${name}`, value);
  }
  addSummary(flat, 'eventLoopDelayMs', metrics.eventLoopDelayMs, statistics);
  return flat;
}

/** Whether `name` is a Summary statistic. */
function isStatistic(name: string | undefined): name is SummaryStatistic {
  return name !== undefined && (SUMMARY_STATISTICS as readonly string[]).includes(name);
}

/**
 * The value at `path` (any Summary statistic, not only the defaults), or undefined when the
 * path names nothing or the summary is null.
 */
export function getMetricValue(metrics: ConfigMetrics, path: string): number | undefined {
  const parts = path.split('.');
  const [group] = parts;
  if (group === 'counters') {
    // Counter names are free-form, so everything after `counters.` is the name.
    const name = parts.slice(1).join('.');
    return Object.hasOwn(metrics.counters, name) ? metrics.counters[name] : undefined;
  }
  if (group === 'stages') {
    const [, stage, key, statistic, ...rest] = parts;
    if (rest.length > 0 || stage === undefined || !Object.hasOwn(metrics.stages, stage)) return undefined;
    if (key !== 'ttftMs' && key !== 'latencyMs') return undefined;
    const summary = metrics.stages[stage]?.[key];
    return summary && isStatistic(statistic) ? summary[statistic] : undefined;
  }
  const [key = '', statistic, ...rest] = parts;
  if (rest.length > 0 || !Object.hasOwn(SUMMARY_METRIC_ORDER, key)) return undefined;
  const summary = metrics[key as SummaryMetricKey];
  return summary && isStatistic(statistic) ? summary[statistic] : undefined;
}
