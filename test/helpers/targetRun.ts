import type { ResultDocument } from '../../src/result/resultSchema.js';
import { runScenario, type RunOptions } from '../../src/run/runScenario.js';
import type { Scenario } from '../../src/scenario/loadScenario.js';
import { scenarioFrom } from './scenario.js';

/** What the target tests vary besides the variants: the source, how many streams are measured, and rarely more. */
export interface TargetRunSettings {
  /** The synthetic (or replay) source; the scenarioFrom default when omitted. */
  source?: Record<string, unknown>;
  /** Measured streams per config. */
  streams: number;
  /** Warmup streams per config (0 unless a test needs one). */
  warmup?: number;
  load?: Record<string, unknown>;
  seed?: number;
}

/** A scenario of target `variants`: no warmup unless asked, as every target test runs. */
export function targetScenario(variants: Record<string, unknown>[], settings: TargetRunSettings): Scenario {
  const { source, streams, warmup = 0, ...rest } = settings;
  return scenarioFrom({ ...(source ? { source } : {}), iterations: streams, warmup, ...rest, variants });
}

/** Runs a scenario of target `variants` (see targetScenario). */
export function runTargets(variants: Record<string, unknown>[], settings: TargetRunSettings, options?: RunOptions): Promise<ResultDocument> {
  return runScenario(targetScenario(variants, settings), options);
}
