/**
 * `npm run bench:streams`: how many streams per second streambench completes against the mock
 * server (http source, concurrency 50, ~50-token answers, SSE parsed and every token timed)
 * next to autocannon's requests per second on the same endpoint in the same run (autocannon
 * parses nothing: the closer streambench gets, the leaner its client path). Between them, a
 * minimal parsing client (parsingClient.ts) says what parsing and timing every token cost on
 * this machine, and streambench's http source alone (httpSourceAlone.ts) how much of
 * streambench's cost is its source and how much the rest of its pipeline. The mock runs in a
 * process of its own (zero-delay profile), so each side's CPU is its own. Each round runs
 * autocannon right before and right after streambench and compares with their mean (the
 * machine's speed drifts within seconds). Prints the three median ratios, and for streambench
 * each round's and whether the rounds agree on the target (STREAMS_TARGET_RATIO). The parsing
 * client and the source alone run after the bracket, so their ratios carry any drift since.
 *
 * Every side sends the same request — the one streambench's http source builds from the
 * benchmark's source settings — so the mock does the same work for each. Every side is measured
 * warm: before round 1 the mock and the in-process sides run unmeasured for WARMUP_S, and each
 * streambench run (a fresh process every round) first runs WARMUP_STREAMS unmeasured streams
 * (its scenario's `warmup`), as the in-process sides are warm from their first round on.
 *
 * Options: --duration S (each side, default 8), --rounds N (default 3: one round decides nothing),
 * --tokens N (answer length, default 50; the request's max_tokens is the http source's default,
 * 512), --connections N (default 50), --no-warmup (no warm-up runs: round 1 cold for every side,
 * later rounds for streambench only, a fresh process each round with one warm-up stream).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { stringify } from 'yaml';
import { processCpuMs } from '../probes/procStat.js';
import type { ResultDocument } from '../result/resultSchema.js';
import { buildUpstreamRequest, type UpstreamRequest } from '../sources/http/upstreamRequest.js';
import { resolveSourceSettings } from '../sources/sourceSettings.js';
import { median } from '../stats/sampleStats.js';
import { wholeNumberFlag } from './benchOptions.js';
import { runHttpSourceAlone } from './httpSourceAlone.js';
import { runParsingClient } from './parsingClient.js';
import { streamsRatioSummary } from './targetVerdict.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    tokens: { type: 'string', default: '50' },
    connections: { type: 'string', default: '50' },
    'no-warmup': { type: 'boolean', default: false },
  },
});
const durationS = wholeNumberFlag('--duration', values.duration!);
const rounds = wholeNumberFlag('--rounds', values.rounds!);
const tokens = wholeNumberFlag('--tokens', values.tokens!);
const connections = wholeNumberFlag('--connections', values.connections!);
const warm = !values['no-warmup'];
/** Seconds the mock and the in-process sides run unmeasured before round 1. */
const WARMUP_S = 2;
/** Unmeasured streams each streambench run starts with (one at a time: the scenario's `warmup`), enough for V8 to optimise its per-token code. */
const WARMUP_STREAMS = 300;

const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts `streambench mock-server` in a child process and resolves with its base URL. */
function startMock(): Promise<{ origin: string; pid: number; stop: () => void }> {
  const child = spawn(process.execPath, [cli, 'mock-server', '--port', '0', '--profile', 'zero-delay', '--tokens', String(tokens), '-q'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('the mock server did not start within 15 s')), 15_000);
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/[^\s]+)/.exec(out);
      const origin = match?.[1];
      if (origin === undefined) return;
      clearTimeout(deadline);
      resolve({ origin, pid: child.pid ?? -1, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`the mock server exited (code ${code}) before listening`)));
  });
}

interface SideResult {
  perSecond: number;
  cpuCores: number;
  /** The side's measured window, in seconds. */
  seconds: number;
  failures: number;
}

/** The source every streambench side uses; the other sides send the request it builds. */
const sourceInput = (origin: string) => ({ type: 'http' as const, api: 'openai-chat' as const, baseUrl: `${origin}/v1`, model: 'mock', includeUsage: true });

/** The request streambench's http source sends for a stream (no key, no per-stream header): every side sends it. */
function sharedRequest(origin: string): UpstreamRequest {
  const settings = resolveSourceSettings(sourceInput(origin));
  if (settings.type !== 'http' || settings.baseUrl === null) throw new Error('the benchmark source is not an http source with a base URL');
  return buildUpstreamRequest(settings, settings.baseUrl, null, null);
}

/** autocannon -c N sending the shared request for `durationSeconds`, in this process (which does nothing else meanwhile). */
async function runAutocannon(request: UpstreamRequest, durationSeconds: number): Promise<SideResult> {
  const cpuAtStart = process.cpuUsage();
  const result = await autocannon({ url: request.url, method: 'POST', headers: request.headers, body: request.body, connections, duration: durationSeconds });
  const cpu = process.cpuUsage(cpuAtStart);
  const seconds = result.duration;
  return { perSecond: result['2xx'] / seconds, cpuCores: (cpu.user + cpu.system) / 1e6 / seconds, seconds, failures: result.non2xx + result.errors + result.timeouts };
}

/** streambench run, http source against the mock, closed loop at N streams for the duration. */
async function runStreambench(origin: string, folder: string): Promise<SideResult & { tokensPerStream: number; warnings: string[] }> {
  const scenarioPath = join(folder, 'streams.yaml');
  writeFileSync(
    scenarioPath,
    stringify({
      name: 'streams-per-second',
      seed: 1,
      warmup: warm ? WARMUP_STREAMS : 1,
      source: sourceInput(origin),
      pipeline: { client: { type: 'lean', render: { strategy: 'frame' } } },
      load: { concurrency: connections, streams: 1_000_000, durationS },
    }),
  );
  const child = spawn(process.execPath, [cli, 'run', scenarioPath, '--json', '--no-save', '-q'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  const deadline = setTimeout(() => child.kill('SIGKILL'), (durationS + 60) * 1000);
  await new Promise((resolve) => child.once('exit', resolve));
  clearTimeout(deadline);
  children.delete(child);
  const document = JSON.parse(out) as ResultDocument;
  const config = document.configs[0];
  if (!config) throw new Error('streambench run produced no config');
  if (!config.load) throw new Error(`streambench run produced no load result: ${config.message ?? config.state}`);
  return {
    perSecond: config.load.completedStreamsPerSecond,
    cpuCores: config.load.toolCpuShare,
    seconds: config.load.durationMs / 1000,
    failures: config.load.streamsFailed,
    tokensPerStream: config.metrics?.counters.tokensPerStream ?? 0,
    warnings: config.warnings ?? [],
  };
}

const cores = availableParallelism();
const [load1 = 0] = loadavg(); // loadavg() always has three entries (zeros on Windows)
process.stdout.write(
  `bench:streams — ${tokens}-token answers from the mock server (zero-delay, own process), ${connections} concurrent, ${durationS} s per side, ${rounds} round(s)\n`,
);
process.stdout.write(
  `machine: ${cores} cores, load average ${load1.toFixed(1)} at the start${load1 > cores * 0.5 ? ' — a busy machine: read the ratio, not the absolute figures' : ''}\n`,
);
process.stdout.write(
  warm
    ? `every side sends streambench's request and is measured warm: the mock and the in-process sides ran ${WARMUP_S} s unmeasured first, each streambench run starts with ${WARMUP_STREAMS} unmeasured streams\n`
    : `every side sends streambench's request; no warm-up (--no-warmup): round 1 is cold for every side, later rounds for streambench only (a fresh process each round, one unmeasured stream)\n`,
);
const folder = mkdtempSync(join(tmpdir(), 'streambench-streams-'));
const mock = await startMock();
const request = sharedRequest(mock.origin);
const source = sourceInput(mock.origin);
const ratios: number[] = [];
const parsingRatios: number[] = [];
const sourceAloneRatios: number[] = [];
const cpuPerStream = (side: SideResult) => (side.cpuCores * 1e6) / side.perSecond;
// The mock's CPU over a side (read from /proc, Linux only): with the side's own, it says whether the machine's cores were all busy.
const withMockCpu = async <T extends SideResult>(run: () => Promise<T>): Promise<T & { mockCores: number | null }> => {
  const before = processCpuMs(mock.pid);
  const side = await run();
  const after = processCpuMs(mock.pid);
  return { ...side, mockCores: before === null || after === null ? null : (after - before) / 1000 / side.seconds };
};
const mockCoresText = (side: SideResult & { mockCores: number | null }, note = '') =>
  side.mockCores === null ? '' : `; the mock server ${side.mockCores.toFixed(2)} cores${note} (${(side.cpuCores + side.mockCores).toFixed(2)} of ${cores} in all)`;
const cannonText = (side: SideResult & { mockCores: number | null }) =>
  `${side.perSecond.toFixed(0)} requests/s at ${side.cpuCores.toFixed(2)} cores (${side.failures} failed)${mockCoresText(side)}`;
try {
  if (warm) {
    // The mock's JIT and each in-process side's code warm, as they are from round 2 on; streambench warms itself (its scenario's warm-up streams).
    await runAutocannon(request, WARMUP_S);
    await runParsingClient(request, connections, WARMUP_S);
    await runHttpSourceAlone(source, connections, WARMUP_S);
  }
  for (let round = 1; round <= rounds; round++) {
    // autocannon right before and right after streambench: this machine's speed drifts within
    // seconds, and the mean of the two brackets a steady drift, so the round's ratio is not the drift's.
    const cannonBefore = await withMockCpu(() => runAutocannon(request, durationS));
    process.stdout.write(`round ${round} autocannon (before): ${cannonText(cannonBefore)}\n`);
    const ours = await withMockCpu(() => runStreambench(mock.origin, folder));
    process.stdout.write(
      `round ${round} streambench: ${ours.perSecond.toFixed(0)} streams/s at ${ours.cpuCores.toFixed(2)} cores (${ours.failures} failed, ${ours.tokensPerStream.toFixed(0)} tokens/stream)${mockCoresText(ours, warm ? `, a little high: its CPU over the whole run (the ${WARMUP_STREAMS} warm-up streams too) per second of the window` : '')}\n`,
    );
    for (const warning of ours.warnings) process.stdout.write(`  streambench warned: ${warning}\n`);
    const cannonAfter = await withMockCpu(() => runAutocannon(request, durationS));
    process.stdout.write(`round ${round} autocannon (after): ${cannonText(cannonAfter)}\n`);
    const cannonPerSecond = (cannonBefore.perSecond + cannonAfter.perSecond) / 2;
    const cannonCpuPerRequestUs = (cpuPerStream(cannonBefore) + cpuPerStream(cannonAfter)) / 2;
    const ratio = ours.perSecond / cannonPerSecond;
    ratios.push(ratio);
    const driftPercent = (100 * Math.abs(cannonAfter.perSecond - cannonBefore.perSecond)) / cannonPerSecond;
    process.stdout.write(
      `round ${round}: streambench ${ratio.toFixed(2)}× autocannon's mean of before and after (${cannonPerSecond.toFixed(0)} requests/s; they differ by ${driftPercent.toFixed(0)} %${driftPercent > 20 ? ': the machine changed speed within the round' : ''})\n`,
    );
    const sourceAlone = await withMockCpu(() => runHttpSourceAlone(source, connections, durationS));
    process.stdout.write(
      `round ${round} http source alone: ${sourceAlone.perSecond.toFixed(0)} streams/s at ${sourceAlone.cpuCores.toFixed(2)} cores (${sourceAlone.failures} failed), ${cpuPerStream(sourceAlone).toFixed(0)} µs per stream${mockCoresText(sourceAlone)}\n`,
    );
    sourceAloneRatios.push(sourceAlone.perSecond / cannonPerSecond);
    // What the relay stages, the client and the statistics add to the source, per stream and per token: the part a cut must come from.
    const beyondSourceUs = cpuPerStream(ours) - cpuPerStream(sourceAlone);
    process.stdout.write(
      `round ${round} CPU per stream: streambench ${cpuPerStream(ours).toFixed(0)} µs (its http source alone ${cpuPerStream(sourceAlone).toFixed(0)} µs; the rest ${beyondSourceUs.toFixed(0)} µs, ${(beyondSourceUs / Math.max(1, ours.tokensPerStream)).toFixed(1)} µs per token), autocannon ${cannonCpuPerRequestUs.toFixed(0)} µs per request\n`,
    );
    const parsing = await withMockCpu(() => runParsingClient(request, connections, durationS));
    process.stdout.write(
      `round ${round} parsing client: ${parsing.perSecond.toFixed(0)} streams/s at ${parsing.cpuCores.toFixed(2)} cores (${parsing.failures} failed, ${parsing.deltasPerStream.toFixed(0)} deltas/stream), ${cpuPerStream(parsing).toFixed(0)} µs per stream${mockCoresText(parsing)}\n`,
    );
    parsingRatios.push(parsing.perSecond / cannonPerSecond);
  }
} finally {
  mock.stop();
  rmSync(folder, { recursive: true, force: true });
}
process.stdout.write(
  `A minimal parsing client (undici, eventsource-parser, JSON.parse and a timestamp per token; no relay, no statistics): ${median(parsingRatios).toFixed(2)}× autocannon's requests per second\n`,
);
process.stdout.write(
  `streambench's http source alone (request, SSE, decoding, token counting, a timestamp per chunk; no relay, no client, no statistics): ${median(sourceAloneRatios).toFixed(2)}× autocannon's requests per second\n`,
);
process.stdout.write(`${streamsRatioSummary(ratios)}\n`);
