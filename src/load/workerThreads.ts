/**
 * `load.workers`: one config's streams spread over worker threads. Each worker runs its share
 * (the machine's `--shard`, divided again: worker w of W on shard s of S runs shard s + S·w of
 * S·W) with its own relay server, client and Redis connections, and posts its result with an
 * exact snapshot; the shares merge like shard results. Workers warm up and plan their streams
 * on their own, then start their measured streams together, so the tool's CPU (process-wide,
 * every thread) is measured from that start until the last worker's measured streams end — the
 * window one thread measures, without the workers' start-up, planning or closing.
 */
import { Worker } from 'node:worker_threads';
import { systemClock } from '../clock.js';
import { builtEntry } from '../builtEntry.js';
import type { ConfigMetrics, ConfigResult } from '../result/resultSchema.js';
import type { ResolvedConfig } from '../scenario/loadScenario.js';
import { mergeConfigParts } from '../stats/mergeResults.js';
import type { RunEnvironment } from '../run/buildPipeline.js';
import type { ConfigHooks, StreamPlan } from '../run/types.js';
import type { WorkersChoice } from './automaticWorkers.js';
import { harnessWarnings } from './harnessWarnings.js';
import type { MainMessage, WorkerMessage, WorkerTask } from './workerProtocol.js';

type WorkerOutcome = { result: ConfigResult } | { failure: string };

/** Runs a config whose load sets `workers` > 1 and returns its merged result; `choice`: how streambench chose the workers (null: the scenario set them). */
export async function runConfigOnWorkers(
  config: ResolvedConfig,
  configIndex: number,
  plan: StreamPlan,
  environment: RunEnvironment,
  hooks: ConfigHooks,
  choice: WorkersChoice | null = null,
): Promise<ConfigResult> {
  const load = { ...config.load!, workers: config.load!.workers ?? 1 };
  const settings = { preset: config.preset, description: config.description, ...config.pipeline, load: { ...load, ...choice } };
  const refuse = (message: string): ConfigResult => ({ name: config.name, state: 'errored', message, settings, metrics: null, iterations: [] });
  // Worker threads read the system's monotonic clock and build their own source from its settings.
  if (environment.clock !== systemClock) return refuse('load.workers needs the system clock');
  if (!environment.sourceSettings) return refuse("internal: load.workers needs the source's settings in the run environment");
  const entry = builtEntry('load/loadWorker.js', 'load.workers');

  const machine = environment.shard ?? { index: 0, count: 1 };
  const redis = environment.redis && ('skipped' in environment.redis ? environment.redis : { url: environment.redis.url, redactedUrl: environment.redis.redactedUrl });
  const totalStreams = load.workers * plan.warmup + (load.streams ?? plan.iterations);
  let finishedStreams = 0;

  const workers: Worker[] = [];
  let waitingToWarm = load.workers;
  let waitingToMeasure = load.workers;
  let cpuAtStart: NodeJS.CpuUsage | null = null;
  let startedAtMs = 0;
  // The process's CPU and the wall time over the measured streams (set when the last ends).
  const window: { cpu: NodeJS.CpuUsage | null; wallMs: number } = { cpu: null, wallMs: 0 };
  // Once every live worker has warmed up (or ended), the measured streams start together.
  const oneLessToWarm = () => {
    if (--waitingToWarm > 0) return;
    cpuAtStart = process.cpuUsage();
    startedAtMs = systemClock.nowMs();
    for (const worker of workers) send(worker, { type: 'go' });
  };
  // Once every live worker's measured streams have ended (or it ended), the CPU window closes:
  // closing pipelines, summaries and posting results are not the load's work.
  const oneLessMeasuring = () => {
    if (--waitingToMeasure > 0 || !cpuAtStart) return;
    window.cpu = process.cpuUsage(cpuAtStart);
    window.wallMs = systemClock.nowMs() - startedAtMs;
  };

  const outcomes = Array.from({ length: load.workers }, (_, workerIndex) => {
    const task: WorkerTask = {
      config,
      configIndex,
      plan,
      // Each worker's own run id: warm-up streams share indices across workers, and their Redis
      // keys must not (two producers writing one list would interleave).
      runId: `${environment.runId}-w${workerIndex + 1}`,
      seed: environment.seed,
      shard: { index: machine.index + machine.count * workerIndex, count: machine.count * load.workers },
      sourceSettings: environment.sourceSettings!,
      redis,
    };
    // A larger young generation: streams allocate short-lived objects fast, and with the worker
    // default the scavenger ran so often that 1,000 streams on 2 workers cost 128 µs of CPU per
    // token instead of 84-92 µs with 64 MB (scenarios/load.yaml, measured back to back).
    const worker = new Worker(entry, { workerData: task, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    workers.push(worker);
    return new Promise<WorkerOutcome>((resolve) => {
      let warmed = false;
      let measured = false;
      let outcome: WorkerOutcome | null = null;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'warm') {
          warmed = true;
          oneLessToWarm();
        } else if (message.type === 'measured') {
          measured = true;
          oneLessMeasuring();
        } else if (message.type === 'stream') {
          hooks.onStream?.({ config: config.name, stream: ++finishedStreams, streams: totalStreams });
        } else {
          outcome = message.type === 'result' ? { result: message.result } : { failure: message.message };
        }
      });
      worker.on('error', (error) => (outcome ??= { failure: error.message }));
      worker.on('exit', (code) => {
        if (!warmed) oneLessToWarm();
        if (!measured) oneLessMeasuring();
        resolve(outcome ?? { failure: `the worker thread exited with code ${code} before posting its result` });
      });
    });
  });

  const abort = () => workers.forEach((worker) => send(worker, { type: 'abort' }));
  hooks.signal?.addEventListener('abort', abort, { once: true });
  let settled: WorkerOutcome[];
  try {
    settled = await Promise.all(outcomes);
  } finally {
    hooks.signal?.removeEventListener('abort', abort);
  }
  const { cpu, wallMs } = window;
  const parts = settled.flatMap((outcome) => ('result' in outcome ? [outcome.result] : []));
  const failures = settled.flatMap((outcome, index) => ('failure' in outcome ? [`worker ${index + 1}: ${outcome.failure}`] : []));
  if (parts.length === 0) return refuse(failures.join('; '));
  const merged = mergeConfigParts(parts);
  const cpuUs = cpu ? cpu.user + cpu.system : 0;
  if (merged.load && wallMs > 0) merged.load.toolCpuShare = cpuUs / 1000 / wallMs;
  if (merged.metrics) {
    const tokens = (merged.metrics.counters.tokensPerStream ?? 0) * merged.iterations.length;
    if (tokens > 0) merged.metrics.counters.cpuUsPerToken = cpuUs / tokens;
    merged.metrics.eventLoopDelayMs = worstEventLoopDelay(parts);
  }
  const messages = [...failures, ...parts.flatMap((part, index) => (part.message ? [`worker ${index + 1}: ${part.message}`] : []))];
  const warnings = harnessWarnings(merged.metrics, merged.load ?? null, load.workers);
  const { snapshot } = merged;
  // Each worker read the whole process's CPU: the process's own reading replaces their sum.
  if (snapshot && cpu) snapshot.sums.cpuUs = cpuUs;
  const result: ConfigResult = failures.length > 0 ? { ...merged, state: 'errored' } : { ...merged };
  // The parts' message and snapshot give way to the whole's (set below, keys in the order files always had).
  delete result.message;
  delete result.snapshot;
  if (messages.length > 0) result.message = messages.join('; ');
  result.settings = settings;
  if (warnings.length > 0) result.warnings = warnings;
  // Only a machine shard's result carries its snapshot, for `streambench merge`.
  if (environment.shard && snapshot) result.snapshot = snapshot;
  return result;
}

/** The event-loop delay of the worker whose p99 was worst: the one most likely to have skewed timestamps. */
function worstEventLoopDelay(parts: readonly ConfigResult[]): ConfigMetrics['eventLoopDelayMs'] {
  let worst: ConfigMetrics['eventLoopDelayMs'] = null;
  for (const part of parts) {
    const delay = part.metrics?.eventLoopDelayMs ?? null;
    if (delay && (!worst || delay.p99 > worst.p99)) worst = delay;
  }
  return worst;
}

function send(worker: Worker, message: MainMessage): void {
  worker.postMessage(message);
}
