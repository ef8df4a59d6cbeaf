/**
 * A sweep's result: one row per grid point with its parameter values, the three objectives
 * and the Pareto-front mark, then the recommendation. Pure: data in, text or markdown out.
 */
import type { ResultDocument } from './resultSchema.js';
import type { SweepParam, SweepPoint } from '../sweep/sweepGrid.js';
import { type LatencyBudget, paretoFront, recommend, type Recommendation, type SweepOutcome } from '../stats/pareto.js';
import { formatCount, formatMs, formatNumber } from './format.js';
import { markdownTable } from './markdown.js';
import { plainTable } from './tables.js';

/** The front and the pick of a finished sweep. */
export interface SweepSummary {
  outcomes: SweepOutcome[];
  front: string[];
  recommendation: Recommendation | null;
}

/** Objectives of every completed point, its front and recommendation. */
export function summarizeSweep(document: ResultDocument, budget: LatencyBudget): SweepSummary {
  const outcomes: SweepOutcome[] = [];
  for (const config of document.configs) {
    const metrics = config.metrics;
    if (config.state !== 'completed' || !metrics?.tokenLatencyMs) continue;
    outcomes.push({
      id: config.name,
      tokenLatencyP99Ms: metrics.tokenLatencyMs.p99,
      eventsPerToken: metrics.counters.eventsPerToken ?? 0,
      cpuUsPerToken: metrics.counters.cpuUsPerToken ?? 0,
    });
  }
  const front = paretoFront(outcomes.map((outcome) => ({ id: outcome.id, objectives: [outcome.tokenLatencyP99Ms, outcome.eventsPerToken, outcome.cpuUsPerToken] })));
  return { outcomes, front, recommendation: recommend(outcomes, budget, formatNumber) };
}

/** Rows of the sweep table: parameter values, state, objectives, marks. */
function rows(document: ResultDocument, params: readonly SweepParam[], points: readonly SweepPoint[], summary: SweepSummary): { head: string[]; body: string[][] } {
  const head = [...params.map((param) => param.path), 'state', 'token lat. p99 (ms)', 'events/token', 'CPU µs/token', 'Pareto'];
  const body = points.map((point) => {
    const config = document.configs.find((candidate) => candidate.name === point.name);
    const outcome = summary.outcomes.find((candidate) => candidate.id === point.name);
    const mark = summary.recommendation?.id === point.name ? '★ recommended' : summary.front.includes(point.name) ? '◆ front' : '';
    return [
      ...params.map((param) => String(point.values[param.path])),
      config?.state === 'completed' ? 'completed' : `${config?.state ?? 'not run'}${config?.message ? `: ${config.message.slice(0, 60)}` : ''}`,
      formatMs(outcome?.tokenLatencyP99Ms),
      formatCount(outcome?.eventsPerToken),
      formatNumber(outcome?.cpuUsPerToken),
      mark,
    ];
  });
  return { head, body };
}

/** The recommendation line, or why there is none. */
function recommendationLine(params: readonly SweepParam[], points: readonly SweepPoint[], summary: SweepSummary): string {
  if (!summary.recommendation) return 'no recommendation: no grid point completed';
  const point = points.find((candidate) => candidate.name === summary.recommendation!.id);
  const setting = params.map((param) => `${param.path}=${String(point?.values[param.path])}`).join(', ');
  return `recommended: ${setting} — ${summary.recommendation.reason}`;
}

/** The sweep as a plain-text table and the recommendation. */
export function renderSweepTable(document: ResultDocument, params: readonly SweepParam[], points: readonly SweepPoint[], summary: SweepSummary): string {
  const { head, body } = rows(document, params, points, summary);
  const table = plainTable(head, (index) => index === params.length || index === head.length - 1);
  for (const row of body) table.push(row);
  return `${table.toString()}\n◆ Pareto front of token latency p99, events per token and CPU per token (no other point is at least as good on all three)\n${recommendationLine(params, points, summary)}`;
}

/** The sweep as markdown. */
export function renderSweepMarkdown(document: ResultDocument, params: readonly SweepParam[], points: readonly SweepPoint[], summary: SweepSummary): string {
  const { head, body } = rows(document, params, points, summary);
  return `### streambench sweep: ${document.scenario.name}\n\n${markdownTable(head, body, (index) => index > params.length && index < head.length - 1)}\n\n${recommendationLine(params, points, summary)}\n`;
}
