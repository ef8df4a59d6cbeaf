/**
 * One probe of `npm run bench:floor`, in a process of its own so CPU and RSS are the tool's
 * alone: `node probeChild.js <yardstick|streambench> <streams> <tokens> <redisUrl>`. Prints one
 * JSON line (a ProbeResult) on stdout.
 */
import { randomBytes } from 'node:crypto';
import { runScenario } from '../../run/runScenario.js';
import { planSyntheticStream } from '../../sources/synthetic.js';
import type { ResolvedSyntheticSettings } from '../../sources/syntheticSchema.js';
import { FLOOR_SEED, floorScenario, percentileOf, type ProbeResult } from './floorWorkload.js';
import { runYardstick } from './yardstickRelay.js';

const [tool, streamsText, tokensText, redisUrl] = process.argv.slice(2);
const streams = Number(streamsText);
const tokens = Number(tokensText);
if ((tool !== 'yardstick' && tool !== 'streambench') || !(streams > 0) || !(tokens > 1) || !redisUrl) {
  process.stderr.write('usage: probeChild.js <yardstick|streambench> <streams> <tokens> <redisUrl>\n');
  process.exit(2);
}

const MB = 1024 * 1024;
const scenario = floorScenario(streams, tokens);
// Both tools' RSS is sampled the same way while the load runs.
let rssPeakBytes = 0;
const sampleRss = () => (rssPeakBytes = Math.max(rssPeakBytes, process.memoryUsage.rss()));

let result: ProbeResult;
if (tool === 'yardstick') {
  const settings = scenario.source as ResolvedSyntheticSettings & { type: 'synthetic' };
  const plans = Array.from({ length: streams }, (_, index) => planSyntheticStream(settings, FLOOR_SEED, index));
  const rssBefore = process.memoryUsage.rss();
  const sampler = setInterval(sampleRss, 100);
  const outcome = await runYardstick({
    redisUrl,
    keyPrefix: `sbfloor:${randomBytes(4).toString('hex')}:`,
    plans,
    rampMs: scenario.configs[0].load!.rampS * 1000,
    streamDeadlineMs: 60_000,
  });
  clearInterval(sampler);
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
    warnings: [],
  };
} else {
  const rssBefore = process.memoryUsage.rss();
  const sampler = setInterval(sampleRss, 100);
  const document = await runScenario(scenario, { redis: redisUrl });
  clearInterval(sampler);
  const config = document.configs[0];
  const load = config.load;
  const failures = config.state === 'completed' ? [] : [config.message ?? config.state];
  result = {
    tool,
    streams,
    failedStreams: load?.streamsFailed ?? streams,
    failures,
    deliveredTokens: Math.round((load?.deliveredTokensPerSecond ?? 0) * ((load?.durationMs ?? 0) / 1000)),
    durationMs: load?.durationMs ?? 0,
    cpuUsPerToken: config.metrics?.counters.cpuUsPerToken ?? 0,
    cpuCores: load?.toolCpuShare ?? 0,
    rssBeforeMB: rssBefore / MB,
    rssPeakMB: rssPeakBytes / MB,
    tpotP50Ms: config.metrics?.tpotMs?.p50 ?? null,
    sourceLagP99Ms: config.metrics?.sourceLagMs?.p99 ?? null,
    warnings: config.warnings ?? [],
  };
  if (config.state !== 'completed' && result.failedStreams === 0) result.failedStreams = streams;
}
process.stdout.write(`${JSON.stringify(result)}\n`);
// Whatever a library left open, the probe is over.
process.exit(0);
