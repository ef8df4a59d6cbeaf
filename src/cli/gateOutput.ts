/**
 * Turns a comparison decision into output and an exit code, for `compare` and `run --baseline`
 * alike. Reads and writes files only at the edge (`--markdown FILE` appends).
 */
import { wordVerdict, wordVerdicts } from '../report/gateWording.js';
import { renderVerdictTable } from '../report/verdictTable.js';
import type { ComparisonDecision } from '../stats/decideComparison.js';
import { EXIT } from './exitCodes.js';
import type { OutputFormat } from './outputFormat.js';

/** How to present a decision. */
export interface GateOutputOptions {
  format: OutputFormat;
  names: { base: string; head: string };
  /** Also print the summary-by-summary comparison table (table format). */
  details?: boolean;
  /** A file to append the markdown form to (e.g. $GITHUB_STEP_SUMMARY). */
  markdownFile?: string;
  /** Fit the table to this width (default 120); every column with wide; every line with verbose. */
  width?: number;
  wide?: boolean;
  verbose?: boolean;
  /** Exit 1 on inconclusive verdicts too. */
  failOnInconclusive?: boolean;
}

/** The decision as the JSON format prints it (`compare --json`, and `comparison` beside the result of `run --baseline --json`). */
export function decisionJson(decision: ComparisonDecision): Record<string, unknown> {
  return {
    regressed: decision.regressed,
    pairing: decision.report.pairing,
    gates: decision.gates,
    verdicts: wordVerdicts(decision.report.verdicts),
    informational: decision.report.informational.map((verdict) => ({ ...wordVerdict(verdict), informational: verdict.informational })),
    breaches: decision.rules.breaches,
    unchecked: decision.rules.unchecked,
    // Configs one run lacks (a partial run, with --allow-partial): not compared.
    onlyInBase: decision.comparison.onlyInBase,
    onlyInHead: decision.comparison.onlyInHead,
  };
}

// The markdown and CSV renderers and the --details table load only when asked for: the verdict
// table a bare `streambench compare` prints needs none of them (npm run bench:startup).

/** The decision in the chosen format (a string ending in a newline). */
export async function renderDecision(decision: ComparisonDecision, options: GateOutputOptions): Promise<string> {
  switch (options.format) {
    case 'json':
      return `${JSON.stringify(decisionJson(decision), null, 2)}\n`;
    case 'markdown': {
      const { renderComparisonMarkdown } = await import('../report/markdown.js');
      return renderComparisonMarkdown(decision, options.names);
    }
    case 'csv': {
      const { verdictsToCsv } = await import('../report/csv.js');
      return verdictsToCsv(decision.report.verdicts);
    }
    case 'table': {
      const parts = options.details ? [(await import('../report/tables.js')).renderComparisonTable(decision.comparison, decision.rules.breaches)] : [];
      parts.push(renderVerdictTable(decision, { width: options.width, wide: options.wide, verbose: options.verbose }));
      return `${parts.join('\n')}\n`;
    }
  }
}

/** The exit code of a decision: 1 on a regression (or an inconclusive verdict when asked), else 0. */
export function decisionExitCode(decision: ComparisonDecision, failOnInconclusive = false): number {
  if (decision.regressed) return EXIT.regression;
  const configsNotCompared = decision.comparison.onlyInBase.length + decision.comparison.onlyInHead.length;
  if (failOnInconclusive && (configsNotCompared > 0 || decision.report.verdicts.some((verdict) => verdict.verdict === 'inconclusive'))) return EXIT.regression;
  return EXIT.ok;
}

/** Appends the markdown form to `options.markdownFile` when one was given. */
export async function writeMarkdownFile(decision: ComparisonDecision, options: GateOutputOptions): Promise<void> {
  if (!options.markdownFile) return;
  const { renderComparisonMarkdown } = await import('../report/markdown.js');
  // Loaded here, not at the top: node:fs/promises would load on every compare's start.
  const { appendFile } = await import('node:fs/promises');
  await appendFile(options.markdownFile, renderComparisonMarkdown(decision, options.names));
}
