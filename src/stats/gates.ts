/**
 * Gates: which metrics `compare` decides on, and how much change each allows. Written in a
 * scenario (`gates:`), as `--gate` flags, or taken from the defaults when neither says.
 */
/** Time metrics kept once per measured stream (IterationSample fields), in display order. */
export const ITERATION_METRICS = ['ttftMs', 'tokenLatencyP50Ms', 'tokenLatencyP99Ms', 'itlP50Ms', 'e2eMs', 'renderLatencyP99Ms', 'stalenessP99Ms'] as const;
/** A per-stream time metric. */
export type IterationMetric = (typeof ITERATION_METRICS)[number];

/** An allowance: an amount in the metric's unit, or a percentage of the base value. */
export interface Threshold {
  value: number;
  relative: boolean;
}

/** A gate with its allowance resolved; `maxIncrease` null means the kind's default. */
export interface Gate {
  /** `tokenLatencyP99Ms` (a per-stream time metric) or `counters.<name>`. */
  metric: string;
  maxIncrease: Threshold | null;
  /** Config names the gate applies to; null: every config. */
  configs: string[] | null;
  /** Where the gate came from, for messages. */
  origin: 'scenario' | 'flag' | 'default';
  /**
   * Why this metric cannot be gated for these configs (a scenario's `informational:`): its
   * verdict is computed and shown apart, with this reason, and never decides the outcome.
   */
  informational?: string;
}

/** Default allowance of a time metric: changes up to 10 % are noise on a shared CI runner. */
export const DEFAULT_TIME_INCREASE: Threshold = { value: 10, relative: true };
/** Default allowance of a counter: none, since a count is exact. */
export const DEFAULT_COUNTER_INCREASE: Threshold = { value: 0, relative: false };

/**
 * Counters that describe the workload or a choice rather than a cost (more is not worse), so
 * the default gates leave them out.
 */
const NOT_A_COST = new Set([
  'tokensPerStream',
  'tokensPerContentEvent',
  'jsonCacheHitsPerToken',
  'agentLoopMarkerHitsPerToken',
  'heartbeatsPerStream',
  'reconnectsPerStream',
  // A level that carries over from stream to stream, warm-up included: how many messages the
  // warm-up's timing made moves every measured stream's value (306 → 309 between two runs of the
  // same code), which the exact gate would call a regression. jsonOpsPerToken gates the cost.
  'jsonCacheEntries',
  // Renders trade freshness (gated by stalenessP99Ms) against client work, and a debounced or
  // throttled client's count moves with sub-ms delivery timing: the same stream rendered 26 and
  // 20 times in two runs of the same code. Gate it explicitly with a wide allowance if needed.
  'rendersPerStream',
]);

/** Counters measured with a clock (process CPU time) rather than counted: never exact. */
export const MEASURED_COUNTERS = new Set(['cpuUsPerToken']);

/** The metrics a gate can name, for messages. */
export const METRIC_HINT = `use one of ${ITERATION_METRICS.join(', ')} or counters.<name> (e.g. counters.jsonOpsPerToken)`;

/** The message for a metric no gate can decide on. */
export const GATE_METRIC_MESSAGE = `not a gate metric: ${METRIC_HINT}`;
/** The message for an allowance that does not parse. */
export const THRESHOLD_MESSAGE = 'write a percentage (10%) or an amount (5, 5ms)';

/** The message for an `informational:` that is not a reason. */
export const INFORMATIONAL_MESSAGE = 'write why this metric cannot be gated (a non-empty text)';

/** Whether `metric` names something a gate can decide on. */
export function isGateMetric(metric: string): boolean {
  return (ITERATION_METRICS as readonly string[]).includes(metric) || /^counters\.[A-Za-z0-9_]+$/.test(metric);
}

/** Whether a gate metric is a counter. */
export function isCounterMetric(metric: string): boolean {
  return metric.startsWith('counters.');
}

/** An allowance as text: `10%`, `+2.5%`, `5`, `5ms`. */
export const THRESHOLD_TEXT = /^\+?(\d+(?:\.\d+)?|\.\d+)\s*(%|ms)?$/;

/** Parses `10%`, `+2.5%`, `5`, `5ms` or a number; throws naming the accepted forms. */
export function parseThreshold(input: string | number): Threshold {
  if (typeof input === 'number') {
    if (!(input >= 0) || !Number.isFinite(input)) throw new Error(`maxIncrease must be ≥ 0, got ${input}`);
    return { value: input, relative: false };
  }
  const match = THRESHOLD_TEXT.exec(input.trim());
  if (!match) throw new Error(`"${input}" is not an allowance: write a percentage of the base value (10%) or an amount in the metric's unit (5, 5ms)`);
  return { value: Number(match[1]), relative: match[2] === '%' };
}

/** A threshold as a short text: `10%` or `5`. */
export function formatThreshold(threshold: Threshold): string {
  return threshold.relative ? `${threshold.value}%` : String(threshold.value);
}

/** A gate as a scenario writes it (validated by gateSchema, src/stats/gateSchema.ts). */
export interface GateInput {
  metric: string;
  maxIncrease?: number | string;
  configs?: string[];
  informational?: string;
}

const GATE_FIELDS = new Set(['metric', 'maxIncrease', 'configs', 'informational']);

/**
 * Checks a result file's recorded `gates:` (written by `run` after gateSchema accepted the
 * scenario) without zod, which `compare` would otherwise load at start-up for this alone; the
 * same rules as gateSchema (test/gate.test.ts holds the two to agreement). Returns the gates,
 * or the first problem as `gates[1].maxIncrease: …`.
 */
export function checkGateInputs(raw: unknown): { gates: GateInput[] } | { problem: string } {
  if (!Array.isArray(raw)) return { problem: 'gates: expected a list' };
  for (const [index, entry] of raw.entries()) {
    const at = `gates[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return { problem: `${at}: expected an object` };
    const unknown = Object.keys(entry).filter((key) => !GATE_FIELDS.has(key));
    if (unknown.length > 0) return { problem: `${at}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${key}"`).join(', ')}` };
    const { metric, maxIncrease, configs, informational } = entry as Record<string, unknown>;
    if (typeof metric !== 'string' || !isGateMetric(metric)) return { problem: `${at}.metric: ${GATE_METRIC_MESSAGE}` };
    const numberAllowance = typeof maxIncrease === 'number' && Number.isFinite(maxIncrease) && maxIncrease >= 0;
    const textAllowance = typeof maxIncrease === 'string' && THRESHOLD_TEXT.test(maxIncrease);
    if (maxIncrease !== undefined && !numberAllowance && !textAllowance) return { problem: `${at}.maxIncrease: ${THRESHOLD_MESSAGE}` };
    if (configs !== undefined && (!Array.isArray(configs) || configs.length === 0 || configs.some((name) => typeof name !== 'string'))) {
      return { problem: `${at}.configs: expected a non-empty list of config names` };
    }
    if (informational !== undefined && (typeof informational !== 'string' || informational === '')) {
      return { problem: `${at}.informational: ${INFORMATIONAL_MESSAGE}` };
    }
  }
  return { gates: raw as GateInput[] };
}

/** A validated scenario gate as a Gate. */
export function gateFromInput(input: GateInput, origin: Gate['origin'] = 'scenario'): Gate {
  return {
    metric: input.metric,
    maxIncrease: input.maxIncrease === undefined ? null : parseThreshold(input.maxIncrease),
    configs: input.configs ?? null,
    origin,
    ...(input.informational !== undefined && { informational: input.informational }),
  };
}

/** A `--gate` flag that does not parse; the message names the flag and the form. */
export class GateSyntaxError extends Error {
  override readonly name = 'GateSyntaxError';
}

/** Parses `--gate METRIC[:MAX_INCREASE]`, e.g. `tokenLatencyP99Ms:10%` or `counters.eventsPerToken`; comma-separated. */
export function parseGateFlags(text: string): Gate[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [metric = '', allowance, ...rest] = part.split(':').map((piece) => piece.trim());
      if (rest.length > 0 || !isGateMetric(metric)) {
        throw new GateSyntaxError(`--gate "${part}": expected METRIC[:MAX_INCREASE] where METRIC is ${METRIC_HINT.replace(/^use /, '')}, e.g. "tokenLatencyP99Ms:10%"`);
      }
      try {
        return { metric, maxIncrease: allowance === undefined ? null : parseThreshold(allowance), configs: null, origin: 'flag' as const };
      } catch (error) {
        throw new GateSyntaxError(`--gate "${part}": ${(error as Error).message}`);
      }
    });
}

/**
 * The default gates for the counters present: every time metric at +10 %, every counted cost
 * at 0 (exact). CPU per token is left out: it is process CPU time, and on a shared runner it
 * moved by 40 % between runs of the same code (docs/ci.md); gate it explicitly with a wide allowance.
 */
export function defaultGates(counterNames: Iterable<string>): Gate[] {
  const gates: Gate[] = ITERATION_METRICS.map((metric) => ({ metric, maxIncrease: null, configs: null, origin: 'default' }));
  for (const name of [...new Set(counterNames)].sort()) {
    if (NOT_A_COST.has(name) || MEASURED_COUNTERS.has(name)) continue;
    gates.push({ metric: `counters.${name}`, maxIncrease: null, configs: null, origin: 'default' });
  }
  return gates;
}
