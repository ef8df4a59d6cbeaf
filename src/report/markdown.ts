/**
 * Markdown for pull-request comments and $GITHUB_STEP_SUMMARY: a result's summary table and a
 * comparison's verdicts. Returns strings; GitHub-flavoured tables, no HTML beyond <details>.
 */
import { harnessStatements } from '../load/harnessWarnings.js';
import { renderTargetMarkdown } from './targetTable.js';
import type { ComparisonDecision } from '../stats/decideComparison.js';
import { type WordedDecision, wordDecision } from './gateWording.js';
import type { ResultDocument } from '../result/resultSchema.js';
import { hasMetrics, partialNotes, SUMMARY_HEAD, summaryCells } from './tables.js';
import { VERDICT_HEAD, verdictCells, verdictTotals } from './verdictTable.js';
import { informationalLines, outcomeOf, unmatchedConfigLines, undecidedLines } from './decisionSummary.js';
import { markdownCell, markdownTable } from './markdownTable.js';

/** A result document: its scenario, then one row per config with the headline numbers. */
export function renderResultMarkdown(doc: ResultDocument): string {
  const head = SUMMARY_HEAD.map((title) => title.replace(/\n/g, ' '));
  const rows = doc.configs.map((config) =>
    hasMetrics(config) ? [config.name, config.state, ...summaryCells(config)] : [config.name, config.state, config.message ?? '', ...Array<string>(head.length - 3).fill('')],
  );
  const title = `### streambench: ${doc.scenario.name}${doc.interrupted ? ' (interrupted)' : ''}`;
  const description =
    typeof doc.scenario.settings.description === 'string' && doc.scenario.settings.description.trim() !== '' ? `\n\n${doc.scenario.settings.description.trim()}` : '';
  const target = renderTargetMarkdown(doc);
  // The tool's own limits first, in words, before any figure; its share under the table.
  const harness = harnessStatements(doc.configs, doc.context?.cores);
  const limits = harness.limits.map((limit) => `\n\n> **${markdownCell(limit)}**`).join('');
  const notes = [...partialNotes(doc), ...harness.shares];
  const shares = notes.length > 0 ? `\n${notes.map((note) => `- ${markdownCell(note)}`).join('\n')}\n` : '';
  return `${title}${limits}${description}\n\n${markdownTable(head, rows, (index) => index >= 2)}\n${shares}${target === '' ? '' : `\n${target}`}`;
}

/** Above this many verdicts, the unchanged ones fold into a <details> block. */
const FOLD_AFTER = 12;

/** A comparison: verdict in the heading, the table with reasons, noise warnings folded away. */
export function renderComparisonMarkdown(decisionIn: ComparisonDecision | WordedDecision, names: { base: string; head: string }): string {
  const decision = wordDecision(decisionIn);
  const { verdicts } = decision.report;
  const out: string[] = [];
  const outcome = outcomeOf(decision);
  out.push(`### streambench compare: ${outcome.mark} ${outcome.text}`);
  out.push('');
  out.push(`\`${names.base}\` → \`${names.head}\`: ${verdictTotals(verdicts)}. ${decision.report.pairing.reason}.`);
  const undecided = undecidedLines(verdicts);
  const informational = informationalLines(decision.report.informational);
  const unmatched = unmatchedConfigLines(decision.comparison);
  if (undecided.length + informational.length + unmatched.length > 0) {
    out.push('');
    for (const line of undecided) out.push(`- ? ${markdownCell(line)}`);
    for (const line of informational) out.push(`- ℹ ${markdownCell(line)}`);
    for (const line of unmatched) out.push(`- ! ${markdownCell(line)}`);
  }
  const table = (rows: typeof verdicts) =>
    markdownTable(
      [...VERDICT_HEAD, 'reason'],
      rows.map((verdict) => [...verdictCells(verdict), verdict.reason]),
      (index) => index >= 2 && index <= 8,
    );
  // A PR comment should lead with what needs a look; long lists of unchanged gates fold away.
  const folded = verdicts.length > FOLD_AFTER ? verdicts.filter((verdict) => verdict.verdict === 'unchanged') : [];
  const shown = verdicts.filter((verdict) => !folded.includes(verdict));
  if (shown.length > 0) {
    out.push('');
    out.push(table(shown));
  }
  if (folded.length > 0) {
    out.push('');
    out.push(`<details><summary>${folded.length} unchanged</summary>`);
    out.push('');
    out.push(table(folded));
    out.push('');
    out.push('</details>');
  }
  if (decision.rules.breaches.length > 0) {
    out.push('');
    for (const breach of decision.rules.breaches) out.push(`- ✗ \`${breach.config}\`: \`${breach.rule}\` breached (${breach.metric} ${breach.base} → ${breach.head})`);
  }
  const warnings = verdicts.flatMap((verdict) => verdict.warnings.map((warning) => `- \`${verdict.config}\` ${verdict.metric}: ${markdownCell(warning)}`));
  if (warnings.length > 0) {
    out.push('');
    out.push(`<details><summary>${warnings.length} noise warning${warnings.length === 1 ? '' : 's'}</summary>`);
    out.push('');
    out.push(...warnings);
    out.push('');
    out.push('</details>');
  }
  return `${out.join('\n')}\n`;
}
