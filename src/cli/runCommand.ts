/**
 * `streambench run`: load scenarios, run them, print tables, save result documents.
 * Human output goes to stdout, or to stderr when --json puts the document on stdout.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { resultToCsv } from '../report/csv.js';
import { readResultFile, ResultFileError } from '../result/readResult.js';
import type { ResultDocument } from '../result/resultSchema.js';
import { renderRunTables } from '../report/runTables.js';
import { wrapText } from '../report/tables.js';
import { fileTimestamp, writeFileAtomic } from '../result/writeResult.js';
import { collectWarnings } from '../stats/runWarnings.js';
import { renderWarningBlock } from '../report/warningBlock.js';
import { loadScenarioFile, type Scenario } from '../scenario/loadScenario.js';
import { ScenarioError } from '../input/scenarioError.js';
import { type CompareCommandOptions, decideGate, gateOutputOptions, parseGateOptions, refusePartial } from './compareCommand.js';
import { decisionExitCode, writeMarkdownFile } from './gateOutput.js';
import type { CliIo } from './io.js';
import { createRunOutput } from './runOutput.js';
import { usesRedis } from '../run/memoryFallback.js';
import { CliError, EXIT } from './exitCodes.js';
import { chosenFormat } from './outputFormat.js';
import { createProgress } from './progress.js';
import { watchInterruptions } from './interruptions.js';
import { checkOutputFile, checkOutputFolder, ensureResultsFolder } from './outputPaths.js';
import { keepUnsaved } from './resultFallback.js';
import { runAndSave, type RunInProgress } from './runAndSave.js';
import { redisOption } from './redisUrlFile.js';
import { refuseBeyondMachine } from './runEstimate.js';
import { redisNote } from '../report/redisNote.js';
import type { ScenarioRunOptions } from './scenarioRunOptions.js';
import { terminalWidth } from '../report/terminalWidth.js';
import { DEFAULT_SCENARIO } from './defaultScenario.js';

/** Options of `streambench run` as commander parses them (the gate options apply with --baseline). */
export interface RunCommandOptions extends CompareCommandOptions, ScenarioRunOptions {
  shard?: { index: number; count: number };
  /** A result file to compare this run with. */
  baseline?: string;
  /** Also write the result as CSV here. */
  csv?: string;
}

export { DEFAULT_SCENARIO } from './defaultScenario.js';

/** Runs the command; returns the exit code. */
export async function runCommand(scenarioPaths: string[], options: RunCommandOptions, io: CliIo): Promise<number> {
  const paths = scenarioPaths.length > 0 ? scenarioPaths : [DEFAULT_SCENARIO];
  checkRunOptions(paths, options);
  // Load and validate everything before running anything: a typo in the third file should
  // not cost the time of the first two.
  const scenarios: Scenario[] = [];
  for (const path of paths) {
    try {
      scenarios.push(await loadScenarioFile(path));
    } catch (error) {
      if (error instanceof ScenarioError) throw new CliError(error.message);
      throw error;
    }
  }
  return runScenarios(scenarios, options, io);
}

/** Rejects option combinations that cannot work with this many scenarios (before anything runs). */
function checkRunOptions(paths: string[], options: RunCommandOptions): void {
  if (options.baseline && paths.length > 1) {
    throw new CliError(`--baseline compares one run with one baseline, but ${paths.length} scenarios were given; run them one at a time`);
  }
  if (options.csv && paths.length > 1) {
    throw new CliError(`--csv ${options.csv} names one file but ${paths.length} scenarios were given; run them one at a time`);
  }
  if (options.out?.endsWith('.json') && paths.length > 1) {
    throw new CliError(`--out ${options.out} names one file but ${paths.length} scenarios were given; pass a folder to --out instead`);
  }
  parseGateOptions(options); // bad --gate or --fail-on fail before anything runs
}

/** Runs validated scenarios as `run` does (also `target`, with the scenario it builds from flags); returns the exit code. */
export async function runScenarios(scenarios: Scenario[], options: RunCommandOptions, io: CliIo): Promise<number> {
  checkRunOptions(
    scenarios.map((scenario) => scenario.name),
    options,
  );
  const format = chosenFormat(options);
  // Read the baseline first: a missing or stale file should not cost a whole run.
  let baseline: ResultDocument | null = null;
  if (options.baseline) {
    try {
      baseline = await readResultFile(options.baseline);
      if (!options.allowPartial) refusePartial(baseline, `--baseline ${options.baseline}`);
    } catch (error) {
      if (error instanceof ResultFileError) throw new CliError(`--baseline: ${error.message}`);
      throw error;
    }
    // A baseline of another scenario cannot be compared: said now, not after the whole run.
    const scenarioName = scenarios[0]?.name;
    if (scenarioName !== undefined && baseline.scenario.name !== scenarioName) {
      throw new CliError(`--baseline ${options.baseline} is a run of scenario "${baseline.scenario.name}", not of "${scenarioName}"; give a baseline of the same scenario`);
    }
  }
  for (const scenario of scenarios) refuseBeyondMachine(scenario, options, options.force === true);
  const redis = await redisOption(options);
  const redisFlag = options.redisFile !== undefined ? `--redis-file ${options.redisFile}` : '--redis';
  // A Redis named on the command line that no config uses is not checked: say it is unused rather than ignore it silently.
  if (redis !== undefined && /^rediss?(\+cluster)?:\/\//.test(redis) && !scenarios.some((scenario) => usesRedis(scenario.configs))) {
    io.stderr.write(`streambench: ${redisFlag.split(' ')[0]} is not used: no config of ${scenarios.map((scenario) => scenario.name).join(', ')} uses a Redis broker\n`);
  }
  await checkRunOutputs(options);

  const output = createRunOutput(format, io, options.quiet);
  const { human } = output;
  const bar = createProgress(io.stderr, { quiet: options.quiet, machineOutput: format !== 'table' });

  const progress: RunInProgress = { document: null, runningConfig: null, outputPath: null };
  const interruption = watchInterruptions(progress, io.stderr);

  let exitCode: number = EXIT.ok;
  try {
    for (const scenario of scenarios) {
      const outputPath = options.save ? resultPath(scenario.name, options.out) : null;
      const document = await runAndSave(
        scenario,
        {
          iterations: options.streams ?? options.iterations,
          warmup: options.warmup,
          seed: options.seed,
          redis,
          broker: options.broker,
          shard: options.shard,
          signal: interruption.signal,
          env: io.env,
        },
        { bar, outputPath, progress, redisFlag, stderr: io.stderr },
      );
      if (options.csv) {
        const csv = resultToCsv(document);
        await writeFileAtomic(resolve(options.csv), csv).catch((error: unknown) => {
          throw keepUnsaved(resolve(options.csv!), csv, error);
        });
      }

      const layout = { width: terminalWidth(output.humanStream, io.env), wide: options.wide };
      human(`\n${wrapText(`${scenario.name}${scenario.description ? ` — ${scenario.description.trim()}` : ''}`, layout.width)}`);
      const brokerLine = redisNote(document);
      if (brokerLine) human(wrapText(brokerLine, layout.width));
      for (const table of renderRunTables(document, layout)) human(table);
      const warnings = renderWarningBlock(collectWarnings(document), { verbose: options.verbose, width: layout.width });
      if (warnings !== '') human(warnings);
      if (outputPath) human(`results written to ${outputPath}`);
      if (options.csv) human(`CSV written to ${resolve(options.csv)}`);
      output.document(document);
      if (baseline && !document.interrupted) {
        const names = { base: options.baseline!, head: outputPath ?? 'this run' };
        const decision = decideGate(baseline, document, names, options);
        const gate = gateOutputOptions(options, names, io);
        await output.comparison(document, decision, gate);
        await writeMarkdownFile(decision, gate);
        const gateExit = decisionExitCode(decision, options.failOnInconclusive);
        if (gateExit !== EXIT.ok) exitCode = Math.max(exitCode, gateExit);
      }
      if (document.configs.some((config) => config.state === 'errored')) exitCode = EXIT.runFailed;
      if (!document.interrupted && !document.configs.some((config) => config.state === 'completed')) {
        // Skipped configs measure nothing: a green exit would hide that the run did nothing.
        // Streams measured before a config failed are kept: say so rather than "nothing was measured".
        const measured = document.configs.reduce((streams, config) => streams + config.iterations.length, 0);
        io.stderr.write(
          measured > 0
            ? `streambench: no config of ${scenario.name} completed (see the messages above); the ${measured} stream${measured === 1 ? '' : 's'} measured before the failures ${measured === 1 ? 'is' : 'are'} kept in the result\n`
            : `streambench: nothing was measured in ${scenario.name}: no config completed (see the messages above)\n`,
        );
        exitCode = Math.max(exitCode, EXIT.runFailed);
      }
      if (document.interrupted) {
        exitCode = EXIT.interrupted;
        break;
      }
    }
  } finally {
    interruption.dispose();
  }
  output.finish();
  return exitCode;
}

/** Where a scenario's result goes: --out as a file, --out as a folder, or results/. */
function resultPath(scenarioName: string, out: string | undefined): string {
  const fileName = `${scenarioName}-${fileTimestamp(new Date())}.json`;
  if (!out) return resolve('results', fileName);
  return resolve(out.endsWith('.json') ? out : join(out, fileName));
}

/**
 * Checks every output path before anything runs (exit 2, nothing measured is lost): `--out` is
 * a `.json` file in an existing folder or an existing folder; `--out` with `--no-save` is a
 * contradiction; `--csv` a writable file.
 */
async function checkRunOutputs(options: RunCommandOptions): Promise<void> {
  if (options.out !== undefined && !options.save) {
    throw new CliError(`--out ${options.out} and --no-save contradict each other: drop one of them`);
  }
  if (options.save) {
    if (options.out === undefined) await ensureResultsFolder('results');
    else if (options.out.endsWith('.json')) await checkOutputFile(options.out, '--out');
    else {
      const isFolder = await stat(options.out).then(
        (entry) => entry.isDirectory(),
        () => false,
      );
      if (!isFolder) {
        throw new CliError(`--out ${options.out}: neither a .json file nor an existing folder; name a .json file, or create the folder first`);
      }
      await checkOutputFolder(options.out, '--out');
    }
  }
  if (options.csv !== undefined) await checkOutputFile(options.csv, '--csv');
  if (options.markdown !== undefined) await checkOutputFile(options.markdown, '--markdown');
}
