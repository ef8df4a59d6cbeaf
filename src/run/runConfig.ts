/**
 * Runs one config: warm-up streams one at a time, then the measured streams — one after
 * another, or concurrently as its load settings say — pooled into its metrics. A failed
 * stream makes the config `errored` with a message and keeps what it measured; under load
 * the other streams go on and failures are counted. It never ends the run.
 */
import { watchEventLoopDelay } from '../probes/eventLoopDelay.js';
import type { LoadSettings } from '../load/loadSettings.js';
import { runSchedule, type ScheduleOutcome, type StreamStart } from '../load/streamScheduler.js';
import type { ConfigMetrics, ConfigResult } from '../report/resultSchema.js';
import type { ResolvedConfig } from '../scenario/loadScenario.js';
import { ConfigMeasurements } from '../stats/configMeasurements.js';
import { Distribution } from '../stats/distribution.js';
import { iterationDetails, percentileList, streamTimeline } from '../stats/streamDetails.js';
import { buildPipeline, type RunEnvironment } from './buildPipeline.js';
import { runStream } from './runStream.js';
import { StageUnavailableError } from './stageUnavailableError.js';

/** How many streams a config runs (with a load block, `load.streams` replaces `iterations`). */
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
  const startDelays = new Distribution();
  let timeline: ConfigResult['timeline'];
  const eventLoop = watchEventLoopDelay();
  const load = config.load;
  const measuredStreams = load?.streams ?? plan.iterations;
  const totalStreams = plan.warmup + measuredStreams;
  const failures: string[] = [];
  let failedStreams = 0;
  let fatal: string | null = null;
  let finished = 0;

  // One stream, start to end; a failure is counted, never thrown, so other streams go on.
  const runOne = async ({ index, dueAtMs }: StreamStart, measured: boolean) => {
    try {
      const run = await runStream(pipeline, index, `${configIndex}-${index}`, signal);
      // An interruption cuts the stream short: a partial stream is not a measurement.
      if (signal?.aborted) return;
      if (measured) {
        measurements.addStream(run.trace, run.counts);
        details.push(iterationDetails(run.trace, run.counts));
        if (dueAtMs !== null) startDelays.record(run.trace.requestStartMs - dueAtMs);
        timeline ??= streamTimeline(run.trace, index - plan.warmup + 1);
      }
      if (run.counts.check.problem) {
        failedStreams++;
        failures.push(`stream ${index + 1}${measured ? '' : ' (warm-up)'}: ${run.counts.check.problem}`);
      }
    } catch (error) {
      if (signal?.aborted) return;
      failedStreams++;
      failures.push(`stream ${index + 1}${measured ? '' : ' (warm-up)'}: ${(error as Error).message}`);
    } finally {
      onStream?.({ config: config.name, stream: ++finished, streams: totalStreams });
    }
  };

  let outcome: ScheduleOutcome | null = null;
  let cpuUs = 0;
  try {
    // Warm-up streams run one at a time, whatever the load; a warm-up failure ends the config.
    for (let index = 0; index < plan.warmup && !signal?.aborted && failures.length === 0; index++) {
      await runOne({ index, dueAtMs: null }, false);
    }
    if (failures.length === 0) {
      const cpuAtStart = process.cpuUsage();
      outcome = await runSchedule({
        load,
        streams: measuredStreams,
        firstIndex: plan.warmup,
        clock: environment.clock,
        seed: environment.seed,
        signal,
        // Sequential runs stop at the first failure: repeating it teaches nothing. Under load,
        // failures are counted and the rest goes on.
        shouldStop: () => load === null && failures.length > 0,
        shard: environment.shard ?? undefined,
        runOne: (start) => runOne(start, true),
      });
      const cpu = process.cpuUsage(cpuAtStart);
      cpuUs = cpu.user + cpu.system;
    }
  } catch (error) {
    fatal = (error as Error).message;
  } finally {
    await pipeline.close();
  }
  const eventLoopDelayMs = eventLoop.stop();
  const metrics = measurements.iterations.length > 0 ? measurements.toMetrics(eventLoopDelayMs) : null;
  const loadResult = outcome && summarizeLoad(load, outcome, failedStreams, measurements, startDelays, cpuUs);
  if (metrics && loadResult && load !== null) {
    // Concurrent streams share the process: CPU is measured over the whole load, not per stream.
    const tokens = metrics.counters.tokensPerStream * measurements.iterations.length;
    if (tokens > 0) metrics.counters.cpuUsPerToken = cpuUs / tokens;
  }
  const problem = fatal ?? describeFailures(failures, failedStreams, outcome?.started ?? 0);
  const warnings = harnessWarnings(eventLoopDelayMs, loadResult);
  return {
    name: config.name,
    state: problem ? 'errored' : 'completed',
    ...(problem ? { message: problem } : {}),
    settings: load ? { ...settings, load } : settings,
    metrics,
    iterations: measurements.iterations.map((sample, index) => ({ ...sample, ...details[index] })),
    ...(measurements.tokenLatencyDistribution().count > 0 && { tokenLatencyPercentilesMs: percentileList(measurements.tokenLatencyDistribution()) }),
    ...(timeline && { timeline }),
    ...(loadResult && { load: loadResult }),
    ...(warnings.length > 0 && { warnings }),
    // Shard results carry their exact state so `streambench merge` can combine them.
    ...(environment.shard && measurements.iterations.length > 0 && { snapshot: measurements.toSnapshot() }),
  };
}

function describeFailures(failures: string[], failedStreams: number, started: number): string | null {
  if (failures.length === 0) return null;
  if (failures.length === 1) return failures[0];
  const shown = failures.slice(0, 3).join('; ');
  return `${failedStreams} streams failed (of ${started} measured): ${shown}${failures.length > 3 ? '; …' : ''}`;
}

function summarizeLoad(
  load: LoadSettings | null,
  outcome: ScheduleOutcome,
  failedStreams: number,
  measurements: ConfigMeasurements,
  startDelays: Distribution,
  cpuUs: number,
): NonNullable<ConfigResult['load']> {
  const durationMs = outcome.endedAtMs - outcome.startedAtMs;
  const tokens = measurements.iterations.reduce((sum, sample) => sum + sample.tokens, 0);
  const perSecond = (count: number) => (durationMs > 0 ? (count * 1000) / durationMs : 0);
  return {
    mode: load === null ? 'sequential' : load.concurrency !== undefined ? 'closed-loop' : 'open-loop',
    streamsStarted: outcome.started,
    streamsFailed: failedStreams,
    durationMs,
    deliveredTokensPerSecond: perSecond(tokens),
    completedStreamsPerSecond: perSecond(measurements.iterations.length),
    startDelayMs: startDelays.summary(),
    toolCpuShare: durationMs > 0 ? cpuUs / 1000 / durationMs : 0,
  };
}

// Above these, the tool itself is likely part of what was measured.
const EVENT_LOOP_DELAY_P99_LIMIT_MS = 20;
const TOOL_CPU_SHARE_LIMIT = 0.85;
const START_DELAY_P99_LIMIT_MS = 5;

/** Warnings, with advice, when the harness and not the system under test may be the bottleneck. */
function harnessWarnings(eventLoopDelayMs: ConfigMetrics['eventLoopDelayMs'], load: ConfigResult['load'] | null): string[] {
  const warnings: string[] = [];
  if (eventLoopDelayMs && eventLoopDelayMs.p99 > EVENT_LOOP_DELAY_P99_LIMIT_MS) {
    warnings.push(
      `event-loop delay p99 was ${eventLoopDelayMs.p99.toFixed(1)} ms: timestamps may be late by that much; lower the concurrency or rate, or use lighter client/render settings`,
    );
  }
  if (load && load.toolCpuShare > TOOL_CPU_SHARE_LIMIT) {
    warnings.push(
      `the tool used ${(load.toolCpuShare * 100).toFixed(0)} % of a core: it may be the bottleneck, not the relay; lower the load or split it over machines with --shard`,
    );
  }
  if (load?.startDelayMs && load.startDelayMs.p99 > START_DELAY_P99_LIMIT_MS) {
    warnings.push(
      `streams started up to ${load.startDelayMs.p99.toFixed(1)} ms (p99) after they were due: the tool could not keep up with the arrival rate`,
    );
  }
  return warnings;
}
