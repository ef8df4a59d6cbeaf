/**
 * The target-mode tables of a result: what the app adds (latency per token, before the first
 * token, before its upstream request) with the verdict, then what it costs (re-chunking,
 * wire, Redis) and whether the text arrived whole; the verdict's evidence below. A string;
 * empty when no config is a target.
 */
import type { ConfigResult, ResultDocument, Summary } from '../report/resultSchema.js';
import { formatCount, formatMs, MISSING } from '../report/format.js';
import { markdownTable } from '../report/markdown.js';
import { plainTable, wrapText } from '../report/tables.js';

const LATENCY_HEAD = ['config', 'verdict', 'added p50', 'p99', 'max', 'TTFT app', 'TTFT upstream', 'TTFT added', 'to upstream'];
const COST_HEAD = ['config', 'text', 'chunks/event', 'last 10 %', 'events/token', 'bytes/token', 'framing', 'Redis cmd/token'];

const stat = (summary: Summary | null | undefined, statistic: keyof Summary) => summary?.[statistic];
const share = (value: number | null | undefined) => (value === null || value === undefined ? MISSING : `${(value * 100).toFixed(0)} %`);

function textState(config: ConfigResult): string {
  const integrity = config.target?.integrity;
  if (!integrity || integrity.streams === 0) return config.state === 'completed' ? MISSING : config.state;
  if (integrity.exactStreams === integrity.streams) return 'exact';
  return `${integrity.missingChars} lost`;
}

/** The rows of both target tables and the notes under them. */
function targetRows(doc: ResultDocument): { latency: string[][]; cost: string[][]; notes: string[] } | null {
  const configs = doc.configs.filter((config) => config.target || (config.settings as { target?: unknown }).target);
  if (configs.length === 0) return null;
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
      formatCount(target?.redis?.commandsPerToken),
    ]);
    if (config.message) notes.push(`${config.name}: ${config.state}: ${config.message}`);
    if (target && config.state === 'completed') notes.push(`${config.name}: ${target.verdict.kind} — ${target.verdict.evidence.join('; ')}`);
    if (target?.redis) {
      const byType = Object.entries(target.redis.commandsByType)
        .sort((a, b) => b[1] - a[1])
        .map(([command, perToken]) => `${command} ${formatCount(perToken)}`)
        .join(', ');
      notes.push(`${config.name}: Redis commands per token: ${byType || 'none'} (${target.redis.exactness})`);
    }
    if (target?.matching.note) notes.push(`${config.name}: ${target.matching.note}`);
    if (target?.app) notes.push(`${config.name}: app log ${target.app.log}${target.app.exited ? ` (the app ${target.app.exited} during the run)` : ''}`);
  }
  return { latency, cost, notes };
}

const HEADING = 'through the app (ms; added = client receive − upstream write, per token)';

/** The target tables of a document, or '' when it has no target config. */
export function renderTargetTable(doc: ResultDocument): string {
  const rows = targetRows(doc);
  if (!rows) return '';
  const latency = plainTable(LATENCY_HEAD, (index) => index < 2);
  const cost = plainTable(COST_HEAD, (index) => index < 2);
  latency.push(...rows.latency);
  cost.push(...rows.cost);
  return [HEADING, latency.toString(), cost.toString(), ...rows.notes.map((note) => wrapText(note, 118))].join('\n');
}

/** The same as markdown (for pull-request comments and $GITHUB_STEP_SUMMARY), or '' without a target config. */
export function renderTargetMarkdown(doc: ResultDocument): string {
  const rows = targetRows(doc);
  if (!rows) return '';
  return [
    `#### ${HEADING}`,
    '',
    markdownTable(LATENCY_HEAD, rows.latency, (index) => index >= 2),
    '',
    markdownTable(COST_HEAD, rows.cost, (index) => index >= 2),
    '',
    ...rows.notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}
