/**
 * Runs one config: warm-up streams one at a time, then the measured streams — one after
 * another, or concurrently as its load settings say — pooled into its metrics. A failed
 * stream makes the config `errored` with a message and keeps what it measured; under load
 * the other streams go on and failures are counted. It never ends the run.
 */
import { monotonicNowMs, systemClock } from '../clock.js';
import { watchEventLoopDelay } from '../probes/eventLoopDelay.js';
import { StallMonitor } from '../probes/stallMonitor.js';
import { stallWarnings } from './stallWarning.js';
import { type ResourceReport, sampleResources } from '../probes/resourceSampler.js';
import { type LoadSettings, streamsOverlap as loadStreamsOverlap } from '../scenario/loadSettings.js';
import { harnessWarnings, loadThreadsOf, splitOf } from '../load/harnessWarnings.js';
import { type ProcessesChoice, withAutomaticProducerProcess, withAutomaticWorkers } from '../load/automaticWorkers.js';
import { concurrencyOfShare, plannedStream } from '../load/plannedLoad.js';
import { runSchedule, type ScheduleOutcome, type Shard, type StreamStart } from '../load/streamScheduler.js';
import { timeSlicedQueue } from '../load/timeSlicedQueue.js';
import { configEnd, type ConfigResult } from '../result/resultSchema.js';
import type { ResolvedConfig } from '../scenario/loadScenario.js';
import { ConfigMeasurements } from '../stats/configMeasurements.js';
import { percentileList, streamTimeline } from '../stats/streamDetails.js';
import { runConfigOnWorkers } from '../load/workerThreads.js';
import { buildPipeline, type RunEnvironment } from './buildPipeline.js';
import { measuresRenderCost, renderCostStride } from './renderCostSample.js';
import { runStream } from './runStream.js';
import { StageUnavailableError } from './stageUnavailableError.js';
import type { BuiltPipeline, ConfigHooks, StreamPlan } from './types.js';
import { openTargetRunner, type TargetRunner } from '../target/targetRunner.js';
import type { TargetStreamRun } from '../target/targetStream.js';
import { describeTarget } from '../target/describeTarget.js';

/** Runs a config's streams and returns its result (on worker threads, or with its producer side in a child process, when its load says so or needs it). */
export async function runConfig(config: ResolvedConfig, configIndex: number, plan: StreamPlan, environment: RunEnvironment, hooks: ConfigHooks = {}): Promise<ConfigResult> {
  const chosen = withAutomaticWorkers(config, environment, environment.cores);
  if ((chosen.config.load?.workers ?? 1) > 1) return runConfigOnWorkers(chosen.config, configIndex, plan, environment, hooks, chosen.choice);
  const split = withAutomaticProducerProcess(config, environment, environment.cores);
  return runConfigInThisThread(split.config, configIndex, plan, environment, hooks, split.choice);
}

/** Runs a config's streams on this thread (a worker thread runs its share this way); `choice`: how streambench chose to split its producer side off (null: it did not). */
export async function runConfigInThisThread(
  config: ResolvedConfig,
  configIndex: number,
  plan: StreamPlan,
  environment: RunEnvironment,
  hooks: ConfigHooks = {},
  choice: ProcessesChoice | null = null,
): Promise<ConfigResult> {
  const { signal, onStream } = hooks;
  const settings: Record<string, unknown> = config.target
    ? { description: config.description, target: describeTarget(config.target) }
    : { preset: config.preset, description: config.description, ...config.pipeline };
  let pipeline: Awaited<ReturnType<typeof buildPipeline>> | null = null;
  // Target mode: the streams go through the user's app instead of a built pipeline.
  let target: TargetRunner | null = null;
  try {
    if (config.target) target = await openTargetRunner(config, environment, signal);
    else pipeline = await buildPipeline(config.pipeline, environment, { concurrency: expectedConcurrency(config, environment) });
  } catch (error) {
    const state = error instanceof StageUnavailableError ? 'skipped' : 'errored';
    return { name: config.name, state, message: (error as Error).message, settings, metrics: null, iterations: [] };
  }

  const measurements = new ConfigMeasurements();
  let timeline: ConfigResult['timeline'];
  const eventLoop = watchEventLoopDelay();
  // Per stream, the longest stall of the tool's own event loop (real time only: a manual clock's
  // timestamps cannot be matched with real stalls).
  const stalls = environment.clock === systemClock ? new StallMonitor() : null;
  const load = config.load;
  // What the result's settings.load holds: the load as set, with how streambench split it if it did.
  const loadSettings = load && { ...load, ...choice };
  const measuredStreams = load?.streams ?? plan.iterations;
  const totalStreams = plan.warmup + measuredStreams;
  const failures: string[] = [];
  let failedStreams = 0;
  let fatal: string | null = null;
  let finished = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  // A forced stop (signal not honoured within the grace period) keeps every stream measured so far.
  hooks.onPartial?.(() => {
    const iterations = [...measurements.iterations];
    return {
      name: config.name,
      state: 'interrupted',
      message: `stopped by force while it ran (a second signal, or no orderly stop within the grace period) after ${iterations.length} measured streams; streams in flight were not measured`,
      settings: loadSettings ? { ...settings, load: loadSettings } : settings,
      metrics: iterations.length > 0 ? measurements.toMetrics(eventLoop.peek()) : null,
      iterations,
    };
  });

  // Overlapping streams share the process's CPU: it is measured over the whole load instead.
  const streamsOverlap = loadStreamsOverlap(load);
  const endOfStreamWork = streamsOverlap ? timeSlicedQueue() : null;
  // The render-cost sample's stride, from the whole run's streams in flight (the same in every shard and worker).
  const renderCostEvery = renderCostStride(expectedConcurrency(config, { ...environment, shard: null }));

  // The browsers' memory (client.type browser), read as streams end, at most once a second.
  let lastBrowserReadingMs = -Infinity;
  const sampleBrowsers = () => {
    const nowMs = environment.clock.nowMs();
    if (!pipeline?.browser || nowMs - lastBrowserReadingMs < 1000) return;
    lastBrowserReadingMs = nowMs;
    pipeline.browser.resources();
  };

  // Measured streams are numbered from 1 in start order, as in the result (iterations[].stream, timeline.stream) and the stall warning; warm-ups apart.
  const measuredStreamNumber = (index: number) => index - plan.warmup + 1;
  const streamName = (index: number, measured: boolean) => (measured ? `stream ${measuredStreamNumber(index)}` : `warm-up stream ${index + 1}`);

  // One stream, start to end; a failure is counted, never thrown, so other streams go on.
  const runOne = async ({ index, dueAtMs }: StreamStart, measured: boolean, release: () => void = () => {}) => {
    peakInFlight = Math.max(peakInFlight, ++inFlight);
    let released = false;
    const releaseSlot = () => {
      if (released) return;
      released = true;
      inFlight--;
      release();
    };
    try {
      const run = target
        ? await target.runStream(index, `${configIndex}-${index}`, signal)
        : await runStream(pipeline!, index, `${configIndex}-${index}`, signal, {
            sampleCpu: !measured || !streamsOverlap,
            measureRenderCost: measuresRenderCost(index, plan.warmup, streamsOverlap, renderCostEvery),
            // Only where streams overlap anyway: a one-at-a-time run keeps each stream's CPU sample its own.
            onDeliveryEnd: streamsOverlap ? releaseSlot : undefined,
          });
      // An interruption cuts the stream short: a partial stream is not a measurement.
      if (signal?.aborted) return;
      if (measured) {
        const endedMs = monotonicNowMs();
        const addMeasured = () => {
          measurements.addStream(run.trace, run.counts);
          target?.addMeasured(run as TargetStreamRun, measurements.iterations.at(-1));
          const iteration = measurements.iterations.at(-1);
          if (iteration) iteration.stream = measuredStreamNumber(index);
          if (stalls && iteration) iteration.toolStallMs = stalls.longestStallMs(run.trace.requestStartMs, endedMs);
          if (dueAtMs !== null) measurements.recordStartDelay(run.trace.requestStartMs - dueAtMs);
          timeline ??= streamTimeline(run.trace, measuredStreamNumber(index));
        };
        // Under load, the summaries go a few ms per loop turn: the running streams' timers fire between them.
        if (endOfStreamWork) await endOfStreamWork.run(addMeasured);
        else addMeasured();
      }
      if (run.counts.check.problem) {
        failedStreams++;
        failures.push(`${streamName(index, measured)}: ${run.counts.check.problem}`);
      }
    } catch (error) {
      if (signal?.aborted) return;
      failedStreams++;
      failures.push(`${streamName(index, measured)}: ${(error as Error).message}`);
    } finally {
      releaseSlot();
      sampleBrowsers();
      onStream?.({ config: config.name, stream: ++finished, streams: totalStreams });
    }
  };

  let outcome: ScheduleOutcome | null = null;
  let cpuUs = 0;
  let browserCpuMs: number | null = null;
  let resources: ReturnType<typeof sampleResources> | null = null;
  let resourceReport: ResourceReport | null = null;
  try {
    // Warm-up streams run one at a time, whatever the load; a warm-up failure ends the config.
    for (let index = 0; index < plan.warmup && !signal?.aborted && failures.length === 0; index++) {
      await runOne({ index, dueAtMs: null }, false);
    }
    // Plan the source's streams before the load (a synthetic source generates each stream's
    // text and schedule): that is the model's work, not the relay's, and done during the ramp
    // it delayed the streams already running (source lag) and counted as the tool's CPU. Done
    // before onWarm, so worker threads plan their shares before the process's CPU window opens.
    // A producer child process plans them too, on request, before the window (planned as its
    // streams opened, they cost it 0.7 ms each just as the first tokens were due).
    if (failures.length === 0 && !signal?.aborted && pipeline) {
      await prepareSourceAhead(pipeline, plan.warmup, measuredStreams, environment.shard ?? undefined);
    }
    if (failures.length === 0) await hooks.onWarm?.();
    if (failures.length === 0 && !signal?.aborted) {
      resources = load && sampleResources(environment.clock, load.sampleEveryS * 1000);
      peakInFlight = 0; // the warm-up's one stream is not the load's
      const cpuAtStart = process.cpuUsage();
      // With `processes: split` the producers run in the config's child: its CPU is the load's too.
      const childCpuAtStartUs = await pipeline?.producerProcess?.cpuUs();
      await target?.beginMeasured();
      // The browsers' CPU over the measured streams (their processes, not the tool's).
      const browserAtStart = pipeline?.browser?.resources() ?? null;
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
        runOne: (start, release) => runOne(start, true, release),
      });
      const cpu = process.cpuUsage(cpuAtStart);
      hooks.onMeasuredEnd?.();
      await target?.endMeasured();
      const childCpuUs = childCpuAtStartUs === undefined ? 0 : (await pipeline!.producerProcess!.cpuUs()) - childCpuAtStartUs;
      cpuUs = cpu.user + cpu.system + childCpuUs;
      const browserAtEnd = pipeline?.browser?.resources() ?? null;
      if (browserAtStart && browserAtEnd) browserCpuMs = browserAtEnd.cpuMs - browserAtStart.cpuMs;
      resourceReport = resources?.stop(load?.durationS) ?? null;
    }
  } catch (error) {
    fatal = (error as Error).message;
  } finally {
    resources?.stop();
    await (target ?? pipeline)!.close();
  }
  const eventLoopDelayMs = eventLoop.stop();
  stalls?.stop();
  // Overlapping streams: the config's CPU is the whole load's (also in a shard's snapshot, so a merge sums it exactly).
  if (outcome && streamsOverlap) measurements.setCpuUs(cpuUs);
  const metrics = measurements.iterations.length > 0 ? measurements.toMetrics(eventLoopDelayMs) : null;
  const loadResult = outcome && summarizeLoad(load, { ...outcome, peakInFlight }, failedStreams, measurements, cpuUs, resourceReport);
  if (metrics && loadResult && load !== null) {
    // Concurrent streams share the process: CPU is measured over the whole load, not per stream.
    const tokens = (metrics.counters.tokensPerStream ?? 0) * measurements.iterations.length;
    if (tokens > 0) metrics.counters.cpuUsPerToken = cpuUs / tokens;
  }
  if (metrics && browserCpuMs !== null) {
    // Over the whole measured run: concurrent pages share the browser processes.
    const tokens = (metrics.counters.tokensPerStream ?? 0) * measurements.iterations.length;
    if (tokens > 0) metrics.counters.browserCpuUsPerToken = (browserCpuMs * 1000) / tokens;
    metrics.counters.browserMemoryMaxMB = pipeline!.browser!.peakMemoryMB;
  }
  if (loadResult && browserCpuMs !== null && loadResult.durationMs > 0) loadResult.browserCpuShare = browserCpuMs / loadResult.durationMs;
  const problem = fatal ?? describeFailures(failures, failedStreams, outcome?.started ?? 0);
  // A split producer side ran on a second core: the main thread and the producer process count as two.
  const warnings = [...harnessWarnings(metrics, loadResult, loadThreadsOf({ settings }), undefined, splitOf({ settings })), ...stallWarnings(measurements.iterations)];
  const ended = configEnd(problem ? 'errored' : 'completed', metrics);
  // Assigning `ended` over it types state and metrics together; their keys keep the places set here.
  const result: ConfigResult = Object.assign(
    {
      name: config.name,
      state: ended.state,
      ...(problem ? { message: problem } : {}),
      settings: loadSettings ? { ...settings, load: loadSettings } : settings,
      metrics: ended.metrics,
      iterations: measurements.iterations,
      ...(measurements.tokenLatencyDistribution().count > 0 && { tokenLatencyPercentilesMs: percentileList(measurements.tokenLatencyDistribution()) }),
      ...(timeline && { timeline }),
      ...(loadResult && { load: loadResult }),
      ...(warnings.length > 0 && { warnings }),
      // Shard results carry their exact state so `streambench merge` can combine them.
      ...(environment.shard && measurements.iterations.length > 0 && { snapshot: measurements.toSnapshot() }),
    },
    ended,
  );
  target?.finish(result, measurements);
  return result;
}

function describeFailures(failures: string[], failedStreams: number, started: number): string | null {
  if (failures.length === 0) return null;
  const [only] = failures;
  if (failures.length === 1 && only !== undefined) return only;
  const shown = failures.slice(0, 3).join('; ');
  return `${failedStreams} streams failed (of ${started} measured): ${shown}${failures.length > 3 ? '; …' : ''}`;
}

function summarizeLoad(
  load: LoadSettings | null,
  outcome: ScheduleOutcome & { peakInFlight: number },
  failedStreams: number,
  measurements: ConfigMeasurements,
  cpuUs: number,
  resources: ResourceReport | null,
): NonNullable<ConfigResult['load']> {
  const durationMs = outcome.endedAtMs - outcome.startedAtMs;
  const tokens = measurements.iterations.reduce((sum, sample) => sum + sample.tokens, 0);
  const perSecond = (count: number) => (durationMs > 0 ? (count * 1000) / durationMs : 0);
  return {
    mode: load === null ? 'sequential' : load.concurrency !== undefined ? 'closed-loop' : 'open-loop',
    streamsStarted: outcome.started,
    streamsFailed: failedStreams,
    peakConcurrentStreams: outcome.peakInFlight,
    durationMs,
    deliveredTokensPerSecond: perSecond(tokens),
    completedStreamsPerSecond: perSecond(measurements.iterations.length),
    startDelayMs: measurements.startDelaySummary(),
    toolCpuShare: durationMs > 0 ? cpuUs / 1000 / durationMs : 0,
    ...(resources && { resources }),
  };
}

/** Streams this thread expects in flight at once (sizes the relay server's listening sockets). */
function expectedConcurrency(config: ResolvedConfig, environment: RunEnvironment): number {
  const stream = environment.sourceSettings ? plannedStream(environment.sourceSettings, environment.seed) : null;
  return concurrencyOfShare(config.load ?? undefined, environment.shard ?? { index: 0, count: 1 }, stream);
}

/** Streams planned ahead of a load at most (a synthetic source keeps 1,024 plans; a long soak plans the rest as it goes). */
const MAX_STREAMS_PREPARED_AHEAD = 1000;

/** The streams this machine will run (the schedule's indexes) that a source prepares ahead of the load, up to MAX_STREAMS_PREPARED_AHEAD. */
function streamsToPrepare(firstIndex: number, streams: number, shard: Shard | undefined): number[] {
  const { index: shardIndex, count: shardCount } = shard ?? { index: 0, count: 1 };
  const indexes: number[] = [];
  for (let global = shardIndex; global < streams && indexes.length < MAX_STREAMS_PREPARED_AHEAD; global += shardCount) indexes.push(firstIndex + global);
  return indexes;
}

/** Asks the source to prepare the streams this machine will run, in this process or in the producer child (`processes: split`). */
async function prepareSourceAhead(pipeline: BuiltPipeline, firstIndex: number, streams: number, shard: Shard | undefined): Promise<void> {
  if (!pipeline.source.prepare) return;
  const indexes = streamsToPrepare(firstIndex, streams, shard);
  if (pipeline.producerProcess) await pipeline.producerProcess.prepare(indexes);
  else for (const streamIndex of indexes) pipeline.source.prepare(streamIndex);
}
