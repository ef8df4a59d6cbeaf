/**
 * What `run` and `sweep` share: run a scenario with the progress bar fed, save the document
 * after every config (a later failure loses nothing measured so far) and at the end, and turn
 * a bad `--redis` into a usage error.
 */
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { monotonicNowMs, systemClock } from '../clock.js';
import { workersOfRun } from '../load/automaticWorkers.js';
import { RedisSetupError } from '../pipeline/brokers/redis/connection.js';
import type { ResultDocument } from '../result/resultSchema.js';
import { writeFileAtomic } from '../result/writeResult.js';
import { type RunOptions, runScenario } from '../run/runScenario.js';
import type { PartialConfig } from '../run/types.js';
import type { Scenario } from '../scenario/loadScenario.js';
import { streamsOverlap as loadStreamsOverlap } from '../scenario/loadSettings.js';
import { CliError } from './exitCodes.js';
import { keepUnsaved } from './resultFallback.js';
import type { CliOutput } from './io.js';
import type { ProgressDisplay } from './progress.js';

/**
 * What a forced stop (a signal the run did not honour in time) needs to save: the document as
 * of the last config, the config running now, and where the file goes.
 */
export interface RunInProgress {
  document: ResultDocument | null;
  runningConfig: string | null;
  /** The running config as measured so far (null before its streams start, or on worker threads). */
  runningPartial?: PartialConfig | null;
  outputPath: string | null;
}

/** Runs `scenario`, showing progress on `bar` and saving to `outputPath` (null: no file); a failed intermediate save is told on `stderr`. */
export async function runAndSave(
  scenario: Scenario,
  runOptions: Omit<RunOptions, 'onStream' | 'onConfigDone' | 'onConfigStart' | 'onConfigPartial'>,
  output: { bar: ProgressDisplay | null; outputPath: string | null; progress?: RunInProgress; redisFlag?: string; stderr: CliOutput },
): Promise<ResultDocument> {
  const { bar, outputPath } = output;
  // A target's app log goes beside the result file; with no file (--no-save), to the system's temporary folder, never under results/.
  runOptions = { ...runOptions, appLogFolder: runOptions.appLogFolder ?? (outputPath ? dirname(outputPath) : tmpdir()) };
  const progress: RunInProgress = output.progress ?? { document: null, runningConfig: null, outputPath };
  progress.outputPath = outputPath;
  progress.document = null;
  let intermediateFailure: unknown = null;
  // Saved after every config, marked incomplete: a file left by a crash or SIGKILL says so.
  const saveSoFar = async (document: ResultDocument) => {
    progress.document = structuredClone(document);
    progress.runningConfig = null;
    progress.runningPartial = null;
    if (intermediateFailure !== null) return;
    try {
      await writeFileAtomic(outputPath!, `${JSON.stringify({ ...document, incomplete: true }, null, 2)}\n`);
    } catch (error) {
      // The run goes on; the final write tries again and keeps a fallback if it fails too.
      intermediateFailure = error;
      output.stderr.write(`streambench: could not save ${outputPath} after a config (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the run goes on\n`);
    }
  };
  const iterations = runOptions.iterations ?? scenario.iterations;
  const warmup = runOptions.warmup ?? scenario.warmup;
  // A load block sets its own stream count, and every worker thread warms up on its own; a
  // timed load (durationS) starts as many as fit, so the total is unknown (0).
  const timed = scenario.configs.some((config) => config.load?.durationS !== undefined);
  // A load that left load.workers unset may spread by itself: each of its threads warms up too.
  const planned = { sourceSettings: scenario.source, seed: runOptions.seed ?? scenario.seed, clock: runOptions.clock ?? systemClock, shard: runOptions.shard ?? null };
  const streamsTotal = timed
    ? 0
    : scenario.configs.reduce((total, config) => total + workersOfRun(config, planned) * warmup + (runOptions.iterations ?? config.load?.streams ?? iterations), 0);
  // Concurrent streams end in waves: no ETA from their rate.
  const streamsOverlap = scenario.configs.some((config) => loadStreamsOverlap(config.load));
  const startedMs = monotonicNowMs();
  let streamsDone = 0;
  const document = await runScenario(scenario, {
    ...runOptions,
    onStream: ({ config, stream, streams }) => {
      streamsDone++;
      bar?.update({
        scenario: scenario.name,
        config: scenario.configs.findIndex((candidate) => candidate.name === config) + 1,
        configs: scenario.configs.length,
        configName: config,
        streamsDone,
        streamsTotal,
        configStreamsDone: stream,
        configStreams: streams,
        elapsedMs: monotonicNowMs() - startedMs,
        streamsOverlap,
      });
    },
    onConfigStart: (config) => {
      progress.runningConfig = config;
      progress.runningPartial = null;
    },
    onConfigPartial: (partial, documentSoFar) => {
      progress.runningPartial = partial;
      // No config has finished yet: a forced stop still needs the document around the running one.
      progress.document ??= structuredClone(documentSoFar);
    },
    onConfigDone: outputPath
      ? saveSoFar
      : (document) => {
          progress.document = structuredClone(document);
          progress.runningPartial = null;
        },
  })
    .catch((error: unknown) => {
      // A bad REDIS_URL is named as such: the user never typed --redis (nor --redis-file).
      if (error instanceof RedisSetupError) {
        throw new CliError(/^(REDIS_URL|STREAMBENCH_DEFAULT_REDIS_URL)\b/.test(error.message) ? error.message : `${output.redisFlag ?? '--redis'}: ${error.message}`);
      }
      throw error;
    })
    .finally(() => bar?.clear());
  progress.runningConfig = null;
  progress.runningPartial = null;
  if (outputPath) {
    const text = `${JSON.stringify(document, null, 2)}\n`;
    try {
      await writeFileAtomic(outputPath, text);
    } catch (error) {
      throw keepUnsaved(outputPath, text, error);
    }
  }
  return document;
}
