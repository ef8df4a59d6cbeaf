/**
 * Everything `compare` and `run --baseline` decide about two result documents: which gates
 * apply (the head run's scenario gates, `--gate` flags, or the defaults), their verdicts, and
 * the older exact `--fail-on` rules. Pure: documents and requests in, a decision out.
 */
import type { ResultDocument } from '../result/resultSchema.js';
import { comparabilityProblem } from './comparability.js';
import { compareResults, type Comparison } from './compareResults.js';
import { checkGateInputs, defaultGates, type Gate, gateFromInput } from './gates.js';
import { DEFAULT_GATE_OPTIONS, evaluateGates, type GateOptions, type GateReport } from './gateVerdicts.js';
import { evaluateRules, type Rule, type RuleEvaluation } from './rules.js';

/** Input that makes a comparison impossible; the message says which file or gate and why. */
export class ComparisonInputError extends Error {
  override readonly name = 'ComparisonInputError';
}

/** What to decide on, beyond the documents. */
export interface ComparisonRequest {
  /** `--gate` flags, parsed. */
  flagGates: Gate[];
  /** `--fail-on` rules, parsed. */
  rules: Rule[];
  options?: Partial<GateOptions>;
  /** Apply the default gates when neither the scenario nor a flag names any (default true). */
  defaultGates?: boolean;
  /** Names of the two documents in messages (file paths). */
  names?: { base: string; head: string };
}

/** The outcome of a comparison. */
export interface ComparisonDecision {
  gates: Gate[];
  report: GateReport;
  rules: RuleEvaluation;
  /** The metric-by-metric table of summaries (for --details). */
  comparison: Comparison;
  /** True when a gate regressed or a rule was breached: exit 1. */
  regressed: boolean;
}

/** The gates a run recorded from its scenario; throws ComparisonInputError when they are malformed. */
export function recordedGates(document: ResultDocument, name: string): Gate[] {
  const raw = document.scenario.settings.gates;
  if (raw === undefined) return [];
  const checked = checkGateInputs(raw);
  if ('problem' in checked) throw new ComparisonInputError(`${name}: scenario.settings.gates is not a list of gates: ${checked.problem}`);
  return checked.gates.map((input) => gateFromInput(input));
}

/** Compares base and head; throws ComparisonInputError for documents that cannot be compared. */
export function decideComparison(base: ResultDocument, head: ResultDocument, request: ComparisonRequest): ComparisonDecision {
  const names = request.names ?? { base: 'base', head: 'head' };
  const problem = comparabilityProblem(base, head, names);
  if (problem) throw new ComparisonInputError(problem);

  // The head run's scenario defines its gates (a change that edits the gates is reviewed with
  // them); a --gate on the same metric comes first, so it wins. Informational entries only take
  // their metric × configs out of the decision: they replace no other gate, defaults included.
  const recorded = recordedGates(head, names.head);
  const informational = recorded.filter((gate) => gate.informational !== undefined);
  let deciding = [...request.flagGates, ...recorded.filter((gate) => gate.informational === undefined)];
  if (deciding.length === 0 && request.defaultGates !== false) {
    const counterNames = [...base.configs, ...head.configs].flatMap((config) => Object.keys(config.metrics?.counters ?? {}));
    deciding = defaultGates(counterNames);
  }
  const gates = [...request.flagGates, ...informational, ...deciding.filter((gate) => !request.flagGates.includes(gate))];
  const report = evaluateGates(base, head, gates, { ...DEFAULT_GATE_OPTIONS, ...request.options });
  if (report.unknownMetrics.length > 0) {
    throw new ComparisonInputError(
      `no config in either file measured ${report.unknownMetrics.map((metric) => `"${metric}"`).join(', ')}: check the gate's metric name (counters are listed by \`streambench report\`)`,
    );
  }
  const rules = evaluateRules(request.rules, base, head);
  if (rules.unknownMetrics.length > 0) {
    throw new ComparisonInputError(
      `--fail-on: no config in either file has the metric ${rules.unknownMetrics.map((metric) => `"${metric}"`).join(', ')}; use a path such as ttftMs.p50, tokenLatencyMs.p99, stages.clientReceive.latencyMs.p99 or counters.jsonOpsPerToken`,
    );
  }
  const regressed = report.verdicts.some((verdict) => verdict.verdict === 'regressed') || rules.breaches.length > 0;
  return { gates, report, rules, comparison: compareResults(base, head), regressed };
}
