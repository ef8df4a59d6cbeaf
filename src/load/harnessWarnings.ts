/**
 * When the tool itself, not the relay it measures, may be the bottleneck: warnings with
 * advice, from the event-loop delay, the source falling behind its plan, the tool's CPU share
 * and open-loop start delays. Pure.
 */
import { availableParallelism } from 'node:os';
import { loadThreadsForCores } from './threadsForCores.js';
import type { ConfigMetrics, ConfigResult } from '../result/resultSchema.js';

// Above these, the tool itself is likely part of what was measured.
const EVENT_LOOP_DELAY_P99_LIMIT_MS = 20;
/** Of the cores the tool's threads can use at most: min(threads, cores). */
const TOOL_CPU_SHARE_LIMIT = 0.85;
const START_DELAY_P99_LIMIT_MS = 5;
const SOURCE_LAG_P99_LIMIT_MS = 5;
/**
 * The shortest window whose CPU share says anything about the load: a shorter one holds mostly
 * start-up work on V8's helper threads (compiling, the first collections) — two streams of a
 * tiny replay showed 121 % and 181 % of a core over 34 and 51 ms.
 */
const CPU_SHARE_MIN_WINDOW_MS = 1000;

/** Whether the tool's CPU share over a long enough window was near all `usableCores` could give. */
function cpuNearlyAllUsed(load: NonNullable<ConfigResult['load']>, usableCores: number): boolean {
  return load.durationMs >= CPU_SHARE_MIN_WINDOW_MS && load.toolCpuShare > TOOL_CPU_SHARE_LIMIT * usableCores;
}

/** How a load's threads are named: `threads` of them, or (`split`) the main thread and the producer child process, which count as two. */
function threadWords(threads: number, split: boolean): string {
  if (split) return 'its thread and its producer process';
  return `its ${threads} thread${threads === 1 ? '' : 's'}`;
}

/**
 * What relieves a tool that was the limit, on this machine: more worker threads only where its
 * cores carry them (threadsForCores.ts; on 2 cores a second one lagged more), else a lower load
 * or more machines.
 */
function relieveAdvice(threads: number, cores: number, split: boolean): string {
  const carried = loadThreadsForCores(cores);
  if (!split && threads < carried) return `spread it over worker threads (load.workers, up to ${carried} on this machine's ${cores} cores) or machines (--shard)`;
  const advice = 'lower the load or split it over machines with --shard';
  // Why not more threads, said only where it is true: a split load below what the cores carry is told no reason.
  return threads >= carried ? `${advice} (${cores} cores carry ${carried === 1 ? 'one load thread' : `${carried} load threads`}: more lag, not less)` : advice;
}

/**
 * Warnings for a config run on `threads` threads (1, or its load's worker threads; 2 when
 * `split`: the main thread and the producer child process) of a machine with `cores` cores.
 */
export function harnessWarnings(
  metrics: ConfigMetrics | null,
  load: ConfigResult['load'] | null,
  threads: number,
  cores: number = availableParallelism(),
  split = false,
): string[] {
  const warnings: string[] = [];
  // With one stream at a time there is no load to lower: what held the loop was the stream's own work.
  const oneAtATime = !load || load.mode === 'sequential' || (load.peakConcurrentStreams !== undefined && load.peakConcurrentStreams <= 1);
  const eventLoopDelayMs = metrics?.eventLoopDelayMs;
  if (eventLoopDelayMs && eventLoopDelayMs.p99 > EVENT_LOOP_DELAY_P99_LIMIT_MS) {
    const advice = oneAtATime
      ? "one stream ran at a time, so it was that stream's own work (client, renders, serializer): use lighter client/render settings"
      : 'lower the concurrency or rate, or use lighter client/render settings';
    warnings.push(`event-loop delay p99 was ${eventLoopDelayMs.p99.toFixed(1)} ms: timestamps may be late by that much; ${advice}`);
  }
  const sourceLagMs = metrics?.sourceLagMs;
  if (sourceLagMs && sourceLagMs.p99 > SOURCE_LAG_P99_LIMIT_MS) {
    const planned = metrics.tpotMs ? ` (time per output token p50 ${metrics.tpotMs.p50.toFixed(1)} ms)` : '';
    warnings.push(
      `the source emitted up to ${sourceLagMs.p99.toFixed(1)} ms (p99 over streams) behind its planned times${planned}: the producer was not ready for its chunks — a busy tool, or awaited broker writes holding the producer back (backpressure, as an upstream socket would buffer); token latency starts at the actual emit, so this wait is not in it. ${oneAtATime ? "One stream ran at a time, so it was that stream's own work: its awaited broker writes (brokerWrite in the stage table) or its client's renders holding the event loop" : `If the tool is busy, ${relieveAdvice(threads, cores, split)}`}`,
    );
  }
  const usableCores = Math.min(threads, cores);
  if (load && cpuNearlyAllUsed(load, usableCores)) {
    warnings.push(
      `the tool used ${(load.toolCpuShare * 100).toFixed(0)} % of a core (${split ? 'a thread and its producer process' : `${threads} thread${threads === 1 ? '' : 's'}`}, ${cores} cores): it may be the bottleneck, not the relay; ${relieveAdvice(threads, cores, split)}`,
    );
  }
  if (load?.startDelayMs && load.startDelayMs.p99 > START_DELAY_P99_LIMIT_MS) {
    warnings.push(`streams started up to ${load.startDelayMs.p99.toFixed(1)} ms (p99) after they were due: the tool could not keep up with the arrival rate`);
  }
  return warnings;
}

/** The tool's own share of the machine during a load, in words: cores used and share of what it could use (`split`: see harnessWarnings). */
export function harnessShare(load: NonNullable<ConfigResult['load']>, threads: number, cores: number = availableParallelism(), split = false): string {
  const usableCores = Math.max(1, Math.min(threads, cores));
  return `the tool's own share: ${load.toolCpuShare.toFixed(2)} cores, ${((load.toolCpuShare / usableCores) * 100).toFixed(0)} % of the ${usableCores} core${usableCores === 1 ? '' : 's'} ${threadWords(threads, split)} could use`;
}

/**
 * Whether the tool itself, not the system under test, was the limit of a load: its CPU near
 * all it could use, or its event loop late while the source fell behind its plan, or open-loop
 * streams starting late because the tool was busy. Returns the sentence that says so, with
 * the evidence, or null when the evidence does not say so.
 */
export function harnessLimit(
  metrics: ConfigMetrics | null,
  load: ConfigResult['load'] | null,
  threads: number,
  cores: number = availableParallelism(),
  split = false,
): string | null {
  if (!load || load.mode === 'sequential') return null;
  const evidence: string[] = [];
  const usableCores = Math.max(1, Math.min(threads, cores));
  if (cpuNearlyAllUsed(load, usableCores)) {
    evidence.push(`it used ${load.toolCpuShare.toFixed(2)} of the ${usableCores} core${usableCores === 1 ? '' : 's'} it could use`);
  }
  const loopLate = (metrics?.eventLoopDelayMs?.p99 ?? 0) > EVENT_LOOP_DELAY_P99_LIMIT_MS;
  const sourceLagP99 = metrics?.sourceLagMs?.p99 ?? 0;
  if (loopLate && sourceLagP99 > SOURCE_LAG_P99_LIMIT_MS) {
    evidence.push(`its event loop was up to ${metrics!.eventLoopDelayMs!.p99.toFixed(0)} ms late (p99) and the source fell up to ${formatLag(sourceLagP99)} behind its plan`);
  }
  if (loopLate && load.startDelayMs && load.startDelayMs.p99 > START_DELAY_P99_LIMIT_MS) {
    evidence.push(`streams started up to ${load.startDelayMs.p99.toFixed(0)} ms after they were due`);
  }
  if (evidence.length === 0) return null;
  return `the tool itself was the limit of this load, not the system under test: ${evidence.join('; ')}. Its figures describe the tool as much as the relay; ${relieveAdvice(threads, cores, split)}`;
}

function formatLag(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}

/** Threads a config's load ran on (its worker threads; 2 for a split producer side: the main thread and the producer process; else 1), from its result's settings. */
export function loadThreadsOf(config: Pick<ConfigResult, 'settings'>): number {
  const workers = (config.settings.load as { workers?: unknown } | undefined)?.workers;
  if (typeof workers === 'number' && workers > 0) return workers;
  return splitOf(config) ? 2 : 1;
}

/** Whether a config's producer side ran in a child process (`processes: split`, set or chosen by streambench), from its result's settings. */
export function splitOf(config: Pick<ConfigResult, 'settings'>): boolean {
  return config.settings.processes === 'split';
}

/**
 * What every rendering of a result says about the tool itself, per load config (sequential
 * runs have none): `limits`, the configs the tool limited, in words (to print before any
 * figure); `shares`, the tool's own share of every load config (to print beside its figures).
 */
export function harnessStatements(configs: readonly ConfigResult[], cores?: number): { limits: string[]; shares: string[] } {
  const limits: string[] = [];
  const shares: string[] = [];
  for (const config of configs) {
    if (!config.load || config.load.mode === 'sequential') continue;
    const threads = loadThreadsOf(config);
    const limit = harnessLimit(config.metrics, config.load, threads, cores, splitOf(config));
    if (limit !== null) limits.push(`${config.name} — ${limit.charAt(0).toUpperCase()}${limit.slice(1)}.`);
    shares.push(`${config.name}: ${harnessShare(config.load, threads, cores, splitOf(config))}`);
  }
  return { limits, shares };
}

/** The words the load table adds after the tool's share when streambench chose the worker threads or split the producer side off; '' otherwise. */
export function workersChoiceNote(settingsLoad: unknown): string {
  const load = settingsLoad as { workers?: unknown; workersChosenBy?: unknown; processesChosenBy?: unknown; plannedTokensPerSecond?: unknown } | undefined;
  const rate = typeof load?.plannedTokensPerSecond === 'number' ? `${load.plannedTokensPerSecond.toLocaleString('en-US')} tokens/s planned` : 'the planned rate';
  if (load?.processesChosenBy === 'streambench') {
    return ` (producer side in a child process, split by streambench: load.workers and pipeline.processes were not set, ${rate} need more than one thread, and this machine's cores carry one load thread)`;
  }
  if (load?.workersChosenBy !== 'streambench' || typeof load.workers !== 'number') return '';
  return ` (spread over ${load.workers} worker threads by streambench: load.workers was not set and ${rate} need more than one thread)`;
}
