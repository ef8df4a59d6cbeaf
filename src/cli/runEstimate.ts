/**
 * Before a run starts: an estimate of its peak memory and its duration, refused (exit 2) when
 * the memory exceeds what the machine and Node's heap allow, or the duration a week, unless
 * `--force`. Rough by design — it catches `tokens: 1e6` at `concurrency: 10000`, not 10 %.
 * The per-token figure was measured: a zero-delay 200,000-token stream peaked at 373 MB RSS,
 * 100,000 tokens at 245 MB, 1,000 at 127 MB (2-core VM, Node 20): about 1.3 kB per token.
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { DistributionSetting } from '../sources/distributions.js';
import type { Scenario } from '../scenario/loadScenario.js';
import { CliError } from './exitCodes.js';

/** Bytes per token of a stream in flight (plan, trace stamps, client text). */
const BYTES_PER_TOKEN_IN_FLIGHT = 1300;
/** Bytes of the tool before any stream (Node, code, tokenizer tables). */
const BASE_BYTES = 150 * 1024 * 1024;
/** Bytes each measured stream keeps (its sample in the document and the distributions). */
const BYTES_PER_MEASURED_STREAM = 2048;
const WEEK_MS = 7 * 24 * 3600 * 1000;

/** What a run is expected to need. */
export interface RunEstimate {
  peakMemoryBytes: number;
  /** null when the source's timing is unknown before it runs (http, replay). */
  durationMs: number | null;
}

function meanMs(setting: DistributionSetting): number {
  if (typeof setting === 'number') return setting;
  return setting.dist === 'constant' ? setting.value : setting.mean;
}

/** Estimates one scenario's peak memory and duration, with the overrides of the command line. */
export function estimateRun(scenario: Scenario, overrides: { iterations?: number; warmup?: number }): RunEstimate {
  const source = scenario.source;
  const tokens = source.type === 'synthetic' ? source.tokens : source.type === 'http' ? source.maxTokens : 0;
  const streamMs = source.type === 'synthetic' ? meanMs(source.ttftMs) + source.tokens * meanMs(source.gapMs) : null;
  let peakMemoryBytes = BASE_BYTES;
  let durationMs: number | null = 0;
  for (const config of scenario.configs) {
    const load = config.load;
    let measured = load?.streams ?? overrides.iterations ?? scenario.iterations;
    // A timed load starts only as many streams as fit in its duration.
    if (load?.durationS !== undefined && streamMs !== null && streamMs > 0) {
      const perSecond = load.rate ? load.rate.perSecond : (load.concurrency ?? 1) / (streamMs / 1000);
      measured = Math.min(measured, Math.ceil(load.durationS * perSecond));
    }
    const warmup = (overrides.warmup ?? scenario.warmup) * (load?.workers ?? 1);
    const inFlight = load?.concurrency ?? (load?.rate ? Math.ceil(load.rate.perSecond * ((streamMs ?? 1000) / 1000)) : 1);
    peakMemoryBytes = Math.max(peakMemoryBytes, BASE_BYTES + Math.min(inFlight, measured) * tokens * BYTES_PER_TOKEN_IN_FLIGHT + measured * BYTES_PER_MEASURED_STREAM);
    if (streamMs === null || durationMs === null) durationMs = null;
    else if (load?.durationS !== undefined) durationMs += load.durationS * 1000 + streamMs;
    else if (load?.rate) durationMs += warmup * streamMs + (measured / load.rate.perSecond) * 1000 + streamMs;
    else durationMs += (warmup + Math.ceil(measured / (load?.concurrency ?? 1))) * streamMs;
  }
  return { peakMemoryBytes, durationMs };
}

/** What this machine allows a run to use: the smaller of its memory and Node's heap limit. */
export function memoryAvailableBytes(): number {
  return Math.min(totalmem(), getHeapStatistics().heap_size_limit);
}

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024).toLocaleString('en-US')} MB`;
const hours = (ms: number) => `${(ms / 3_600_000).toLocaleString('en-US', { maximumFractionDigits: 1 })} h`;

/** Throws a CliError (exit 2) when a scenario would need more than the machine has, unless `force`. */
export function refuseBeyondMachine(scenario: Scenario, overrides: { iterations?: number; warmup?: number }, force: boolean): void {
  if (force) return;
  const estimate = estimateRun(scenario, overrides);
  const available = memoryAvailableBytes();
  if (estimate.peakMemoryBytes > available) {
    throw new CliError(
      `${scenario.file ?? scenario.name}: this run would need about ${megabytes(estimate.peakMemoryBytes)} of memory ` +
        `(~1.3 kB per token of every stream in flight), more than the ${megabytes(available)} this machine and Node's heap allow. ` +
        'Lower source.tokens or load.concurrency, or pass --force to try anyway (Node may abort when its heap is full)',
    );
  }
  if (estimate.durationMs !== null && estimate.durationMs > WEEK_MS) {
    throw new CliError(
      `${scenario.file ?? scenario.name}: this run would take about ${hours(estimate.durationMs)} (streams × their planned timing); ` +
        'lower iterations or the source timing, or pass --force to run it anyway',
    );
  }
}
