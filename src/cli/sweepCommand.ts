/** `streambench sweep SCENARIO --param path=v1,v2`: runs the grid, marks the Pareto front, recommends a setting. */
import { createHash } from 'node:crypto';
import { readScenarioText } from '../scenario/loadScenario.js';
import { resolve } from 'node:path';
import { resultToCsv } from '../report/csv.js';
import { renderSweepMarkdown, renderSweepTable, summarizeSweep } from '../report/sweepTable.js';
import { renderHarnessLimits, renderLoadTable } from '../report/tables.js';
import { collectWarnings } from '../stats/runWarnings.js';
import { renderWarningBlock } from '../report/warningBlock.js';
import { terminalWidth } from '../report/terminalWidth.js';
import { redisNote } from '../report/redisNote.js';
import { wrapWords } from '../report/fitTable.js';
import { fileTimestamp } from '../result/writeResult.js';
import { ScenarioError } from '../input/scenarioError.js';
import { parseThreshold } from '../stats/gates.js';
import { parseParamFlag, parseRawScenario, planSweep, type SweepPlan } from '../sweep/sweepGrid.js';
import { CliError, EXIT } from './exitCodes.js';
import type { CliIo } from './io.js';
import { chosenFormat, type OutputFormat } from './outputFormat.js';
import { createProgress } from './progress.js';
import { watchInterruptions } from './interruptions.js';
import { checkOutputFile, ensureResultsFolder } from './outputPaths.js';
import { runAndSave, type RunInProgress } from './runAndSave.js';
import { redisOption } from './redisUrlFile.js';
import { refuseBeyondMachine } from './runEstimate.js';
import type { ScenarioRunOptions } from './scenarioRunOptions.js';

/** The default latency budget of the recommendation, in ms. */
export const DEFAULT_LATENCY_BUDGET = '16.7ms';

/** Options of `streambench sweep`. */
export interface SweepCommandOptions extends ScenarioRunOptions {
  param?: string[];
  variant?: string;
  format?: OutputFormat;
  latencyBudget?: string;
}

/** Runs the command; returns the exit code. */
export async function sweepCommand(path: string, options: SweepCommandOptions, io: CliIo): Promise<number> {
  let plan: SweepPlan;
  let budgetText: string | number;
  try {
    const text = await readScenarioText(path);
    const raw = parseRawScenario(text, path);
    plan = planSweep(raw, path, createHash('sha256').update(text).digest('hex'), (options.param ?? []).map(parseParamFlag), options.variant);
    // One frame at 60 Hz by default: a reader cannot see a latency difference smaller than a frame.
    budgetText = options.latencyBudget ?? plan.scenario.sweep?.latencyBudget ?? DEFAULT_LATENCY_BUDGET;
  } catch (error) {
    if (error instanceof ScenarioError) throw new CliError(error.message);
    throw error;
  }
  const streams = options.streams ?? options.iterations;
  if (streams !== undefined && plan.params.some((param) => param.path === 'load.streams')) {
    throw new CliError(`--streams ${streams} would replace every point's load.streams, which --param load.streams sweeps: drop one of them`);
  }
  let budget;
  try {
    budget = parseThreshold(budgetText);
  } catch (error) {
    throw new CliError(`--latency-budget: ${(error as Error).message}`);
  }

  const format = chosenFormat(options);
  const bar = createProgress(io.stderr, { quiet: options.quiet, machineOutput: format !== 'table' });
  refuseBeyondMachine(plan.scenario, options, options.force === true);
  const redis = await redisOption(options);
  const redisFlag = options.redisFile !== undefined ? `--redis-file ${options.redisFile}` : '--redis';
  if (options.out !== undefined && !options.save) throw new CliError(`--out ${options.out} and --no-save contradict each other: drop one of them`);
  if (options.save) {
    if (options.out === undefined) await ensureResultsFolder('results');
    else await checkOutputFile(options.out, '--out');
  }
  const outputPath = options.save ? resolve(options.out ?? `results/${plan.scenario.name}-${fileTimestamp(new Date())}.json`) : null;
  const progress: RunInProgress = { document: null, runningConfig: null, outputPath };
  const interruption = watchInterruptions(progress, io.stderr);
  const document = await runAndSave(
    plan.scenario,
    { iterations: streams, warmup: options.warmup, seed: options.seed, redis, broker: options.broker, signal: interruption.signal, env: io.env },
    { bar, outputPath, progress, redisFlag, stderr: io.stderr },
  ).finally(() => interruption.dispose());

  const summary = summarizeSweep(document, { value: budget.value, relative: budget.relative });
  const point = summary.recommendation ? plan.points.find((candidate) => candidate.name === summary.recommendation!.id) : undefined;
  switch (format) {
    case 'json':
      io.stdout.write(
        `${JSON.stringify({ params: plan.params, points: plan.points, front: summary.front, recommendation: summary.recommendation && { ...summary.recommendation, values: point?.values }, ...(summary.noRecommendation && { noRecommendation: summary.noRecommendation }), result: document }, null, 2)}\n`,
      );
      break;
    case 'csv':
      io.stdout.write(resultToCsv(document));
      break;
    case 'markdown':
      io.stdout.write(renderSweepMarkdown(document, plan.params, plan.points, summary));
      break;
    case 'table':
      if (!options.quiet) {
        const layout = { width: terminalWidth(io.stdout, io.env), wide: options.wide };
        const harnessLimits = renderHarnessLimits(document, layout);
        if (harnessLimits !== '') io.stdout.write(`${harnessLimits}\n`);
        const redisLine = redisNote(document);
        if (redisLine) io.stdout.write(`${wrapWords(redisLine, layout.width)}\n`);
        io.stdout.write(`${renderSweepTable(document, plan.params, plan.points, summary, layout)}\n`);
        // A concurrency sweep: throughput and how the tool held up, point by point.
        const loadTable = renderLoadTable(document, { ...layout, warnings: false, harnessLimitsFirst: false });
        if (loadTable !== '') io.stdout.write(`${loadTable}\n`);
        // A sweep is not compared stream by stream: the compare-specific warning would only distract.
        const warnings = renderWarningBlock(
          collectWarnings(document).filter((warning) => warning.kind !== 'too few streams for compare'),
          { verbose: options.verbose, width: layout.width },
        );
        if (warnings !== '') io.stdout.write(`${warnings}\n`);
        if (outputPath) io.stdout.write(`results written to ${outputPath}\n`);
      }
  }
  if (document.interrupted) return EXIT.interrupted;
  return document.configs.some((config) => config.state === 'errored') ? EXIT.runFailed : EXIT.ok;
}
