/**
 * `streambench run`: load scenarios, run them, print tables, save result documents.
 * Human output goes to stdout, or to stderr when --json puts the document on stdout.
 */
import { join, resolve } from 'node:path';
import type { ResultDocument } from '../report/resultSchema.js';
import { renderStageTable, renderSummaryTable } from '../report/tables.js';
import { fileTimestamp, writeFileAtomic } from '../report/writeResult.js';
import { RedisSetupError } from '../pipeline/brokers/redis/connection.js';
import { runScenario } from '../run/runScenario.js';
import { loadScenarioFile, type Scenario } from '../scenario/loadScenario.js';
import { ScenarioError } from '../scenario/scenarioError.js';
import { CliError, EXIT } from './exitCodes.js';

/** Options of `streambench run` as commander parses them. */
export interface RunCommandOptions {
  json?: boolean;
  out?: string;
  save: boolean;
  iterations?: number;
  warmup?: number;
  seed?: number;
  redis?: string;
  quiet?: boolean;
}

export const DEFAULT_SCENARIO = 'scenarios/default.yaml';

/** Runs the command; returns the exit code. */
export async function runCommand(scenarioPaths: string[], options: RunCommandOptions): Promise<number> {
  const paths = scenarioPaths.length > 0 ? scenarioPaths : [DEFAULT_SCENARIO];
  if (options.out?.endsWith('.json') && paths.length > 1) {
    throw new CliError(`--out ${options.out} names one file but ${paths.length} scenarios were given; pass a folder to --out instead`);
  }
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

  const human = (text: string) => {
    if (!options.quiet) (options.json ? process.stderr : process.stdout).write(`${text}\n`);
  };
  const progress = (text: string) => {
    if (!options.quiet && !options.json) process.stderr.write(`${text}\n`);
  };

  const interruption = new AbortController();
  const onSignal = (signalName: NodeJS.Signals) => {
    if (interruption.signal.aborted) process.exit(EXIT.interrupted); // a second signal exits at once
    process.stderr.write(`\n${signalName}: stopping after the stream in progress; partial results will be saved (send again to exit at once)\n`);
    interruption.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const documents: ResultDocument[] = [];
  let exitCode: number = EXIT.ok;
  try {
    for (const scenario of scenarios) {
      const outputPath = options.save ? resultPath(scenario.name, options.out) : null;
      progress(`▶ ${scenario.name}: ${scenario.configs.length} configs × ${options.iterations ?? scenario.iterations} streams (+${options.warmup ?? scenario.warmup} warm-up)`);
      const document = await runScenario(scenario, {
        iterations: options.iterations,
        warmup: options.warmup,
        seed: options.seed,
        redis: options.redis,
        signal: interruption.signal,
        onStream: ({ config, stream, streams }) => {
          if (stream === streams) progress(`  ✓ ${config} (${streams} streams)`);
        },
        // Save after every config so a failure later loses nothing measured so far.
        onConfigDone: outputPath ? (partial) => writeFileAtomic(outputPath, `${JSON.stringify(partial, null, 2)}\n`) : undefined,
      }).catch((error: unknown) => {
        if (error instanceof RedisSetupError) throw new CliError(`--redis: ${error.message}`);
        throw error;
      });
      if (outputPath) await writeFileAtomic(outputPath, `${JSON.stringify(document, null, 2)}\n`);
      documents.push(document);

      human(`\n${scenario.name}${scenario.description ? ` — ${scenario.description.trim()}` : ''}`);
      human(renderSummaryTable(document));
      human(renderStageTable(document));
      if (outputPath) human(`results written to ${outputPath}`);
      if (document.configs.some((config) => config.state === 'errored')) exitCode = EXIT.runFailed;
      if (document.interrupted) {
        exitCode = EXIT.interrupted;
        break;
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (options.json) process.stdout.write(`${JSON.stringify(documents.length === 1 ? documents[0] : documents, null, 2)}\n`);
  return exitCode;
}

/** Where a scenario's result goes: --out as a file, --out as a folder, or results/. */
function resultPath(scenarioName: string, out: string | undefined): string {
  const fileName = `${scenarioName}-${fileTimestamp(new Date())}.json`;
  if (!out) return resolve('results', fileName);
  return resolve(out.endsWith('.json') ? out : join(out, fileName));
}
