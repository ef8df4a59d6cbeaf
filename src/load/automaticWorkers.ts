/**
 * A load whose scenario left `load.workers` unset spreads over worker threads by itself when
 * its planned tokens per second need more than one thread and the machine's cores carry more
 * than one load thread (1.5 cores each: never on 2 cores; src/load/plannedLoad.ts). The
 * result's `settings.load` then holds the workers chosen and `workersChosenBy: 'streambench'`
 * with the planned rate, and the load table says so beside the tool's share.
 *
 * Where the cores carry only one load thread (2 cores), such a load on a Redis broker that also
 * left `pipeline.processes` unset runs its producer side in a child process instead
 * (`processes: split`, `processesChosenBy: 'streambench'` in `settings.load`): on 2 cores that
 * held more streams on plan than one process (docs/benchmarks.md).
 */
import { availableParallelism } from 'node:os';
import { systemClock } from '../clock.js';
import type { RunEnvironment } from '../run/buildPipeline.js';
import type { ResolvedConfig } from '../scenario/loadScenario.js';
import type { LoadSettings } from '../scenario/loadSettings.js';
import { automaticProducerProcess, automaticWorkers, plannedStream } from './plannedLoad.js';

/** How the worker threads of a config's load were chosen, as kept in its result's settings.load. */
export interface WorkersChoice {
  workersChosenBy: 'streambench';
  plannedTokensPerSecond: number;
}

/** How a config's load came to run its producer side in a child process, as kept in its result's settings.load. */
export interface ProcessesChoice {
  processesChosenBy: 'streambench';
  plannedTokensPerSecond: number;
}

/** The config to run: `config` itself, or a copy whose load sets the workers streambench chose (with why). */
export function withAutomaticWorkers(
  config: ResolvedConfig,
  environment: RunEnvironment,
  cores: number = availableParallelism(),
): { config: ResolvedConfig; choice: WorkersChoice | null } {
  // Only where worker threads can run: not beside a split producer side.
  const planned = config.pipeline.processes === 'split' ? null : leftToStreambench(config, environment);
  if (!planned) return { config, choice: null };
  const { load, stream } = planned;
  const { workers, plannedTokensPerSecond } = automaticWorkers(load, stream, environment.shard?.count ?? 1, cores);
  if (workers <= 1 || plannedTokensPerSecond === null) return { config, choice: null };
  return { config: { ...config, load: { ...load, workers } }, choice: { workersChosenBy: 'streambench', plannedTokensPerSecond: Math.round(plannedTokensPerSecond) } };
}

/** The config to run on this thread: `config` itself, or a copy whose pipeline runs its producer side in a child process, as streambench chose (with why). */
export function withAutomaticProducerProcess(
  config: ResolvedConfig,
  environment: RunEnvironment,
  cores: number = availableParallelism(),
): { config: ResolvedConfig; choice: ProcessesChoice | null } {
  // Only where processes were left unset too, and a split can run: the memory broker lives in one process.
  const planned = config.pipeline.processes !== undefined || config.pipeline.broker.type === 'memory' ? null : leftToStreambench(config, environment);
  if (!planned) return { config, choice: null };
  const { load, stream } = planned;
  const { split, plannedTokensPerSecond } = automaticProducerProcess(load, stream, environment.shard?.count ?? 1, cores);
  if (!split || plannedTokensPerSecond === null) return { config, choice: null };
  return {
    config: { ...config, pipeline: { ...config.pipeline, processes: 'split' } },
    choice: { processesChosenBy: 'streambench', plannedTokensPerSecond: Math.round(plannedTokensPerSecond) },
  };
}

/**
 * The load and its source's planned stream when a config leaves its spread to streambench: a
 * load that left `workers` unset, on the real clock, from a source that plans its pace, with no
 * target and no browser client; else null.
 */
function leftToStreambench(config: ResolvedConfig, environment: RunEnvironment): { load: LoadSettings; stream: ReturnType<typeof plannedStream> } | null {
  const load = config.load;
  if (!load || load.workers !== undefined || config.target || config.pipeline.client.type === 'browser') return null;
  if (!environment.sourceSettings || environment.clock !== systemClock) return null;
  return { load, stream: plannedStream(environment.sourceSettings, environment.seed) };
}

/** Worker threads a config's load will run on: its `load.workers`, else what streambench would choose (for counting warm-up streams ahead). */
export function workersOfRun(config: ResolvedConfig, environment: Pick<RunEnvironment, 'sourceSettings' | 'seed' | 'clock' | 'shard'>): number {
  return withAutomaticWorkers(config, environment as RunEnvironment).config.load?.workers ?? 1;
}
