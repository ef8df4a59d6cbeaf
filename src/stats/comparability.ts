/**
 * Whether two result documents can be compared at all, and whether their streams pair up.
 * Pure: documents in, a problem message or a pairing decision out.
 */
import type { CompletedConfig, ConfigResult, ResultDocument } from '../result/resultSchema.js';

/** Why two documents cannot be compared (names the files' scenarios or configs), or null when they can. */
export function comparabilityProblem(base: ResultDocument, head: ResultDocument, names = { base: 'base', head: 'head' }): string | null {
  if (base.scenario.name !== head.scenario.name) {
    return `${names.base} is a run of scenario "${base.scenario.name}" but ${names.head} of "${head.scenario.name}"; compare runs of the same scenario`;
  }
  const baseNames = base.configs.map((config) => config.name);
  const headNames = head.configs.map((config) => config.name);
  // A partial run (interrupted, or a file saved mid-run) lacks the configs it never reached: those are not a mismatch.
  const partial = (document: ResultDocument) => document.interrupted || document.incomplete === true;
  const onlyInBase = partial(head) ? [] : baseNames.filter((name) => !headNames.includes(name));
  const onlyInHead = partial(base) ? [] : headNames.filter((name) => !baseNames.includes(name));
  if (onlyInBase.length === 0 && onlyInHead.length === 0) return null;
  const parts = [onlyInBase.length > 0 && `only in ${names.base}: ${onlyInBase.join(', ')}`, onlyInHead.length > 0 && `only in ${names.head}: ${onlyInHead.join(', ')}`].filter(
    Boolean,
  );
  return `the configs do not match (${parts.join('; ')}); compare runs of the same scenario version, or re-run the baseline`;
}

/** Whether stream i of base and stream i of head had the same text and timing. */
export interface Pairing {
  paired: boolean;
  /** Why (not): for the report. */
  reason: string;
}

/**
 * Streams pair up when seed, warm-up count and source settings are equal: measured stream i is
 * then stream (warm-up + i) of the same seed in both runs. With unequal stream counts the
 * first streams of the longer run pair with the shorter run's.
 */
export function streamPairing(base: ResultDocument, head: ResultDocument): Pairing {
  const keys = ['seed', 'warmup', 'source'] as const;
  const differing = keys.filter((key) => JSON.stringify(base.scenario.settings[key]) !== JSON.stringify(head.scenario.settings[key]));
  if (differing.length > 0) {
    return { paired: false, reason: `streams not paired: ${differing.join(', ')} differ between the runs, so stream i is not the same stream in both` };
  }
  if (base.scenario.settings.seed === undefined) {
    return { paired: false, reason: 'streams not paired: the runs do not record their seed' };
  }
  return { paired: true, reason: 'streams paired: same seed, source and warm-up, so stream i had the same text and timing in both runs' };
}

/**
 * Whether a config's streams can be compared: it completed, or it was interrupted after measuring
 * some (a partial run, which compare accepts only with --allow-partial: its few streams are then
 * judged as any, and too few decide nothing). Gates, rules and the details table share it.
 * Typed as completed: they read only its metrics and iterations, which such a config has too.
 */
export function comparableConfig(config: ConfigResult): config is CompletedConfig {
  return config.state === 'completed' || (config.state === 'interrupted' && config.metrics !== null && config.iterations.length > 0);
}
