/**
 * CSV exports (RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold a comma,
 * a quote or a line break): one row per config of a result, or one row per verdict.
 */
import { addSummary, flattenMetrics, SUMMARY_STATISTICS } from '../stats/metricPaths.js';
import type { GateDecision } from '../stats/gateVerdicts.js';
import { type MetricVerdict, wordVerdicts } from './gateWording.js';
import type { ResultDocument, Summary } from '../result/resultSchema.js';

/** One CSV field: numbers in full precision, null as empty, text quoted when it must be. */
function field(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(value) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows to CSV text. */
export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return rows.map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

/** Text fields of a config's `load` and `target` blocks worth a column (the others are long: URLs, commands, logs). */
const TEXT_PATHS = new Set(['load.mode', 'target.format', 'target.verdict.kind']);

/** Whether `value` is a result Summary (n, p50, …): flattened to the same statistics as the metrics. */
function isSummary(value: object): value is Summary {
  return SUMMARY_STATISTICS.every((statistic) => typeof (value as Record<string, unknown>)[statistic] === 'number');
}

/**
 * A `load` or `target` block flattened into dotted paths: every number, every Summary's
 * statistics, the few short texts of TEXT_PATHS. Arrays (resource samples, verdict evidence) are left out.
 */
function flattenBlock(value: unknown, path: string, into: Map<string, number | string>): void {
  if (typeof value === 'number') into.set(path, value);
  else if (typeof value === 'string' && TEXT_PATHS.has(path)) into.set(path, value);
  else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    if (isSummary(value)) addSummary(into, path, value, SUMMARY_STATISTICS);
    else for (const [key, inner] of Object.entries(value)) flattenBlock(inner, `${path}.${key}`, into);
  }
}

/** One config's columns: its metric paths, then its load's (`load.completedStreamsPerSecond`), then its target's (`target.ttftAddedMs.p50`). */
function configColumns(config: ResultDocument['configs'][number]): Map<string, number | string> {
  const columns = new Map<string, number | string>(config.metrics ? flattenMetrics(config.metrics, SUMMARY_STATISTICS) : []);
  if (config.load) flattenBlock(config.load, 'load', columns);
  if (config.target) flattenBlock(config.target, 'target', columns);
  return columns;
}

/**
 * A result as CSV: one row per config (scenario, config, state, message), then every metric
 * path (`ttftMs.p50`, `stages.render.latencyMs.p99`, `counters.eventsPerToken`), load figure
 * (`load.completedStreamsPerSecond`, `load.toolCpuShare`) and target figure
 * (`target.verdict.kind`, `target.ttftAddedMs.p50`) present in any config as a column, in the
 * order the first config that has it lists it.
 */
export function resultToCsv(doc: ResultDocument): string {
  const flattened = doc.configs.map(configColumns);
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const metrics of flattened) {
    for (const key of metrics.keys()) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  const rows = doc.configs.map((config, index) => [
    doc.scenario.name,
    doc.runId,
    config.name,
    config.state,
    config.message ?? null,
    config.iterations.length,
    ...columns.map((column) => flattened[index]?.get(column) ?? null),
  ]);
  return toCsv([['scenario', 'runId', 'config', 'state', 'message', 'streams', ...columns], ...rows]);
}

/** Verdicts as CSV, one row each, numbers unformatted. */
export function verdictsToCsv(verdictsIn: readonly (GateDecision | MetricVerdict)[]): string {
  const verdicts = wordVerdicts(verdictsIn);
  const head = [
    'config',
    'metric',
    'verdict',
    'method',
    'base',
    'head',
    'change',
    'relativeChange',
    'ciLow',
    'ciHigh',
    'allowed',
    'gate',
    'baseSamples',
    'headSamples',
    'baseCv',
    'headCv',
    'reason',
    'warnings',
  ];
  const rows = verdicts.map((verdict) => [
    verdict.config,
    verdict.metric,
    verdict.verdict,
    verdict.method,
    verdict.base,
    verdict.head,
    verdict.change,
    verdict.relativeChange,
    verdict.interval?.low ?? null,
    verdict.interval?.high ?? null,
    verdict.allowed,
    verdict.gate,
    verdict.samples.base,
    verdict.samples.head,
    verdict.cv.base,
    verdict.cv.head,
    verdict.reason,
    verdict.warnings.join(' | '),
  ]);
  return toCsv([head, ...rows]);
}
