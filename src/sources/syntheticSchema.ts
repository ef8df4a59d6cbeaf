/**
 * Settings of the synthetic source as written in a scenario, and their resolution: the
 * profile fills every timing field the scenario leaves out, explicit fields win.
 */
import { z } from 'zod';
import { TOKENS_MAX, tooLarge } from '../input/inputLimits.js';
import { granularitySchema, type Granularity } from './chunking.js';
import { corpusStyles, type CorpusStyle } from './corpus.js';
import { distributionSchema, type DistributionSetting } from './distributions.js';
import { PROFILES, profileNames, type ProfileName } from './profiles.js';

/** The profile used when a scenario names none. */
export const DEFAULT_PROFILE: ProfileName = 'fast-hosted';
/** Tokens per stream when a scenario does not say. */
export const DEFAULT_TOKENS = 200;

export const burstSchema = z
  .strictObject({
    everyTokens: z.number().int().min(1).describe('a burst starts each time this many tokens have been emitted'),
    lengthTokens: z.number().int().min(1).describe('tokens in each burst'),
    gapMs: distributionSchema.describe('gap between chunks inside a burst, in milliseconds (usually near 0)'),
  })
  .describe('a provider flushing a backlog: every `everyTokens` tokens, the next `lengthTokens` tokens arrive with `gapMs` gaps');
/** Burst settings: see `burstSchema`. */
export type BurstSetting = z.infer<typeof burstSchema>;

export const stallSchema = z
  .strictObject({
    afterTokens: z.number().int().nonnegative().describe('the pause comes before the first chunk sent after this many tokens were emitted (0: added to TTFT)'),
    ms: distributionSchema.describe('length of the pause in milliseconds, on top of the normal gap'),
  })
  .describe('an extra pause, e.g. a tool call or a slow GPU batch');
/** Stall settings: see `stallSchema`. */
export type StallSetting = z.infer<typeof stallSchema>;

export const syntheticSourceSchema = z
  .strictObject({
    type: z.literal('synthetic').describe('generated text with modelled timing, deterministic for a seed'),
    profile: z.enum(profileNames).optional().describe(`timing profile filling every timing field not set here (default ${DEFAULT_PROFILE})`),
    tokens: z
      .number()
      .int()
      .min(1)
      .max(TOKENS_MAX, tooLarge('tokens per stream', TOKENS_MAX, 'each token in flight costs about 1.3 kB of memory; real answers are below 100,000'))
      .default(DEFAULT_TOKENS)
      .describe(`tokens in each stream (at most ${TOKENS_MAX})`),
    text: z.enum(corpusStyles).default('chat').describe('style of the generated text'),
    granularity: granularitySchema.optional().describe("upstream chunk granularity: 'char', 'token' or {tokensPerChunk: N} (default: the profile's)"),
    ttftMs: distributionSchema.optional().describe("time to the first chunk, in milliseconds (default: the profile's)"),
    gapMs: distributionSchema.optional().describe("gap between consecutive chunks, in milliseconds (default: the profile's)"),
    bursts: burstSchema.optional(),
    stalls: z.array(stallSchema).optional().describe('extra pauses at given token counts'),
  })
  .describe('a synthetic LLM token stream');

/** The synthetic source settings as a scenario may write them (defaults not yet applied). */
export type SyntheticSourceInput = z.input<typeof syntheticSourceSchema>;

/** Synthetic source settings with every field set: what the source runs with and reports. */
export interface ResolvedSyntheticSettings {
  type: 'synthetic';
  profile: ProfileName;
  tokens: number;
  text: CorpusStyle;
  granularity: Granularity;
  ttftMs: DistributionSetting;
  gapMs: DistributionSetting;
  /** null: no bursts. */
  bursts: BurstSetting | null;
  /** Empty: no stalls. */
  stalls: StallSetting[];
}

/** Validates settings and fills every unset field from the profile, then the defaults; throws a ZodError if invalid. */
export function resolveSyntheticSettings(input: SyntheticSourceInput): ResolvedSyntheticSettings {
  // Parsing again is idempotent, so callers may pass raw or already-parsed settings.
  const parsed = syntheticSourceSchema.parse(input);
  const profileName = parsed.profile ?? DEFAULT_PROFILE;
  const profile = PROFILES[profileName];
  return {
    type: 'synthetic',
    profile: profileName,
    tokens: parsed.tokens,
    text: parsed.text,
    granularity: parsed.granularity ?? profile.granularity,
    ttftMs: parsed.ttftMs ?? profile.ttftMs,
    gapMs: parsed.gapMs ?? profile.gapMs,
    bursts: parsed.bursts ?? null,
    stalls: parsed.stalls ?? [],
  };
}
