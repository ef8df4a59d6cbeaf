/**
 * A sweep's result: one row per grid point with its parameter values, the three objectives
 * and the Pareto-front mark, then the recommendation. Pure: data in, text or markdown out.
 */
import type { ResultDocument } from '../result/resultSchema.js';
import type { SweepParam, SweepPoint } from '../sweep/sweepGrid.js';
import { type LatencyBudget, noiseProblem, objectivesOf, paretoFront, recommend, type Recommendation, type SweepOutcome } from '../stats/pareto.js';
import { formatCount, formatMs, formatNumber } from './format.js';
import { markdownTable } from './markdownTable.js';
import { fitTable, type FitColumn, wrapWords } from './fitTable.js';
import { DEFAULT_WIDTH } from './terminalWidth.js';

/** The front and the pick of a finished sweep. */
export interface SweepSummary {
  outcomes: SweepOutcome[];
  front: string[];
  recommendation: Recommendation | null;
  /** Why there is no recommendation although points completed (differences within the noise). */
  noRecommendation?: string;
}

/** Lowest and highest of the values present, or null when none is. */
function range(values: (number | null | undefined)[]): [number, number] | null {
  const present = values.filter((value): value is number => typeof value === 'number');
  return present.length === 0 ? null : [Math.min(...present), Math.max(...present)];
}

/** Objectives of every completed point, its front and recommendation (none when the differences are within the noise). */
export function summarizeSweep(document: ResultDocument, budget: LatencyBudget): SweepSummary {
  const outcomes: SweepOutcome[] = [];
  for (const config of document.configs) {
    if (config.state !== 'completed') continue;
    const metrics = config.metrics;
    if (!metrics.tokenLatencyMs) continue;
    const latency = range(config.iterations.map((sample) => sample.tokenLatencyP99Ms));
    const events = range(config.iterations.map((sample) => sample.counters?.eventsPerToken));
    outcomes.push({
      id: config.name,
      tokenLatencyP99Ms: metrics.tokenLatencyMs.p99,
      eventsPerToken: metrics.counters.eventsPerToken ?? 0,
      cpuUsPerToken: metrics.counters.cpuUsPerToken ?? 0,
      ...(latency && events && { spread: { streams: config.iterations.length, tokenLatencyP99Ms: latency, eventsPerToken: events } }),
    });
  }
  const front = paretoFront(outcomes.map((outcome) => ({ id: outcome.id, objectives: objectivesOf(outcome) })));
  const problem = noiseProblem(outcomes);
  if (problem) return { outcomes, front, recommendation: null, noRecommendation: problem };
  return { outcomes, front, recommendation: recommend(outcomes, budget, formatNumber) };
}

/** Rows of the sweep table: parameter values, state, objectives, marks. */
function rows(document: ResultDocument, params: readonly SweepParam[], points: readonly SweepPoint[], summary: SweepSummary): { head: string[]; body: string[][] } {
  const head = [...params.map((param) => param.path), 'state', 'token lat. p99 (ms)', 'events/token', 'CPU µs/token (info only)', 'Pareto'];
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
  if (summary.noRecommendation) return `no recommendation: ${summary.noRecommendation}`;
  if (!summary.recommendation) return 'no recommendation: no grid point completed';
  const point = points.find((candidate) => candidate.name === summary.recommendation!.id);
  const setting = params.map((param) => `${param.path}=${String(point?.values[param.path])}`).join(', ');
  return `recommended: ${setting} — ${summary.recommendation.reason}`;
}

/** The sweep as a plain-text table (fitted to `layout.width`, default 120) and the recommendation. */
export function renderSweepTable(
  document: ResultDocument,
  params: readonly SweepParam[],
  points: readonly SweepPoint[],
  summary: SweepSummary,
  layout: { width?: number; wide?: boolean } = {},
): string {
  const { head, body } = rows(document, params, points, summary);
  const dropOrder: Record<string, number> = { 'CPU µs/token (info only)': 1, state: 2 };
  const columns: FitColumn[] = head.map((title, index) => ({
    head: title,
    align: index < params.length ? 'right' : index === params.length || index === head.length - 1 ? 'left' : 'right',
    dropOrder: dropOrder[title],
  }));
  const width = layout.width ?? DEFAULT_WIDTH;
  const table = fitTable(columns, body, { width, wide: layout.wide });
  const legend = wrapWords(
    '◆ Pareto front of token latency p99 and events per token (no other point is at least as good on both; CPU per token is shown, not decided on: it moves too much between runs)',
    width,
  );
  return `${table}\n${legend}\n${wrapWords(recommendationLine(params, points, summary), width)}`;
}

/** The sweep as markdown. */
export function renderSweepMarkdown(document: ResultDocument, params: readonly SweepParam[], points: readonly SweepPoint[], summary: SweepSummary): string {
  const { head, body } = rows(document, params, points, summary);
  return `### streambench sweep: ${document.scenario.name}\n\n${markdownTable(head, body, (index) => index > params.length && index < head.length - 1)}\n\n${recommendationLine(params, points, summary)}\n`;
}
