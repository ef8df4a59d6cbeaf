/**
 * Side-by-side comparison of two result documents: one row per config and metric measured in
 * both, plus the configs that cannot be compared and why.
 */
import type { CompletedConfig, ConfigResult, ResultDocument } from '../result/resultSchema.js';
import { comparableConfig } from './comparability.js';
import { DEFAULT_STATISTICS, flattenMetrics, type SummaryStatistic } from './metricPaths.js';

/** One metric of one config in both documents. */
export interface ComparisonRow {
  config: string;
  metric: string;
  base: number;
  head: number;
  /** head − base. */
  absoluteChange: number;
  /** (head − base) / |base| as a fraction (0.1 = +10 %); null when base is 0. */
  relativeChange: number | null;
}

/** A config present in both documents but not completed (with metrics) on at least one side. */
export interface NotComparedConfig {
  config: string;
  baseState: ConfigResult['state'];
  headState: ConfigResult['state'];
  baseMessage?: string;
  headMessage?: string;
}

/** What `compareResults` returns. */
export interface Comparison {
  rows: ComparisonRow[];
  /** Config names in base only, in base order. */
  onlyInBase: string[];
  /** Config names in head only, in head order. */
  onlyInHead: string[];
  notCompared: NotComparedConfig[];
}

/** Whether a config has metrics to compare: it completed. */
function isMeasured(config: ConfigResult): config is CompletedConfig {
  return comparableConfig(config);
}

/** (head − base) / |base|, or null when base is 0 (no meaningful ratio). */
export function relativeChange(base: number, head: number): number | null {
  return base === 0 ? null : (head - base) / Math.abs(base);
}

/**
 * Compares configs matched by name (rows in base's config and metric order), for the given
 * summary statistics (default mean, p50, p90, p99) and every counter.
 */
export function compareResults(base: ResultDocument, head: ResultDocument, statistics: readonly SummaryStatistic[] = DEFAULT_STATISTICS): Comparison {
  const headByName = new Map(head.configs.map((config) => [config.name, config]));
  const baseNames = new Set(base.configs.map((config) => config.name));
  const rows: ComparisonRow[] = [];
  const onlyInBase: string[] = [];
  const notCompared: NotComparedConfig[] = [];

  for (const baseConfig of base.configs) {
    const headConfig = headByName.get(baseConfig.name);
    if (!headConfig) {
      onlyInBase.push(baseConfig.name);
      continue;
    }
    if (!isMeasured(baseConfig) || !isMeasured(headConfig)) {
      notCompared.push({
        config: baseConfig.name,
        baseState: baseConfig.state,
        headState: headConfig.state,
        ...(baseConfig.message !== undefined && { baseMessage: baseConfig.message }),
        ...(headConfig.message !== undefined && { headMessage: headConfig.message }),
      });
      continue;
    }
    const baseValues = flattenMetrics(baseConfig.metrics, statistics);
    const headValues = flattenMetrics(headConfig.metrics, statistics);
    for (const [metric, baseValue] of baseValues) {
      const headValue = headValues.get(metric);
      if (headValue === undefined) continue;
      rows.push({
        config: baseConfig.name,
        metric,
        base: baseValue,
        head: headValue,
        absoluteChange: headValue - baseValue,
        relativeChange: relativeChange(baseValue, headValue),
      });
    }
  }
  const onlyInHead = head.configs.map((config) => config.name).filter((name) => !baseNames.has(name));
  return { rows, onlyInBase, onlyInHead, notCompared };
}
