/**
 * One probe of `npm run bench:floor`, in a process of its own so CPU and RSS are the tool's
 * alone: `node probeChild.js <yardstick|streambench> <streams> <tokens> <redisUrl> [workers]`
 * (workers: streambench's `load.workers`, to compare thread counts; unset, streambench chooses,
 * as bench:floor runs it). Prints one JSON line (a ProbeResult) on stdout.
 *
 * To take the workload apart (bench:floor sets none of these): `--ttft-ms N` (the first token's
 * delay, default 100), `--ramp-s S` (default as bench:floor) and, for streambench only,
 * `--pipeline JSON` (pipeline settings laid over the floor's, e.g. '{"delivery":{"type":"direct"}}').
 */
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runScenario } from '../../run/runScenario.js';
import type { Scenario } from '../../scenario/loadScenario.js';
import { planSyntheticStream } from '../../sources/synthetic.js';
import type { ResolvedSyntheticSettings } from '../../sources/syntheticSchema.js';
import { FLOOR_SEED, FLOOR_WARMUP_STREAMS, floorScenario, percentileOf, type ProbeResult } from './floorWorkload.js';
import { runYardstick } from './yardstickRelay.js';

const USAGE = "usage: probeChild.js <yardstick|streambench> <streams> <tokens> <redisUrl> [workers] [--ttft-ms N] [--ramp-s S] [--pipeline '{…}' (streambench only)]\n";
const { positionals, values: options } = parseProbeArgs();
const [tool, streamsText, tokensText, redisUrl, workersText] = positionals;
const streams = Number(streamsText);
const tokens = Number(tokensText);
const workers = workersText === undefined ? undefined : Number(workersText);
if ((tool !== 'yardstick' && tool !== 'streambench') || !(streams > 0) || !(tokens > 1) || !redisUrl || (workers !== undefined && !(Number.isInteger(workers) && workers >= 1))) {
  usage('a positional argument is missing or out of range');
}
const ttftMs = options['ttft-ms'] === undefined ? undefined : Number(options['ttft-ms']);
if (ttftMs !== undefined && !(ttftMs >= 0)) usage(`--ttft-ms must be a number of ms ≥ 0, got ${options['ttft-ms']}`);
const rampS = options['ramp-s'] === undefined ? undefined : Number(options['ramp-s']);
if (rampS !== undefined && !(rampS >= 0)) usage(`--ramp-s must be a number of seconds ≥ 0, got ${options['ramp-s']}`);
const pipeline = options.pipeline === undefined ? undefined : pipelineOverride(options.pipeline);
if (pipeline !== undefined && tool === 'yardstick') usage('--pipeline changes streambench only: the yardstick has one pipeline');

const MB = 1024 * 1024;
let scenario: Scenario;
try {
  scenario = floorScenario(streams, tokens, { workers, ttftMs, rampS, pipeline });
} catch (error) {
  usage((error as Error).message); // a --pipeline setting the scenario schema refuses, named by it
}
// The yardstick's producer awaits its writes when streambench's does (`write: eval` awaits, as
// every write mode but fire-and-forget): the source lag both are judged by then counts the same
// waits. SB_FLOOR_YARDSTICK_PIPELINED=1 runs the yardstick with pipelined writes, as before.
const YARDSTICK_AWAITS_WRITES = brokerAwaitsWrites(scenario) && process.env.SB_FLOOR_YARDSTICK_PIPELINED !== '1';
// Both tools' RSS is sampled the same way while the load runs.
let rssPeakBytes = 0;
const sampleRss = () => (rssPeakBytes = Math.max(rssPeakBytes, process.memoryUsage.rss()));

let result: ProbeResult;
if (tool === 'yardstick') {
  const settings = scenario.source as ResolvedSyntheticSettings & { type: 'synthetic' };
  // Stream i of streambench's load is plan FLOOR_WARMUP_STREAMS + i: the same plans here.
  const plans = Array.from({ length: FLOOR_WARMUP_STREAMS + streams }, (_, index) => planSyntheticStream(settings, FLOOR_SEED, index));
  const keyPrefix = `sbfloor:${randomBytes(4).toString('hex')}:`;
  // The delay monitor streambench keeps over a config (src/probes/eventLoopDelay.ts): from before
  // the warm-up stream to the end of the load, over the yardstick's the same.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const warmup = await runYardstick({
    redisUrl,
    keyPrefix: `${keyPrefix}warmup:`,
    plans: plans.slice(0, FLOOR_WARMUP_STREAMS),
    rampMs: 0,
    streamDeadlineMs: 60_000,
    awaitWrites: YARDSTICK_AWAITS_WRITES,
  });
  if (warmup.failedStreams > 0) throw new Error(`yardstick warm-up failed: ${warmup.failures.join('; ')}`);
  const rssBefore = process.memoryUsage.rss();
  const sampler = setInterval(sampleRss, 100);
  const loadSettings = scenario.configs[0]?.load;
  if (!loadSettings) throw new Error('the floor scenario has no load settings');
  const outcome = await runYardstick({
    redisUrl,
    keyPrefix,
    plans: plans.slice(FLOOR_WARMUP_STREAMS),
    rampMs: loadSettings.rampS * 1000,
    streamDeadlineMs: 60_000,
    awaitWrites: YARDSTICK_AWAITS_WRITES,
  });
  clearInterval(sampler);
  loopDelay.disable();
  result = {
    tool,
    streams,
    failedStreams: outcome.failedStreams,
    failures: outcome.failures,
    deliveredTokens: outcome.deliveredTokens,
    durationMs: outcome.durationMs,
    cpuUsPerToken: outcome.deliveredTokens > 0 ? outcome.cpuUs / outcome.deliveredTokens : 0,
    cpuCores: outcome.cpuUs / 1000 / outcome.durationMs,
    rssBeforeMB: rssBefore / MB,
    rssPeakMB: rssPeakBytes / MB,
    tpotP50Ms: percentileOf(outcome.tpotMs, 50),
    sourceLagP99Ms: percentileOf(outcome.sourceLagMaxMs, 99),
    eventLoopDelayP99Ms: loopDelay.count > 0 ? loopDelay.percentile(99) / 1e6 : null,
    threads: 1,
    split: false,
    warnings: [],
  };
} else {
  const rssBefore = process.memoryUsage.rss();
  const sampler = setInterval(sampleRss, 100);
  const document = await runScenario(scenario, { redis: redisUrl });
  clearInterval(sampler);
  const config = document.configs[0];
  if (!config) throw new Error('the floor scenario ran no config');
  const load = config.load;
  const failures = config.state === 'completed' ? [] : [config.message ?? config.state];
  result = {
    tool,
    streams,
    failedStreams: load?.streamsFailed ?? streams,
    failures,
    // Counted, not rate × duration: merged worker shares' rate and duration do not multiply back.
    deliveredTokens: config.iterations.reduce((sum, iteration) => sum + iteration.tokens, 0),
    durationMs: load?.durationMs ?? 0,
    cpuUsPerToken: config.metrics?.counters.cpuUsPerToken ?? 0,
    cpuCores: load?.toolCpuShare ?? 0,
    rssBeforeMB: rssBefore / MB,
    rssPeakMB: rssPeakBytes / MB,
    tpotP50Ms: config.metrics?.tpotMs?.p50 ?? null,
    sourceLagP99Ms: config.metrics?.sourceLagMs?.p99 ?? null,
    eventLoopDelayP99Ms: config.metrics?.eventLoopDelayMs?.p99 ?? null,
    threads: workersOf(config.settings.load),
    split: config.settings.processes === 'split',
    warnings: config.warnings ?? [],
  };
  if (config.state !== 'completed' && result.failedStreams === 0) result.failedStreams = streams;
}
process.stdout.write(`${JSON.stringify(result)}\n`);
// Whatever a library left open, the probe is over.
process.exit(0);

/** Exits with the usage and `problem` (exit code 2: invalid input). */
function usage(problem: string): never {
  process.stderr.write(`probeChild.js: ${problem}\n${USAGE}`);
  process.exit(2);
}

/** The command line: positionals, and the options that take the workload apart (an unknown option exits with the usage). */
function parseProbeArgs() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { 'ttft-ms': { type: 'string' }, 'ramp-s': { type: 'string' }, pipeline: { type: 'string' } },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
}

/** `--pipeline`'s JSON object (exits with a usage error when it is not one). */
function pipelineOverride(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return usage(`--pipeline is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return usage('--pipeline must be a JSON object of pipeline settings');
  return value as Record<string, unknown>;
}

/** Whether the floor scenario's broker awaits its writes (a redis-list broker whose write mode is not fire-and-forget). */
function brokerAwaitsWrites(floor: Scenario): boolean {
  const broker = floor.configs[0]?.pipeline?.broker as { type?: string; write?: string } | undefined;
  return broker?.type === 'redis-list' && broker.write !== 'fire-and-forget';
}

/** Worker threads a streambench load ran on (1 when it ran on the main thread). */
function workersOf(settingsLoad: unknown): number {
  const workers = (settingsLoad as { workers?: unknown } | undefined)?.workers;
  return typeof workers === 'number' && workers > 1 ? workers : 1;
}
