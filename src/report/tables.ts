/**
 * Plain-text tables (cli-table3, no colours) of a result document and of a comparison. Every
 * function returns a string; printing is the caller's business.
 */
import type { CompletedConfig, ConfigResult, ResultDocument, Summary } from '../result/resultSchema.js';
import type { Comparison } from '../stats/compareResults.js';
import { orderedStageNames } from '../stats/metricPaths.js';
import type { Breach } from '../stats/rules.js';
import { formatCount, formatMs, formatPercent, formatSigned } from './format.js';
import { harnessShare, harnessStatements, loadThreadsOf, splitOf, workersChoiceNote } from '../load/harnessWarnings.js';
import { fitTable, type FitColumn, type FitOptions, type FitRow, wrapWords } from './fitTable.js';
import { DEFAULT_WIDTH } from './terminalWidth.js';
import { BoxTable } from './boxTable.js';
import { hasBrowserClient, isTargetConfig } from './configKinds.js';

/** How a table is laid out: the width to fit (default 120) and whether to show every column anyway. */
export type TableLayout = Partial<FitOptions>;

/** The layout with its defaults filled in. */
export function layoutOf(layout: TableLayout | undefined): FitOptions {
  return { width: layout?.width ?? DEFAULT_WIDTH, wide: layout?.wide ?? false };
}

/** Messages wider than this are wrapped so one long error does not stretch the whole table. */
const MESSAGE_WIDTH = 100;

/** Marks a breached row in the comparison table. */
export const BREACH_MARK = '✗';

/**
 * A table without ANSI colours (output goes to logs and files) and without row separators;
 * text columns are left-aligned, number columns right-aligned.
 */
export function plainTable(head: string[], isTextColumn: (index: number) => boolean): BoxTable {
  return new BoxTable(
    head,
    head.map((_, index) => (isTextColumn(index) ? 'left' : 'right')),
  );
}

/** Wraps text at word boundaries to at most `width` characters per line (a longer word is cut). */
export const wrapText = wrapWords;

/** Whether the config has metrics to show. */
export function hasMetrics(config: ConfigResult): config is ConfigResult & { metrics: CompletedConfig['metrics'] } {
  return config.metrics !== null;
}

/**
 * A line per config that ended early (errored, interrupted) with streams measured before: its
 * figures are in the tables, and this says they are partial and why.
 */
export function partialNotes(doc: ResultDocument): string[] {
  return doc.configs
    .filter((config) => config.state !== 'completed' && hasMetrics(config))
    .map((config) => `${config.name}: ${config.state}${config.message ? `: ${config.message}` : ''} — its figures are those of the streams measured before it ended`);
}

/** One statistic of a possibly-null summary. */
function stat(summary: Summary | null | undefined, statistic: keyof Summary): number | undefined {
  return summary ? summary[statistic] : undefined;
}

export const SUMMARY_HEAD = [
  'config',
  'state',
  'TTFT\np50 (ms)',
  'token lat.\np50 (ms)',
  'token lat.\np99 (ms)',
  'ITL\np50 (ms)',
  'e2e\np50 (ms)',
  'staleness\np99 (ms)',
  'events\n/token',
  'bytes\n/token',
  'JSON ops\n/token',
  'CPU µs\n/token',
  'renders\n/stream',
];

/** Counters shown in the summary table, in column order. */
const SUMMARY_COUNTERS = ['eventsPerToken', 'bytesPerToken', 'jsonOpsPerToken', 'cpuUsPerToken', 'rendersPerStream'];

/** The summary table's number cells of a completed config, in SUMMARY_HEAD order after config and state. */
export function summaryCells(config: ConfigResult): string[] {
  const metrics = config.metrics;
  return [
    formatMs(stat(metrics?.ttftMs, 'p50')),
    formatMs(stat(metrics?.tokenLatencyMs, 'p50')),
    formatMs(stat(metrics?.tokenLatencyMs, 'p99')),
    formatMs(stat(metrics?.itlMs, 'p50')),
    formatMs(stat(metrics?.e2eMs, 'p50')),
    formatMs(stat(metrics?.stalenessMs, 'p99')),
    ...SUMMARY_COUNTERS.map((name) => formatCount(metrics?.counters[name])),
  ];
}

/**
 * Which summary columns give way first when the table must fit a narrow terminal (lower: hidden
 * first). The state column goes first: a config that did not complete shows its state in its message.
 */
const SUMMARY_DROP_ORDER: Record<string, number> = {
  state: 1,
  'e2e\np50 (ms)': 2,
  'CPU µs\n/token': 3,
  'ITL\np50 (ms)': 4,
  'renders\n/stream': 5,
  'bytes\n/token': 6,
  'staleness\np99 (ms)': 7,
  'JSON ops\n/token': 8,
  'token lat.\np50 (ms)': 9,
  'events\n/token': 10,
};

/** One row per config with the headline numbers (a config that ended early, those of its streams measured, said under the table); one without any shows its message. */
export function renderSummaryTable(doc: ResultDocument, layout?: TableLayout): string {
  // The user's app has no JSON calls or CPU of the tool's simulated relay to count (the CPU would be streambench's own), nor renders without a browser.
  const notMeasured = doc.configs.every(isTargetConfig)
    ? new Set(['JSON ops\n/token', 'CPU µs\n/token', ...(hasBrowserClient(doc) ? [] : ['renders\n/stream'])])
    : new Set<string>();
  const kept = SUMMARY_HEAD.flatMap((head, index) => (notMeasured.has(head) ? [] : [index]));
  // A row of partial figures keeps its state in view.
  const notes = partialNotes(doc);
  const partial = notes.length > 0;
  const dropOrderOf = (head: string) => (partial && head === 'state' ? undefined : SUMMARY_DROP_ORDER[head]);
  const columns: FitColumn[] = kept.map((index) => ({ head: SUMMARY_HEAD[index]!, align: index < 2 ? 'left' : 'right', dropOrder: dropOrderOf(SUMMARY_HEAD[index]!) }));
  const rows: FitRow[] = doc.configs.map((config) => {
    if (!hasMetrics(config)) return { lead: [config.name, config.state], message: stateAndMessage(config) };
    const cells = [config.name, config.state, ...summaryCells(config)];
    return kept.map((index) => cells[index]!);
  });
  const options = layoutOf(layout);
  return [fitTable(columns, rows, options), ...notes.map((note) => wrapWords(note, options.width))].join('\n');
}

/** `errored: <message>`, or the state alone when there is no message. */
function stateAndMessage(config: ConfigResult): string {
  return config.message === undefined ? config.state : `${config.state}: ${config.message}`;
}

/** A message up to this long is repeated in the tables after the summary; a longer one is pointed to. */
const REPEATED_MESSAGE_LENGTH = 80;

/** Why a config has no figures, in the tables after the summary: its message when short, else where the summary table gives it in full. */
function stateText(config: ConfigResult): string {
  const full = stateAndMessage(config);
  if (config.message === undefined) return full;
  return full.length <= REPEATED_MESSAGE_LENGTH ? full : `${config.state} (the summary table above says why)`;
}

/**
 * The counters a scenario is about (its `columns:`), one row per config: what its description
 * tells the reader to watch. Empty when the scenario names none.
 */
export function renderScenarioCountersTable(doc: ResultDocument, layout?: TableLayout): string {
  const names = scenarioColumns(doc);
  if (names.length === 0) return '';
  // Long counter names break before their unit ("redisCommands\nPerToken"), and the rightmost go first when the width is short (the table says which).
  const columns: FitColumn[] = [
    { head: 'config', align: 'left' },
    ...names.map((name, index) => ({ head: name.replace(/(?=Per[A-Z])/, '\n'), align: 'right' as const, ...(index > 0 && { dropOrder: names.length - index }) })),
  ];
  const rows: FitRow[] = doc.configs.map((config) =>
    hasMetrics(config) ? [config.name, ...names.map((name) => formatCount(config.metrics.counters[name]))] : { lead: [config.name], message: stateText(config) },
  );
  return fitTable(columns, rows, layoutOf(layout));
}

/** The counter names a scenario's `columns:` lists (recorded in the result's settings). */
export function scenarioColumns(doc: ResultDocument): string[] {
  const columns = doc.scenario.settings.columns;
  return Array.isArray(columns) ? columns.filter((name): name is string => typeof name === 'string') : [];
}

const STAGE_HEAD = ['config', 'stage', 'TTFT\np50 (ms)', 'latency\np50 (ms)', 'latency\np99 (ms)'];

/** Rows per config and stage (pipeline order, stages present only): TTFT and stage latency. */
export function renderStageTable(doc: ResultDocument, _layout?: TableLayout): string {
  const table = plainTable(STAGE_HEAD, (index) => index < 2);
  for (const config of doc.configs) {
    if (!hasMetrics(config)) {
      table.push([config.name, { colSpan: STAGE_HEAD.length - 1, content: stateText(config), hAlign: 'left' }]);
      continue;
    }
    const stages = orderedStageNames(config.metrics);
    if (stages.length === 0) {
      table.push([config.name, { colSpan: STAGE_HEAD.length - 1, content: 'no stages recorded', hAlign: 'left' }]);
    }
    for (const stage of stages) {
      const stageMetrics = config.metrics.stages[stage];
      if (!stageMetrics) continue; // orderedStageNames lists recorded stages only
      const { ttftMs, latencyMs } = stageMetrics;
      table.push([config.name, stage, formatMs(stat(ttftMs, 'p50')), formatMs(stat(latencyMs, 'p50')), formatMs(stat(latencyMs, 'p99'))]);
    }
  }
  return table.toString();
}

/** Counters and sample counts are counts; everything else in a metric path is milliseconds. */
function formatterFor(metric: string): (value: number | null | undefined) => string {
  return metric.startsWith('counters.') || metric.endsWith('.n') ? formatCount : formatMs;
}

const COMPARISON_HEAD = ['config', 'metric', 'base', 'head', 'Δ', 'Δ%', 'breach'];

/** The numbers of one comparison-table row. */
interface ComparedValues {
  config: string;
  metric: string;
  base: number;
  head: number;
  change: number;
  relativeChange: number | null;
}

/**
 * One row per compared metric, with Δ, Δ% and the breached rules marked; a breach on a metric
 * outside the rows (e.g. a rule on `ttftMs.max`) gets a row after its config's rows so none goes
 * unseen. Configs that could not be compared are listed below the table.
 */
export function renderComparisonTable(comparison: Comparison, breaches: readonly Breach[]): string {
  const keyOf = (config: string, metric: string): string => JSON.stringify([config, metric]);
  const rulesByRow = new Map<string, string[]>();
  for (const breach of breaches) {
    const key = keyOf(breach.config, breach.metric);
    rulesByRow.set(key, [...(rulesByRow.get(key) ?? []), breach.rule]);
  }

  const rows: ComparedValues[] = comparison.rows.map((row) => ({ ...row, change: row.absoluteChange }));
  const shown = new Set(rows.map((row) => keyOf(row.config, row.metric)));
  for (const breach of breaches) {
    const key = keyOf(breach.config, breach.metric);
    if (shown.has(key)) continue;
    shown.add(key);
    const lastOfConfig = rows.map((row) => row.config).lastIndexOf(breach.config);
    rows.splice(lastOfConfig === -1 ? rows.length : lastOfConfig + 1, 0, breach);
  }

  const lastColumn = COMPARISON_HEAD.length - 1;
  const table = plainTable(COMPARISON_HEAD, (index) => index < 2 || index === lastColumn);
  for (const row of rows) {
    const format = formatterFor(row.metric);
    const rules = rulesByRow.get(keyOf(row.config, row.metric));
    table.push([
      row.config,
      row.metric,
      format(row.base),
      format(row.head),
      formatSigned(row.change, format),
      formatPercent(row.relativeChange),
      rules ? `${BREACH_MARK} ${rules.join(', ')}` : '',
    ]);
  }

  const notes: string[] = [];
  if (comparison.onlyInBase.length > 0) notes.push(`only in base: ${comparison.onlyInBase.join(', ')}`);
  if (comparison.onlyInHead.length > 0) notes.push(`only in head: ${comparison.onlyInHead.join(', ')}`);
  for (const entry of comparison.notCompared) {
    const side = (state: string, message: string | undefined): string => (message === undefined ? state : `${state} (${message})`);
    notes.push(`not compared: ${entry.config}: base ${side(entry.baseState, entry.baseMessage)}, head ${side(entry.headState, entry.headMessage)}`);
  }
  const body = rows.length > 0 ? table.toString() : 'no metrics in common';
  return [body, ...notes].join('\n');
}

/**
 * Every counter (rows, by name) of every config with metrics (columns, in document order). Configs
 * that do not fit the width beside each other go on into another table, the counters repeated.
 */
export function renderCountersTable(doc: ResultDocument, layout?: TableLayout): string {
  const configs = doc.configs.filter(hasMetrics);
  const names = [...new Set(configs.flatMap((config) => Object.keys(config.metrics.counters)))].sort();
  if (names.length === 0) return 'no counters recorded';
  const { width, wide } = layoutOf(layout);
  // Borders and padding: 1 at the left, then 3 per column.
  const nameWidth = Math.max('counter'.length, ...names.map((name) => name.length)) + 3 + 1;
  const columnWidth = (config: (typeof configs)[number]) => Math.max(config.name.length, ...names.map((name) => formatCount(config.metrics.counters[name]).length)) + 3;
  const groups: (typeof configs)[] = [];
  for (const config of configs) {
    const group = groups.at(-1);
    const used = group ? nameWidth + group.reduce((sum, member) => sum + columnWidth(member), 0) : Infinity;
    if (group && (wide || used + columnWidth(config) <= width)) group.push(config);
    else groups.push([config]);
  }
  return groups
    .map((group) => {
      const table = plainTable(['counter', ...group.map((config) => config.name)], (index) => index === 0);
      for (const name of names) table.push([name, ...group.map((config) => formatCount(config.metrics.counters[name]))]);
      return table.toString();
    })
    .join('\n');
}

export const LOAD_HEAD = [
  'config',
  'state',
  'mode',
  'streams\nstarted',
  'streams\nfailed',
  'peak\nin flight',
  'tokens/s\ndelivered',
  'token lat.\np99 (ms)',
  'TPOT\np50 (ms)',
  'source lag\np99 (ms)',
  'start delay\np99 (ms)',
  'tool CPU\n(cores)',
  'event loop\np99 (ms)',
  'heap growth\n(MB)',
];

/**
 * Configs that ran under load: throughput, latency and how the tool itself held up, whatever
 * the config's state (under load a few failed streams still leave the rest measured), then
 * each config's warnings. Empty when no config ran under load.
 */
export function renderLoadTable(doc: ResultDocument, layout?: TableLayout & { warnings?: boolean; harnessLimitsFirst?: boolean }): string {
  const configs = doc.configs.filter((config) => config.load && config.load.mode !== 'sequential');
  if (configs.length === 0) return '';
  const lead = (layout?.harnessLimitsFirst ?? true) ? renderHarnessLimits(doc) : '';
  const dropOrder: Record<string, number> = {
    'start delay\np99 (ms)': 1,
    'heap growth\n(MB)': 2,
    'peak\nin flight': 3,
    mode: 4,
    'streams\nfailed': 5,
    state: 6,
    'event loop\np99 (ms)': 7,
  };
  const columns: FitColumn[] = LOAD_HEAD.map((head, index) => ({ head, align: index < 3 ? 'left' : 'right', dropOrder: dropOrder[head] }));
  const rows: FitRow[] = configs.map((config) => {
    const load = config.load!;
    const metrics = config.metrics;
    return [
      config.name,
      config.state,
      load.mode,
      formatCount(load.streamsStarted),
      formatCount(load.streamsFailed),
      formatCount(load.peakConcurrentStreams),
      formatCount(load.deliveredTokensPerSecond),
      formatMs(stat(metrics?.tokenLatencyMs, 'p99')),
      formatMs(stat(metrics?.tpotMs, 'p50')),
      formatMs(stat(metrics?.sourceLagMs, 'p99')),
      formatMs(stat(load.startDelayMs, 'p99')),
      formatCount(load.toolCpuShare),
      formatMs(stat(metrics?.eventLoopDelayMs, 'p99')),
      formatCount(load.resources?.heapGrowthMB),
    ];
  });
  const fitted = layoutOf(layout);
  const width = Math.min(MESSAGE_WIDTH, fitted.width);
  const cores = doc.context?.cores;
  const shares = configs.map((config) =>
    wrapText(`${config.name}: ${harnessShare(config.load!, loadThreadsOf(config), cores, splitOf(config))}${workersChoiceNote(config.settings.load)}`, width),
  );
  // Callers that print the grouped warning block (run, sweep, report) leave them out here.
  const warnings = layout?.warnings === false ? [] : configs.flatMap((config) => (config.warnings ?? []).map((warning) => wrapText(`${config.name}: ${warning}`, width)));
  return [...(lead === '' ? [] : [lead]), fitTable(columns, rows, fitted), ...shares, ...warnings].join('\n');
}

/**
 * One paragraph per load config in which the tool itself was the limit, saying so in words
 * (printed before any figure of the result); '' when there is none.
 */
export function renderHarnessLimits(doc: ResultDocument, layout?: TableLayout): string {
  const width = Math.min(MESSAGE_WIDTH, layoutOf(layout).width);
  return harnessStatements(doc.configs, doc.context?.cores)
    .limits.map((limit) => wrapText(limit, width))
    .join('\n');
}
