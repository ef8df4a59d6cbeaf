/**
 * What `run` and `sweep` share: run a scenario with the progress bar fed, save the document
 * after every config (a later failure loses nothing measured so far) and at the end, and turn
 * a bad `--redis` into a usage error.
 */
import { monotonicNowMs } from '../clock.js';
import { RedisSetupError } from '../pipeline/brokers/redis/connection.js';
import type { ResultDocument } from '../report/resultSchema.js';
import { writeFileAtomic } from '../report/writeResult.js';
import { type RunOptions, runScenario } from '../run/runScenario.js';
import type { Scenario } from '../scenario/loadScenario.js';
import { CliError } from './exitCodes.js';
import type { ProgressDisplay } from './progress.js';

/** Runs `scenario`, showing progress on `bar` and saving to `outputPath` (null: no file). */
export async function runAndSave(
  scenario: Scenario,
  runOptions: Omit<RunOptions, 'onStream' | 'onConfigDone'>,
  output: { bar: ProgressDisplay | null; outputPath: string | null },
): Promise<ResultDocument> {
  const { bar, outputPath } = output;
  const save = (document: ResultDocument) => writeFileAtomic(outputPath!, `${JSON.stringify(document, null, 2)}\n`);
  const iterations = runOptions.iterations ?? scenario.iterations;
  const warmup = runOptions.warmup ?? scenario.warmup;
  // A load block sets its own stream count, and every worker thread warms up on its own; a
  // timed load (durationS) starts as many as fit, so the total is unknown (0).
  const timed = scenario.configs.some((config) => config.load?.durationS !== undefined);
  const streamsTotal = timed ? 0 : scenario.configs.reduce((total, config) => total + (config.load?.workers ?? 1) * warmup + (runOptions.iterations ?? config.load?.streams ?? iterations), 0);
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
      });
    },
    onConfigDone: outputPath ? save : undefined,
  })
    .catch((error: unknown) => {
      // A bad REDIS_URL is named as such: the user never typed --redis.
      if (error instanceof RedisSetupError) throw new CliError(error.message.startsWith('REDIS_URL') ? error.message : `--redis: ${error.message}`);
      throw error;
    })
    .finally(() => bar?.clear());
  if (outputPath) await save(document);
  return document;
}
