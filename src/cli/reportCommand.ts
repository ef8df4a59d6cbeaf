/** `streambench report RESULT.json [--html FILE] [--csv FILE]`: tables of a saved result, and the HTML report. */
import { resolve } from 'node:path';
import { readResultFile, ResultFileError } from '../result/readResult.js';
import type { ResultDocument } from '../result/resultSchema.js';
import { renderCountersTable, wrapText } from '../report/tables.js';
import { renderRunTables } from '../report/runTables.js';
import { redisNote } from '../report/redisNote.js';
import { partialResultProblem } from '../result/partialResult.js';
import { collectWarnings } from '../stats/runWarnings.js';
import { renderWarningBlock } from '../report/warningBlock.js';
import { terminalWidth } from '../report/terminalWidth.js';
import { CliError, EXIT } from './exitCodes.js';
import type { CliIo } from './io.js';
import { chosenFormat, type OutputFormat } from './outputFormat.js';

/** Options of `streambench report`. */
export interface ReportCommandOptions {
  html?: string;
  csv?: string;
  format?: OutputFormat;
  json?: boolean;
  quiet?: boolean;
  wide?: boolean;
  verbose?: boolean;
}

// The CSV and markdown renderers and the file writers load only for the formats and files asked
// for: the table a bare `streambench report` prints needs none of them (npm run bench:startup).

/** Runs the command; returns the exit code. */
export async function reportCommand(path: string, options: ReportCommandOptions, io: CliIo): Promise<number> {
  const writing = options.html || options.csv ? { ...(await import('./outputPaths.js')), ...(await import('../result/writeResult.js')) } : null;
  if (options.html) await writing?.checkOutputFile(options.html, '--html');
  if (options.csv) await writing?.checkOutputFile(options.csv, '--csv');
  let document: ResultDocument;
  try {
    document = await readResultFile(path);
  } catch (error) {
    if (error instanceof ResultFileError) throw new CliError(error.message);
    throw error;
  }
  if (options.html) {
    // The HTML renderer (charts, markdown lexer) loads only when a report is asked for.
    const { renderHtmlReport } = await import('../report/htmlReport.js');
    await writing?.writeFileAtomic(resolve(options.html), renderHtmlReport(document));
    if (!options.quiet) io.stderr.write(`HTML report written to ${resolve(options.html)}\n`);
  }
  if (options.csv) {
    const { resultToCsv } = await import('../report/csv.js');
    await writing?.writeFileAtomic(resolve(options.csv), resultToCsv(document));
    if (!options.quiet) io.stderr.write(`CSV written to ${resolve(options.csv)}\n`);
  }
  if (options.quiet) return EXIT.ok;
  switch (chosenFormat(options)) {
    case 'json':
      io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      break;
    case 'csv': {
      const { resultToCsv } = await import('../report/csv.js');
      io.stdout.write(resultToCsv(document));
      break;
    }
    case 'markdown': {
      const { renderResultMarkdown } = await import('../report/markdown.js');
      io.stdout.write(renderResultMarkdown(document));
      break;
    }
    case 'table': {
      const layout = { width: terminalWidth(io.stdout, io.env), wide: options.wide };
      const redisLine = redisNote(document);
      // A file left by a crash or an interruption says so before its tables: a config it lacks is not a config that was never in the run.
      const partial = partialResultProblem(document);
      const notes = [...(partial ? [`not a whole run: ${partial}`] : []), ...(redisLine ? [redisLine] : [])].map((note) => wrapText(note, layout.width));
      const tables = [...notes, ...renderRunTables(document, layout), renderCountersTable(document, layout)];
      const warnings = renderWarningBlock(collectWarnings(document), { verbose: options.verbose, width: layout.width });
      io.stdout.write(`${[...tables, ...(warnings ? [warnings] : [])].join('\n')}\n`);
    }
  }
  return EXIT.ok;
}
