/** `streambench report RESULT.json [--html FILE] [--csv FILE]`: tables of a saved result, and the HTML report. */
import { resolve } from 'node:path';
import { resultToCsv } from '../report/csv.js';
import { renderHtmlReport } from '../report/htmlReport.js';
import { renderResultMarkdown } from '../report/markdown.js';
import { readResultFile, ResultFileError } from '../report/readResult.js';
import type { ResultDocument } from '../report/resultSchema.js';
import { renderCountersTable, renderHarnessLimits, renderLoadTable, renderStageTable, renderSummaryTable } from '../report/tables.js';
import { hasBrowserClient, renderRenderTable } from '../report/renderTable.js';
import { renderTargetTable } from '../target/targetTable.js';
import { writeFileAtomic } from '../report/writeResult.js';
import { CliError, EXIT } from './exitCodes.js';
import { checkOutputFile } from './outputPaths.js';
import { chosenFormat, type OutputFormat } from './outputFormat.js';

/** Options of `streambench report`. */
export interface ReportCommandOptions {
  html?: string;
  csv?: string;
  format?: OutputFormat;
  json?: boolean;
  quiet?: boolean;
}

/** Runs the command; returns the exit code. */
export async function reportCommand(path: string, options: ReportCommandOptions): Promise<number> {
  if (options.html) await checkOutputFile(options.html, '--html');
  if (options.csv) await checkOutputFile(options.csv, '--csv');
  let document: ResultDocument;
  try {
    document = await readResultFile(path);
  } catch (error) {
    if (error instanceof ResultFileError) throw new CliError(error.message);
    throw error;
  }
  if (options.html) {
    await writeFileAtomic(resolve(options.html), renderHtmlReport(document));
    if (!options.quiet) process.stderr.write(`HTML report written to ${resolve(options.html)}\n`);
  }
  if (options.csv) {
    await writeFileAtomic(resolve(options.csv), resultToCsv(document));
    if (!options.quiet) process.stderr.write(`CSV written to ${resolve(options.csv)}\n`);
  }
  if (options.quiet) return EXIT.ok;
  switch (chosenFormat(options)) {
    case 'json':
      process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      break;
    case 'csv':
      process.stdout.write(resultToCsv(document));
      break;
    case 'markdown':
      process.stdout.write(renderResultMarkdown(document));
      break;
    case 'table':
      const loadTable = renderLoadTable(document, { harnessLimitsFirst: false });
      const harnessLimits = renderHarnessLimits(document);
      const renderTable = hasBrowserClient(document) ? `${renderRenderTable(document)}\n` : '';
      const targetTable = renderTargetTable(document);
      process.stdout.write(
        `${harnessLimits === '' ? '' : `${harnessLimits}\n`}${renderSummaryTable(document)}\n${renderStageTable(document)}\n${renderTable}${loadTable === '' ? '' : `${loadTable}\n`}${targetTable === '' ? '' : `${targetTable}\n`}${renderCountersTable(document)}\n`,
      );
  }
  return EXIT.ok;
}
