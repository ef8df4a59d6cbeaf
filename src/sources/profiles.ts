/**
 * Named timing profiles for synthetic streams: a scenario says `profile: fast-hosted`
 * instead of spelling out distributions, and overrides any field it sets itself.
 *
 * Where the figures come from: they are round numbers in the range that public provider
 * benchmarks and local-inference reports commonly show, chosen to be plausible, not
 * measured. They are illustrative only and describe no particular provider, model or
 * machine. To get real timing, record a trace of your own model (`streambench record`)
 * and replay it.
 */
import type { Granularity } from './chunking.js';
import type { DistributionSetting } from './distributions.js';

export const profileNames = ['fast-hosted', 'slow-local', 'multi-token', 'zero-delay'] as const;
/** The name of a timing profile. */
export type ProfileName = (typeof profileNames)[number];

/** The settings a profile fills in: timing and upstream granularity. */
export interface SyntheticProfile {
  /** One line for `--help` and the docs. */
  description: string;
  ttftMs: DistributionSetting;
  gapMs: DistributionSetting;
  granularity: Granularity;
}

export const PROFILES: Readonly<Record<ProfileName, SyntheticProfile>> = {
  'fast-hosted': {
    description: 'a hosted API: TTFT ~350 ms, ~12 ms between per-token chunks',
    ttftMs: { dist: 'lognormal', mean: 350, stddev: 120 },
    gapMs: { dist: 'gamma', mean: 12, stddev: 6 },
    granularity: 'token',
  },
  'slow-local': {
    description: 'a local model on modest hardware: TTFT ~900 ms, ~45 ms between per-token chunks',
    ttftMs: { dist: 'lognormal', mean: 900, stddev: 200 },
    gapMs: { dist: 'gamma', mean: 45, stddev: 10 },
    granularity: 'token',
  },
  'multi-token': {
    description: 'a provider that sends 4 tokens per chunk: TTFT ~400 ms, ~40 ms between chunks',
    ttftMs: { dist: 'lognormal', mean: 400, stddev: 150 },
    gapMs: { dist: 'gamma', mean: 40, stddev: 15 },
    granularity: { tokensPerChunk: 4 },
  },
  'zero-delay': {
    description: 'no waiting at all (TTFT 0, gaps 0): measures the pipeline itself',
    ttftMs: 0,
    gapMs: 0,
    granularity: 'token',
  },
};
