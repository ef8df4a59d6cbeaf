/** `streambench compare BASE HEAD [--fail-on RULES]`: a table of changes and an exit code for CI. */
import { readResultFile, ResultFileError } from '../report/readResult.js';
import type { ResultDocument } from '../report/resultSchema.js';
import { renderComparisonTable } from '../report/tables.js';
import { compareResults } from '../stats/compareResults.js';
import { evaluateRules, parseRules, type Rule, RuleSyntaxError } from '../stats/rules.js';
import { CliError, EXIT } from './exitCodes.js';

/** Options of `streambench compare`. */
export interface CompareCommandOptions {
  failOn?: string[];
  json?: boolean;
}

/** Runs the command; returns the exit code. */
export async function compareCommand(basePath: string, headPath: string, options: CompareCommandOptions): Promise<number> {
  let rules: Rule[];
  try {
    rules = (options.failOn ?? []).flatMap((text) => parseRules(text));
  } catch (error) {
    if (error instanceof RuleSyntaxError) throw new CliError(`--fail-on: ${error.message}`);
    throw error;
  }
  const [base, head] = await Promise.all([readOrFail(basePath), readOrFail(headPath)]);
  const comparison = compareResults(base, head);
  const evaluation = evaluateRules(rules, base, head);
  if (evaluation.unknownMetrics.length > 0) {
    throw new CliError(
      `--fail-on: no config in either file has the metric ${evaluation.unknownMetrics.map((metric) => `"${metric}"`).join(', ')}; use a path such as ttftMs.p50, tokenLatencyMs.p99, stages.clientReceive.latencyMs.p99 or counters.jsonOpsPerToken`,
    );
  }
  if (comparison.rows.length === 0 && comparison.notCompared.length === 0) {
    throw new CliError(
      `${basePath} and ${headPath} have no config in common (base: ${names(base)}; head: ${names(head)}); compare results of the same scenario`,
    );
  }

  if (options.json) {
    process.stdout.write(`${JSON.stringify({ comparison, ...evaluation }, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderComparisonTable(comparison, evaluation.breaches)}\n`);
    for (const breach of evaluation.breaches) {
      process.stdout.write(`✗ ${breach.config}: ${breach.rule} breached (${breach.metric} ${breach.base} → ${breach.head})\n`);
    }
    for (const unchecked of evaluation.unchecked) {
      process.stdout.write(`! ${unchecked.config}: ${unchecked.rule} not checked: ${unchecked.metric} missing in ${unchecked.missingIn}\n`);
    }
    if (rules.length > 0 && evaluation.breaches.length === 0) process.stdout.write(`✓ no rule breached (${rules.length} rules)\n`);
  }
  return evaluation.breaches.length > 0 ? EXIT.regression : EXIT.ok;
}

async function readOrFail(path: string): Promise<ResultDocument> {
  try {
    return await readResultFile(path);
  } catch (error) {
    if (error instanceof ResultFileError) throw new CliError(error.message);
    throw error;
  }
}

function names(document: ResultDocument): string {
  return document.configs.map((config) => config.name).join(', ') || 'none';
}
