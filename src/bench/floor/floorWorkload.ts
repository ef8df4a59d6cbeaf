/**
 * The workload `npm run bench:floor` runs on both the yardstick and streambench: N streams of
 * 50 tokens/s (one token every 20 ms after a 100 ms first token), started over a short ramp,
 * through Redis and SSE — and the plan check both are judged by.
 */
import { automaticProducerProcess, plannedStream } from '../../load/plannedLoad.js';
import { resolveScenario, type Scenario } from '../../scenario/loadScenario.js';

/** Planned time per output token (ms): 50 tokens/s. */
export const PLANNED_TPOT_MS = 20;
/** On plan: TPOT p50 within this share of the plan… */
export const TPOT_TOLERANCE = 0.05;
/** …the source's lag p99 under this (ms)… */
export const SOURCE_LAG_P99_LIMIT_MS = 50;
/** Streams run one at a time before the load (plans 0…), not measured; the load's streams follow. */
export const FLOOR_WARMUP_STREAMS = 1;
/** Seed of the plans (text and timing), the same for both tools. */
export const FLOOR_SEED = 16;

/** What one probe (one tool at one concurrency) measured. */
export interface ProbeResult {
  tool: 'yardstick' | 'streambench';
  streams: number;
  failedStreams: number;
  failures: string[];
  deliveredTokens: number;
  durationMs: number;
  cpuUsPerToken: number;
  /** CPU over the load ÷ its duration (1 = one core). */
  cpuCores: number;
  /** RSS before the load started and the most seen while it ran (MB). */
  rssBeforeMB: number;
  rssPeakMB: number;
  tpotP50Ms: number | null;
  sourceLagP99Ms: number | null;
  /** The tool's event-loop delay p99 (ms), from before the warm-up stream to the end of the load, measured the same way in both (perf_hooks monitorEventLoopDelay, 5 ms resolution). */
  eventLoopDelayP99Ms: number | null;
  /** Threads the load ran on: streambench's worker threads (chosen by itself when the load needs them), 1 for the yardstick. */
  threads: number;
  /** Whether streambench ran its producer side in a child process (`processes: split`, set or chosen by itself); false for the yardstick. */
  split: boolean;
  /** What the tool itself warned about (streambench only). */
  warnings: string[];
}

/** Seconds over which the streams start: longer for more streams, at most 2 s. */
export function rampSeconds(streams: number): number {
  return Math.min(2, Math.max(0.5, streams / 300));
}

/** How a probe may differ from bench:floor's workload, to take it apart (probeChild.ts options); bench:floor itself sets none. */
export interface FloorShape {
  /** load.workers (unset: streambench chooses). */
  workers?: number;
  /** The first token's delay (ms; default 100). */
  ttftMs?: number;
  /** The ramp (s; default rampSeconds(streams)). */
  rampS?: number;
  /** Pipeline settings laid over the floor's (streambench only: the yardstick has one pipeline). */
  pipeline?: Record<string, unknown>;
}

/** The floor scenario for `streams` concurrent streams of `tokens` tokens: the corrected relay, shared connections, SSE; `shape` as bench:floor leaves it unless a probe is told otherwise. */
export function floorScenario(streams: number, tokens: number, shape: FloorShape = {}): Scenario {
  const { workers, ttftMs = 100, rampS = rampSeconds(streams), pipeline = {} } = shape;
  return resolveScenario(
    {
      name: 'floor',
      seed: FLOOR_SEED,
      // One warm-up stream before the load, as streambench runs by default (the yardstick does the same).
      warmup: FLOOR_WARMUP_STREAMS,
      source: { type: 'synthetic', tokens, granularity: 'token', ttftMs, gapMs: PLANNED_TPOT_MS },
      pipeline: { preset: 'seed-corrected', broker: { connections: 'shared' }, delivery: { type: 'sse' }, ...pipeline },
      load: { concurrency: streams, streams, rampS, sampleEveryS: 60, ...(workers !== undefined && { workers }) },
    },
    'bench:floor',
    '',
  );
}

/** Whether streambench, left to choose, runs the floor workload at `streams` with its producer side in a child process on a machine of `cores` cores. */
export function floorSplitsByItself(streams: number, tokens: number, cores: number): boolean {
  const scenario = floorScenario(streams, tokens);
  const load = scenario.configs[0]?.load;
  if (!load) return false;
  return automaticProducerProcess(load, plannedStream(scenario.source, FLOOR_SEED), 1, cores).split;
}

/** Whether a probe held the plan: TPOT p50 within 5 %, source lag p99 under 50 ms, no failed stream. */
export function heldPlan(probe: ProbeResult): boolean {
  return (
    probe.failedStreams === 0 &&
    probe.tpotP50Ms !== null &&
    Math.abs(probe.tpotP50Ms - PLANNED_TPOT_MS) <= PLANNED_TPOT_MS * TPOT_TOLERANCE &&
    probe.sourceLagP99Ms !== null &&
    probe.sourceLagP99Ms < SOURCE_LAG_P99_LIMIT_MS
  );
}

/** Why a probe missed the plan, in words. */
export function planMiss(probe: ProbeResult): string {
  const reasons: string[] = [];
  if (probe.failedStreams > 0) reasons.push(`${probe.failedStreams} failed streams (${probe.failures[0] ?? ''})`);
  if (probe.tpotP50Ms === null || Math.abs(probe.tpotP50Ms - PLANNED_TPOT_MS) > PLANNED_TPOT_MS * TPOT_TOLERANCE) {
    reasons.push(`TPOT p50 ${probe.tpotP50Ms?.toFixed(1) ?? '–'} ms`);
  }
  if (probe.sourceLagP99Ms === null || probe.sourceLagP99Ms >= SOURCE_LAG_P99_LIMIT_MS) reasons.push(`source lag p99 ${probe.sourceLagP99Ms?.toFixed(0) ?? '–'} ms`);
  return reasons.join(', ');
}

/** Nearest-rank percentile of `values` (null when empty). */
export function percentileOf(values: number[], percentile: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((percentile / 100) * sorted.length) - 1))] ?? null;
}
