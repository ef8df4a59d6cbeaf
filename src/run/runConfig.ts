/**
 * Runs one config: warm-up streams, then measured streams, pooled into its metrics. A
 * failure ends the config as `errored` with a message and keeps what it measured; it never
 * ends the run.
 */
import { watchEventLoopDelay } from '../probes/eventLoopDelay.js';
import type { ConfigResult } from '../report/resultSchema.js';
import type { ResolvedConfig } from '../scenario/loadScenario.js';
import { ConfigMeasurements } from '../stats/configMeasurements.js';
import { Distribution } from '../stats/distribution.js';
import { iterationDetails, percentileList, recordTokenLatencies, streamTimeline } from '../stats/streamDetails.js';
import { buildPipeline, type RunEnvironment } from './buildPipeline.js';
import { runStream } from './runStream.js';
import { StageUnavailableError } from './stageUnavailableError.js';

/** How many streams a config runs. */
export interface StreamPlan {
  warmup: number;
  iterations: number;
}

/** Called after every stream, for progress display. */
export type StreamProgress = (done: { config: string; stream: number; streams: number }) => void;


/** Runs a config's streams and returns its result. */
export async function runConfig(
  config: ResolvedConfig,
  configIndex: number,
  plan: StreamPlan,
  environment: RunEnvironment,
  signal?: AbortSignal,
  onStream?: StreamProgress,
): Promise<ConfigResult> {
  const settings = { preset: config.preset, description: config.description, ...config.pipeline };
  let pipeline: Awaited<ReturnType<typeof buildPipeline>>;
  try {
    pipeline = await buildPipeline(config.pipeline, environment);
  } catch (error) {
    const state = error instanceof StageUnavailableError ? 'skipped' : 'errored';
    return { name: config.name, state, message: (error as Error).message, settings, metrics: null, iterations: [] };
  }

  const measurements = new ConfigMeasurements();
  // Kept beside the pooled metrics for the gate (per-stream counters) and the HTML report.
  const details: ReturnType<typeof iterationDetails>[] = [];
  const tokenLatencies = new Distribution();
  let timeline: ConfigResult['timeline'];
  const eventLoop = watchEventLoopDelay();
  const streams = plan.warmup + plan.iterations;
  let problem: string | null = null;
  try {
    for (let stream = 0; stream < streams && !signal?.aborted; stream++) {
      const run = await runStream(pipeline, stream, `${configIndex}-${stream}`, signal);
      // An interruption cuts the stream short: a partial stream is not a measurement.
      if (signal?.aborted) break;
      const measured = stream >= plan.warmup;
      if (measured) {
        measurements.addStream(run.trace, run.counts);
        details.push(iterationDetails(run.trace, run.counts));
        recordTokenLatencies(run.trace, tokenLatencies);
        timeline ??= streamTimeline(run.trace, stream - plan.warmup + 1);
      }
      onStream?.({ config: config.name, stream: stream + 1, streams });
      if (run.counts.check.problem) {
        problem = `stream ${stream + 1}${measured ? '' : ' (warm-up)'}: ${run.counts.check.problem}`;
        break;
      }
    }
  } catch (error) {
    problem = (error as Error).message;
  } finally {
    await pipeline.close();
  }
  const eventLoopDelayMs = eventLoop.stop();
  const hasMeasurements = measurements.iterations.length > 0;
  return {
    name: config.name,
    state: problem ? 'errored' : 'completed',
    ...(problem ? { message: problem } : {}),
    settings,
    metrics: hasMeasurements ? measurements.toMetrics(eventLoopDelayMs) : null,
    iterations: measurements.iterations.map((sample, index) => ({ ...sample, ...details[index] })),
    ...(tokenLatencies.count > 0 && { tokenLatencyPercentilesMs: percentileList(tokenLatencies) }),
    ...(timeline && { timeline }),
  };
}
