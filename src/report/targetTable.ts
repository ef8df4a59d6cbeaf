/**
 * The target-mode tables of a result: what the app adds (latency per token, before the first
 * token, before its upstream request) with the verdict, then what it costs (re-chunking,
 * wire, Redis) and whether the text arrived whole; the verdict's evidence below. A string;
 * empty when no config is a target.
 */
import type { ConfigResult, ResultDocument, Summary } from '../result/resultSchema.js';
import { formatCount, formatMs, MISSING } from './format.js';
import { markdownTable } from './markdownTable.js';
import { fitTable, type FitColumn, type FitOptions, wrapWords } from './fitTable.js';
import type { TableLayout } from './tables.js';
import { DEFAULT_WIDTH } from './terminalWidth.js';
import { isTargetConfig } from './configKinds.js';

const LATENCY_HEAD = ['config', 'verdict', 'added\np50', 'added\np99', 'added\nmax', 'TTFT\napp', 'TTFT\nupstream', 'TTFT\nadded', 'to\nupstream'];
const COST_HEAD = ['config', 'text', 'chunks\n/event', 'last\n10 %', 'events\n/token', 'bytes\n/token', 'framing', 'Redis sent\n/token', 'Redis exec.\n/token'];
// Hidden first when a table must fit a narrow terminal (--wide shows them).
const LATENCY_DROP: Record<string, number> = { 'TTFT\nupstream': 1, 'to\nupstream': 2, 'added\nmax': 3, 'TTFT\napp': 4 };
const COST_DROP: Record<string, number> = { framing: 1, 'bytes\n/token': 2, 'last\n10 %': 3, 'Redis exec.\n/token': 4 };
const oneLine = (title: string) => title.replace(/\n/g, ' ');
const columnsOf = (head: string[], drop: Record<string, number>): FitColumn[] =>
  head.map((title, index) => ({ head: title, align: index < 2 ? 'left' : 'right', dropOrder: drop[title] }));

const stat = (summary: Summary | null | undefined, statistic: keyof Summary) => summary?.[statistic];
const share = (value: number | null | undefined) => (value === null || value === undefined ? MISSING : `${(value * 100).toFixed(0)} %`);

function textState(config: ConfigResult): string {
  const integrity = config.target?.integrity;
  if (!integrity || integrity.streams === 0) return config.state === 'completed' ? MISSING : config.state;
  if (integrity.exactStreams === integrity.streams) return 'exact';
  return `${integrity.missingChars} lost`;
}

/** What the keyspace notifications timed (target.redis.keyspaceNotifications): the app's Redis writes after the upstream's, or why nothing was. */
function writeLatencyNote(writeLatencyMs: Summary | null): string {
  const what = "the app's Redis writes after the latest upstream write (keyspace notifications";
  if (writeLatencyMs === null) return `${what}): none timed, no notification followed an upstream write during the measured streams`;
  const { n, p50, p99, max } = writeLatencyMs;
  return `${what}, ${n}): p50 ${formatMs(p50)} ms, p99 ${formatMs(p99)} ms, max ${formatMs(max)} ms`;
}

/** The rows of both target tables (the cost head too: without any app Redis its two columns go) and the notes under them. */
function targetRows(doc: ResultDocument): { latency: string[][]; cost: string[][]; costHead: string[]; notes: string[] } | null {
  const configs = doc.configs.filter(isTargetConfig);
  if (configs.length === 0) return null;
  const withRedis = configs.some((config) => config.target?.redis || (config.settings as { target?: { redis?: unknown } }).target?.redis);
  const costColumns = withRedis ? COST_HEAD.length : COST_HEAD.length - 2;
  const latency: string[][] = [];
  const cost: string[][] = [];
  const notes: string[] = [];
  for (const config of configs) {
    const target = config.target;
    const metrics = config.metrics;
    latency.push([
      config.name,
      config.state === 'completed' ? (target?.verdict.kind ?? MISSING) : config.state,
      formatMs(stat(metrics?.tokenLatencyMs, 'p50')),
      formatMs(stat(metrics?.tokenLatencyMs, 'p99')),
      formatMs(stat(metrics?.tokenLatencyMs, 'max')),
      formatMs(stat(metrics?.ttftMs, 'p50')),
      formatMs(stat(metrics?.stages.emit?.ttftMs, 'p50')),
      formatMs(stat(target?.ttftAddedMs, 'p50')),
      formatMs(stat(target?.appUpstreamRequestMs, 'p50')),
    ]);
    cost.push([
      config.name,
      textState(config),
      formatCount(target?.upstreamChunksPerClientEvent),
      share(target?.lastTenthTextShare?.median),
      formatCount(metrics?.counters.eventsPerToken),
      formatCount(metrics?.counters.bytesPerToken),
      share(target?.framingOverheadShare),
      formatCount(target?.redis?.commandsSentPerToken),
      formatCount(target?.redis?.commandsExecutedPerToken),
    ]);
    if (target && config.state === 'completed') notes.push(`${config.name}: ${target.verdict.kind} — ${target.verdict.evidence.join('; ')}`);
    if (target?.redis) {
      const byType = (calls: Record<string, number>) =>
        Object.entries(calls)
          .sort((a, b) => b[1] - a[1])
          .map(([command, perToken]) => `${command} ${formatCount(perToken)}`)
          .join(', ') || 'none';
      const redis = target.redis;
      const sent = redis.commandsSentByType ? byType(redis.commandsSentByType) : (redis.sentNote ?? 'not counted');
      notes.push(`${config.name}: Redis per token, sent by the app: ${sent}; executed by Redis (scripts' own commands included): ${byType(redis.commandsExecutedByType)}`);
      if (redis.writeLatencyMs !== undefined) notes.push(`${config.name}: ${writeLatencyNote(redis.writeLatencyMs)}`);
    }
    if (target?.matching.note) notes.push(`${config.name}: ${target.matching.note}`);
    for (const note of target?.merged?.notes ?? []) notes.push(`${config.name}: merged: ${note}`);
    if (target?.app) notes.push(`${config.name}: app log ${target.app.log}${target.app.exited ? ` (the app ${target.app.exited} during the run)` : ''}`);
  }
  return { latency, cost: cost.map((row) => row.slice(0, costColumns)), costHead: COST_HEAD.slice(0, costColumns), notes };
}

const HEADING = 'through the app (ms; added = client receive − upstream write, per token)';

/** The target tables of a document, fitted to the layout's width (120 by default), or '' when it has no target config. */
export function renderTargetTable(doc: ResultDocument, layout?: TableLayout): string {
  const rows = targetRows(doc);
  if (!rows) return '';
  const options: FitOptions = { width: layout?.width ?? DEFAULT_WIDTH, wide: layout?.wide ?? false };
  const exactness = doc.configs.find((config) => config.target?.redis)?.target?.redis?.exactness;
  return [
    wrapWords(HEADING, options.width),
    fitTable(columnsOf(LATENCY_HEAD, LATENCY_DROP), rows.latency, options),
    fitTable(columnsOf(rows.costHead, COST_DROP), rows.cost, options),
    ...rows.notes.map((note) => wrapWords(note, options.width)),
    ...(exactness ? [wrapWords(`Redis counts: ${exactness}.`, options.width)] : []),
  ].join('\n');
}

/** The same as markdown (for pull-request comments and $GITHUB_STEP_SUMMARY), or '' without a target config. */
export function renderTargetMarkdown(doc: ResultDocument): string {
  const rows = targetRows(doc);
  if (!rows) return '';
  const exactness = doc.configs.find((config) => config.target?.redis)?.target?.redis?.exactness;
  return [
    `#### ${HEADING}`,
    '',
    markdownTable(LATENCY_HEAD.map(oneLine), rows.latency, (index) => index >= 2),
    '',
    markdownTable(rows.costHead.map(oneLine), rows.cost, (index) => index >= 2),
    '',
    ...rows.notes.map((note) => `- ${note}`),
    ...(exactness ? [`- Redis counts: ${exactness}.`] : []),
    '',
  ].join('\n');
}
