/** `streambench compare BASE HEAD`: the statistical gate's verdicts and an exit code for CI. */
import { readResultFile, ResultFileError } from '../result/readResult.js';
import { partialResultProblem } from '../result/partialResult.js';
import type { ResultDocument } from '../result/resultSchema.js';
import { type ComparisonDecision, ComparisonInputError, decideComparison } from '../stats/decideComparison.js';
import { type Gate, GateSyntaxError, parseGateFlags } from '../stats/gates.js';
import { parseRules, type Rule, RuleSyntaxError } from '../stats/rules.js';
import { CliError } from './exitCodes.js';
import { decisionExitCode, type GateOutputOptions, renderDecision, writeMarkdownFile } from './gateOutput.js';
import type { CliIo } from './io.js';
import { chosenFormat, type OutputFormat } from './outputFormat.js';
import { terminalWidth } from '../report/terminalWidth.js';
import { checkOutputFile } from './outputPaths.js';

/** Options of `streambench compare` (and the gate options of `run --baseline`). */
export interface CompareCommandOptions {
  failOn?: string[];
  gate?: string[];
  json?: boolean;
  format?: OutputFormat;
  minEffect?: number;
  minEffectTail?: number;
  failOnInconclusive?: boolean;
  details?: boolean;
  markdown?: string;
  /** Show every column. */
  wide?: boolean;
  /** Every warning and undecided verdict on its own line. */
  verbose?: boolean;
  /** false with --no-default-gates. */
  defaultGates?: boolean;
  /** Accept interrupted or incomplete result files (--allow-partial). */
  allowPartial?: boolean;
}

/** Parses `--fail-on` and `--gate`; throws CliError (exit 2) naming the bad one. */
export function parseGateOptions(options: Pick<CompareCommandOptions, 'failOn' | 'gate'>): { rules: Rule[]; flagGates: Gate[] } {
  try {
    return {
      rules: (options.failOn ?? []).flatMap((text) => parseRules(text)),
      flagGates: (options.gate ?? []).flatMap((text) => parseGateFlags(text)),
    };
  } catch (error) {
    if (error instanceof RuleSyntaxError) throw new CliError(`--fail-on: ${error.message}`);
    if (error instanceof GateSyntaxError) throw new CliError(error.message);
    throw error;
  }
}

/** Compares `base` with `head` under the gate options; throws CliError for bad input. */
export function decideGate(base: ResultDocument, head: ResultDocument, names: { base: string; head: string }, options: CompareCommandOptions): ComparisonDecision {
  const { rules, flagGates } = parseGateOptions(options);
  try {
    return decideComparison(base, head, {
      rules,
      flagGates,
      names,
      defaultGates: options.defaultGates,
      options: {
        ...(options.minEffect !== undefined && { minEffectMs: options.minEffect }),
        ...(options.minEffectTail !== undefined && { tailMinEffectMs: options.minEffectTail }),
      },
    });
  } catch (error) {
    if (error instanceof ComparisonInputError) throw new CliError(error.message);
    throw error;
  }
}

/** How the gate options present a decision: format, names, and tables fitted to io's stdout. */
export function gateOutputOptions(options: CompareCommandOptions, names: { base: string; head: string }, io: CliIo): GateOutputOptions {
  return {
    format: chosenFormat(options),
    names,
    details: options.details,
    markdownFile: options.markdown,
    width: terminalWidth(io.stdout, io.env),
    wide: options.wide,
    verbose: options.verbose,
  };
}

/** Runs the command; returns the exit code. */
export async function compareCommand(basePath: string, headPath: string, options: CompareCommandOptions, io: CliIo): Promise<number> {
  parseGateOptions(options); // bad flags fail before any file is read
  if (options.markdown !== undefined) await checkOutputFile(options.markdown, '--markdown');
  const [base, head] = await Promise.all([readOrFail(basePath), readOrFail(headPath)]);
  if (!options.allowPartial) {
    refusePartial(base, basePath);
    refusePartial(head, headPath);
  }
  const names = { base: basePath, head: headPath };
  const decision = decideGate(base, head, names, options);
  const output = gateOutputOptions(options, names, io);
  io.stdout.write(await renderDecision(decision, output));
  await writeMarkdownFile(decision, output);
  return decisionExitCode(decision, options.failOnInconclusive);
}

async function readOrFail(path: string): Promise<ResultDocument> {
  try {
    return await readResultFile(path);
  } catch (error) {
    if (error instanceof ResultFileError) throw new CliError(error.message);
    throw error;
  }
}

/** Throws a CliError (exit 2) when `document` is not a whole run (pass --allow-partial to accept it). */
export function refusePartial(document: ResultDocument, path: string): void {
  const problem = partialResultProblem(document);
  if (problem !== null) throw new CliError(`${path}: not a whole run: ${problem}. Pass --allow-partial to use it anyway`);
}
