/**
 * Regression rules for `streambench compare --fail-on`: `<metricPath><op><threshold>`, e.g.
 * `ttftMs.p50>+10%` (fail when TTFT p50 grows by more than 10 %) or
 * `counters.jsonOpsPerToken>0` (fail on any increase).
 */
import type { ConfigMetrics, ResultDocument } from '../result/resultSchema.js';
import { comparableConfig } from './comparability.js';
import { relativeChange } from './compareResults.js';
import { getMetricValue } from './metricPaths.js';

/** One parsed rule. */
export interface Rule {
  /** The rule as written (trimmed), for messages. */
  text: string;
  /** Dotted metric path, e.g. `stages.brokerRead.latencyMs.p99`. */
  metric: string;
  /** `>`: breached when head − base exceeds the threshold; `<`: when it falls below it. */
  op: '>' | '<';
  /** Absolute amount in the metric's unit, or a percentage of base when `relative`. */
  threshold: number;
  relative: boolean;
}

/** A rule breached by one config. */
export interface Breach {
  config: string;
  rule: string;
  metric: string;
  base: number;
  head: number;
  /** head − base. */
  change: number;
  /** (head − base) / |base|; null when base is 0. */
  relativeChange: number | null;
}

/** A rule that could not be checked for a config completed on both sides. */
export interface UncheckedRule {
  config: string;
  rule: string;
  metric: string;
  /** The side that has no value for the metric (null summary or missing stage/counter). */
  missingIn: 'base' | 'head';
}

/** What `evaluateRules` found. */
export interface RuleEvaluation {
  breaches: Breach[];
  /** Metric paths (deduplicated, in rule order) that have a value in no config of either document. */
  unknownMetrics: string[];
  unchecked: UncheckedRule[];
  /** Rule × config pairs checked (each a value on both sides): breached or not. */
  checked: number;
}

/** A `--fail-on` string that does not parse; the message names the rule and the format. */
export class RuleSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleSyntaxError';
  }
}

const RULE_FORMAT_HINT =
  'expected <metricPath><op><threshold> with op > or < and threshold a number (5, +2.5, -1) ' +
  'or a percentage of base (+10%, -5%); separate rules with commas, ' +
  'e.g. "ttftMs.p50>+10%,counters.jsonOpsPerToken>0"';

const METRIC_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/;
const THRESHOLD = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(%?)$/;

/** Parses one rule; throws RuleSyntaxError naming it. */
function parseRule(text: string): Rule {
  const opIndex = text.search(/[<>]/);
  if (opIndex === -1) {
    throw new RuleSyntaxError(`Invalid rule "${text}": no comparison operator (> or <); ${RULE_FORMAT_HINT}`);
  }
  const metric = text.slice(0, opIndex).trim();
  const op = text[opIndex] as '>' | '<';
  const thresholdText = text.slice(opIndex + 1).trim();
  if (!METRIC_PATH.test(metric)) {
    throw new RuleSyntaxError(`Invalid rule "${text}": "${metric}" is not a metric path like ttftMs.p50 or counters.bytesPerToken; ${RULE_FORMAT_HINT}`);
  }
  const match = THRESHOLD.exec(thresholdText);
  if (!match) {
    throw new RuleSyntaxError(`Invalid rule "${text}": "${thresholdText}" is not a threshold; ${RULE_FORMAT_HINT}`);
  }
  return { text, metric, op, threshold: Number(match[1]), relative: match[2] === '%' };
}

/** Parses a comma-separated list of rules; throws RuleSyntaxError on the first bad one. */
export function parseRules(text: string): Rule[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.every((part) => part === '')) {
    throw new RuleSyntaxError(`No rules given; ${RULE_FORMAT_HINT}`);
  }
  return parts.map((part, index) => {
    if (part === '') {
      throw new RuleSyntaxError(`Empty rule at position ${index + 1} in "${text}"; ${RULE_FORMAT_HINT}`);
    }
    return parseRule(part);
  });
}

/**
 * Whether `rule` is breached going from `base` to `head`. The limit is base + threshold, with
 * a relative threshold taken as a percentage of |base|; so on a base of 0 a relative rule's
 * limit is 0 and `>` breaches on any head > 0 (`<` on any head < 0), whatever the percentage.
 * Differences below one part in 10^9 count as floating-point noise, not as a breach, so that
 * 100 → 110 does not breach `>+10%`.
 */
export function isBreached(rule: Rule, base: number, head: number): boolean {
  const allowed = rule.relative ? (Math.abs(base) * rule.threshold) / 100 : rule.threshold;
  const limit = base + allowed;
  const noise = 1e-9 * Math.max(Math.abs(head), Math.abs(limit));
  return rule.op === '>' ? head - limit > noise : limit - head > noise;
}

/** Completed configs with metrics, by name. */
function measuredConfigs(doc: ResultDocument): Map<string, ConfigMetrics> {
  const byName = new Map<string, ConfigMetrics>();
  for (const config of doc.configs) {
    if (comparableConfig(config)) byName.set(config.name, config.metrics);
  }
  return byName;
}

/**
 * Applies every rule to every config completed in both documents (matched by name). Configs
 * missing or not completed on one side are not checked here; `compareResults` lists them.
 */
export function evaluateRules(rules: readonly Rule[], base: ResultDocument, head: ResultDocument): RuleEvaluation {
  const baseConfigs = measuredConfigs(base);
  const headConfigs = measuredConfigs(head);
  const breaches: Breach[] = [];
  const unchecked: UncheckedRule[] = [];
  const unknownMetrics: string[] = [];
  let checked = 0;

  for (const rule of rules) {
    const known = [...baseConfigs.values(), ...headConfigs.values()].some((metrics) => getMetricValue(metrics, rule.metric) !== undefined);
    if (!known) {
      if (!unknownMetrics.includes(rule.metric)) unknownMetrics.push(rule.metric);
      continue;
    }
    for (const [config, baseMetrics] of baseConfigs) {
      const headMetrics = headConfigs.get(config);
      if (!headMetrics) continue;
      const baseValue = getMetricValue(baseMetrics, rule.metric);
      const headValue = getMetricValue(headMetrics, rule.metric);
      if (baseValue === undefined || headValue === undefined) {
        // Missing on both sides is simply not measured there (e.g. no render stage).
        if (baseValue !== headValue) {
          unchecked.push({ config, rule: rule.text, metric: rule.metric, missingIn: baseValue === undefined ? 'base' : 'head' });
        }
        continue;
      }
      checked++;
      if (isBreached(rule, baseValue, headValue)) {
        breaches.push({
          config,
          rule: rule.text,
          metric: rule.metric,
          base: baseValue,
          head: headValue,
          change: headValue - baseValue,
          relativeChange: relativeChange(baseValue, headValue),
        });
      }
    }
  }
  return { breaches, unknownMetrics, unchecked, checked };
}
