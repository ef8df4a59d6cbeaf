/**
 * Settings of the mock LLM server: what it streams (the synthetic source's text and timing
 * settings), its seed, optional reasoning, and the faults it injects. Shared by
 * `streambench mock-server` and the `mockServer:` field of an http source.
 */
import { z } from 'zod';
import { type ResolvedSyntheticSettings, resolveSyntheticSettings, syntheticSourceSchema } from '../sources/syntheticSchema.js';

export const failStatuses = [429, 500] as const;

export const mockFaultsSchema = z
  .strictObject({
    failRate: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('share of requests answered with `failStatus` instead of a stream (0–1, default 0); which ones is fixed by the seed and the request counter'),
    failStatus: z
      .union([z.literal(429), z.literal(500)])
      .optional()
      .describe("status of the failed requests: 429 (rate limited) or 500 (server error), with the provider's JSON error body (default 429)"),
    stallMs: z.number().positive().optional().describe('a pause of this many ms mid-stream, after `stallAfterChunks` chunks'),
    stallAfterChunks: z.number().int().nonnegative().optional().describe('chunks sent before the stall (default 1)'),
    dropAfterChunks: z.number().int().nonnegative().optional().describe('close the connection abruptly after this many chunks (no end of stream)'),
    malformedEvery: z.number().int().min(1).optional().describe('after every N-th chunk, send an extra event whose JSON is cut short (clients should count it and go on)'),
  })
  .describe('faults the mock server injects, for testing error handling');
/** Fault settings as written. */
export type MockFaultsInput = z.input<typeof mockFaultsSchema>;

export const mockServerSettingsSchema = syntheticSourceSchema
  .omit({ type: true })
  .extend({
    seed: z.number().int().nonnegative().optional().describe("seed of the streams' text and timing (default: the scenario's seed)"),
    reasoningTokens: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('tokens of reasoning streamed before the answer, as reasoning_content (OpenAI-compatible) or thinking deltas (Anthropic) (default 0)'),
    faults: mockFaultsSchema.optional(),
  })
  .describe('the in-process mock server: synthetic text and timing (same fields as the synthetic source) served over real HTTP');
/** Mock server settings as written. */
export type MockServerSettingsInput = z.input<typeof mockServerSettingsSchema>;

/** Faults with every field set; null disables a fault. */
export interface ResolvedMockFaults {
  failRate: number;
  failStatus: (typeof failStatuses)[number];
  stall: { afterChunks: number; ms: number } | null;
  dropAfterChunks: number | null;
  malformedEvery: number | null;
}

/** Mock server settings with every field set. */
export interface ResolvedMockSettings {
  /** Text and timing of the streams, as for the synthetic source. */
  stream: ResolvedSyntheticSettings;
  /** null: the seed of whoever starts the server (the scenario's). */
  seed: number | null;
  reasoningTokens: number;
  faults: ResolvedMockFaults;
}

/** Fills every unset fault field; no faults by default. */
export function resolveMockFaults(input: MockFaultsInput | undefined): ResolvedMockFaults {
  const faults = mockFaultsSchema.parse(input ?? {});
  return {
    failRate: faults.failRate ?? 0,
    failStatus: faults.failStatus ?? 429,
    stall: faults.stallMs !== undefined ? { afterChunks: faults.stallAfterChunks ?? 1, ms: faults.stallMs } : null,
    dropAfterChunks: faults.dropAfterChunks ?? null,
    malformedEvery: faults.malformedEvery ?? null,
  };
}

/** Validates mock server settings and fills every unset field; throws a ZodError if invalid. */
export function resolveMockSettings(input: MockServerSettingsInput): ResolvedMockSettings {
  const parsed = mockServerSettingsSchema.parse(input);
  const { seed, reasoningTokens, faults, ...stream } = parsed;
  return {
    stream: resolveSyntheticSettings({ type: 'synthetic', ...stream }),
    seed: seed ?? null,
    reasoningTokens: reasoningTokens ?? 0,
    faults: resolveMockFaults(faults),
  };
}
