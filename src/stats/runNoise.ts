/**
 * Noise of one run, before any comparison: per config and per-stream time metric, the
 * coefficient of variation and the MAD outliers, with a warning where a gate on the metric
 * would need a wide allowance (hyperfine warns the same way about a single benchmark).
 */
import type { ResultDocument } from '../result/resultSchema.js';
import { ITERATION_METRICS } from './gates.js';
import { coefficientOfVariation, madOutliers } from './sampleStats.js';

/** The spread of one metric of one config. */
export interface MetricNoise {
  config: string;
  metric: string;
  streams: number;
  cv: number | null;
  outliers: number;
}

/** A CV above this means streams differ by more than a default 10 % gate allows. */
export const NOISY_CV = 0.25;

/** Spread of every per-stream time metric of every completed config. */
export function runNoise(doc: ResultDocument): MetricNoise[] {
  const noise: MetricNoise[] = [];
  for (const config of doc.configs) {
    if (config.state !== 'completed') continue;
    // Under load, streams differ by design (where they fall in the ramp, how many overlap):
    // their spread is the load's shape, not run-to-run noise.
    if (config.load && config.load.mode !== 'sequential') continue;
    for (const metric of ITERATION_METRICS) {
      const values = config.iterations.map((sample) => sample[metric]).filter((value): value is number => typeof value === 'number');
      if (values.length < 2) continue;
      noise.push({ config: config.name, metric, streams: values.length, cv: coefficientOfVariation(values), outliers: madOutliers(values).length });
    }
  }
  return noise;
}
