/**
 * The gate's verdicts as a plain-text table with one line of reason per decision that is not
 * "unchanged", then the noise warnings and a one-line total. Returns a string.
 */
import type { ComparisonDecision } from '../stats/decideComparison.js';
import { countVerdicts, type Verdict } from '../stats/gateVerdicts.js';
import { type MetricVerdict, type WordedDecision, wordDecision, wordVerdict } from './gateWording.js';
import { formatCount, formatNumber, formatPercent, MISSING } from './format.js';
import { groupedWarningLines, informationalLines, outcomeOf, plural, unmatchedConfigLines, undecidedLines } from './decisionSummary.js';
import { fitTable, type FitColumn, wrapWords } from './fitTable.js';
import { DEFAULT_WIDTH } from './terminalWidth.js';

/** A mark per verdict, the same in every format. */
export const VERDICT_MARK: Record<Verdict, string> = {
  regressed: '✗',
  improved: '↑',
  unchanged: '=',
  inconclusive: '?',
};

const HEAD = ['config', 'metric', 'base', 'head', 'change', 'Δ%', 'CI of change', 'allowed', 'CV base/head', 'verdict'];

/** A coefficient of variation as a whole percentage. */
function cvText(cv: number | null): string {
  return cv === null ? MISSING : `${Math.round(cv * 100)}%`;
}

/** A signed number, or — when missing. */
function signed(value: number | null, format: (value: number | null) => string = formatNumber): string {
  if (value === null) return MISSING;
  const text = format(value);
  return value > 0 ? `+${text}` : text;
}

/** The cells of one verdict, in HEAD order (shared by the markdown and CSV renderers). */
export function verdictCells(verdict: MetricVerdict): string[] {
  // Exact counts print as counts (2, not 2.00); medians and intervals to 3 significant digits.
  const format = verdict.method === 'exact' ? formatCount : formatNumber;
  return [
    verdict.config,
    verdict.metric,
    format(verdict.base),
    format(verdict.head),
    signed(verdict.change, format),
    formatPercent(verdict.relativeChange),
    verdict.interval ? `${signed(verdict.interval.low)} … ${signed(verdict.interval.high)}` : MISSING,
    verdict.allowed === null ? MISSING : `+${format(verdict.allowed)}`,
    verdict.method === 'exact' || verdict.method === 'state' ? MISSING : `${cvText(verdict.cv.base)} / ${cvText(verdict.cv.head)}`,
    `${VERDICT_MARK[verdict.verdict]} ${verdict.verdict}`,
  ];
}

/** Column titles of verdictCells. */
export const VERDICT_HEAD: readonly string[] = HEAD;

/** `3 unchanged, 1 regressed, …` in a fixed order, zero counts left out. */
export function verdictTotals(verdicts: readonly MetricVerdict[]): string {
  const counts = countVerdicts(verdicts);
  const order: Verdict[] = ['regressed', 'inconclusive', 'improved', 'unchanged'];
  return (
    order
      .filter((verdict) => counts[verdict] > 0)
      .map((verdict) => `${counts[verdict]} ${verdict}`)
      .join(', ') || 'nothing compared'
  );
}

/** Which verdict columns give way first on a narrow terminal (lower: hidden first). */
const VERDICT_DROP_ORDER: Record<string, number> = { 'CV base/head': 1, change: 2, allowed: 3, 'CI of change': 4 };

/** How to lay out the text form. */
export interface VerdictLayout {
  width?: number;
  wide?: boolean;
  /** Every undecided verdict and warning on its own line instead of one line per cause. */
  verbose?: boolean;
}

/**
 * The text form of a decision: the table, a reason line per regressed or improved verdict, the
 * undecided ones one line per cause, warnings one line per kind, rule breaches and the outcome.
 */
export function renderVerdictTable(decisionIn: ComparisonDecision | WordedDecision, layout: VerdictLayout = {}): string {
  const decision = wordDecision(decisionIn);
  const { verdicts } = decision.report;
  const lines: string[] = [];
  const width = layout.width ?? DEFAULT_WIDTH;
  // Every line after the table fits the width: a mark, then the text wrapped under it.
  const wrapped = (mark: string, text: string) => `${mark} ${wrapWords(text, width - 4).replace(/\n/g, '\n    ')}`;
  if (verdicts.length > 0) {
    const columns: FitColumn[] = HEAD.map((head, index) => ({ head, align: index < 2 || index === HEAD.length - 1 ? 'left' : 'right', dropOrder: VERDICT_DROP_ORDER[head] }));
    lines.push(fitTable(columns, verdicts.map(verdictCells), { width, wide: layout.wide }));
  }
  for (const verdict of verdicts) {
    const decided = verdict.verdict === 'regressed' || verdict.verdict === 'improved';
    if (decided || (layout.verbose && verdict.verdict === 'inconclusive')) {
      lines.push(wrapped(VERDICT_MARK[verdict.verdict], `${verdict.config} ${verdict.metric} ${verdict.verdict}: ${verdict.reason}`));
    }
  }
  if (!layout.verbose) for (const line of undecidedLines(verdicts)) lines.push(wrapped('?', line));
  if (layout.verbose) {
    for (const verdict of verdicts) for (const warning of verdict.warnings) lines.push(wrapped('!', `${verdict.config} ${verdict.metric}: ${warning}`));
  } else {
    for (const line of groupedWarningLines(verdicts)) lines.push(wrapped('!', line));
  }
  for (const breach of decision.rules.breaches) {
    lines.push(wrapped('✗', `${breach.config}: ${breach.rule} breached (${breach.metric} ${breach.base} → ${breach.head})`));
  }
  for (const unchecked of decision.rules.unchecked) {
    lines.push(wrapped('!', `${unchecked.config}: ${unchecked.rule} not checked: ${unchecked.metric} missing in ${unchecked.missingIn}`));
  }
  for (const line of informationalLines(decision.report.informational)) lines.push(wrapped('i', line));
  for (const line of unmatchedConfigLines(decision.comparison)) lines.push(wrapped('!', line));
  if (layout.verbose)
    for (const verdict of decision.report.informational)
      lines.push(wrapped('i', `${verdict.config} ${verdict.metric} ${verdict.verdict} (informational): ${wordVerdict(verdict).reason}`));
  const outcome = outcomeOf(decision);
  const breaches = decision.rules.breaches.length > 0 ? `, ${plural(decision.rules.breaches.length, 'rule')} breached` : '';
  const totals = outcome.decidedCounted ? '' : `: ${verdictTotals(verdicts)}`;
  const notGated = decision.report.informational.length > 0 ? `; ${plural(decision.report.informational.length, 'informational verdict')} not gated (above)` : '';
  lines.push(wrapped(outcome.mark, `${outcome.text}${totals}${breaches}${notGated} (${decision.report.pairing.reason})`));
  return lines.join('\n');
}
