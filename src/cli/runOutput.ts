/**
 * What each output format of `run` (and `target`) prints, and where: chosen once per
 * invocation, so the run loop does not branch on the format. Tables are for people: on stdout
 * when it carries nothing else, else on stderr.
 */
import { resultToCsv } from '../report/csv.js';
import { renderResultMarkdown } from '../report/markdown.js';
import type { ResultDocument } from '../result/resultSchema.js';
import type { ComparisonDecision } from '../stats/decideComparison.js';
import { decisionJson, type GateOutputOptions, renderDecision } from './gateOutput.js';
import type { CliIo, CliOutput } from './io.js';
import type { OutputFormat } from './outputFormat.js';

/** The output lifecycle of one format: human text as it comes, each document, its comparison, then finish. */
export interface RunOutput {
  /** Where the human text goes (the tables are fitted to its width). */
  readonly humanStream: CliOutput;
  /** Tables, notes and paths for people (one line or block; nothing with --quiet). */
  human(text: string): void;
  /** A scenario's finished document. */
  document(document: ResultDocument): void;
  /** The gate's decision on `document` against the baseline, shown with `gate`'s names and layout. */
  comparison(document: ResultDocument, decision: ComparisonDecision, gate: GateOutputOptions): Promise<void>;
  /** After the last scenario: what had to wait for every document. */
  finish(): void;
}

/** The output of `format`, writing to io; `quiet` drops the human text (and, for tables, the verdicts: the exit code tells). */
export function createRunOutput(format: OutputFormat, io: CliIo, quiet: boolean | undefined): RunOutput {
  const humanStream = format === 'table' ? io.stdout : io.stderr;
  const human = (text: string) => {
    if (!quiet) humanStream.write(`${text}\n`);
  };
  switch (format) {
    case 'table':
      return {
        humanStream,
        human,
        document() {},
        async comparison(_document, decision, gate) {
          if (!quiet) io.stdout.write(`\n${await renderDecision(decision, { ...gate, format: 'table' })}`);
        },
        finish() {},
      };
    case 'markdown':
      return {
        humanStream,
        human,
        document: (document) => io.stdout.write(renderResultMarkdown(document)),
        comparison: async (_document, decision, gate) => void io.stdout.write(`\n${await renderDecision(decision, { ...gate, format: 'markdown' })}`),
        finish() {},
      };
    case 'csv':
      return {
        humanStream,
        human,
        document: (document) => io.stdout.write(resultToCsv(document)),
        // CSV on stdout is the result's; the verdicts go to stderr as a table.
        comparison: async (_document, decision, gate) => void io.stderr.write(await renderDecision(decision, { ...gate, format: 'table' })),
        finish() {},
      };
    case 'json': {
      const documents: ResultDocument[] = [];
      const comparisonByDocument = new Map<ResultDocument, Record<string, unknown>>();
      return {
        humanStream,
        human,
        document: (document) => documents.push(document),
        comparison: async (document, decision) => void comparisonByDocument.set(document, decisionJson(decision)),
        finish() {
          // With --baseline the comparison travels beside the result: {result, comparison}.
          const shaped = documents.map((document) => {
            const comparison = comparisonByDocument.get(document);
            return comparison ? { result: document, comparison } : document;
          });
          io.stdout.write(`${JSON.stringify(shaped.length === 1 ? shaped[0] : shaped, null, 2)}\n`);
        },
      };
    }
  }
}
