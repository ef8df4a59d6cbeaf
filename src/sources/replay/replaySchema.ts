/** Settings of the replay source as written in a scenario, and their resolution. */
import { z } from 'zod';
import { type TokenizerEncoding, tokenizerEncodingSchema } from '../bpeTokens.js';

export const replaySourceSchema = z
  .strictObject({
    type: z.literal('replay').describe('plays a recorded trace (streambench record) with its original timing, or scaled'),
    trace: z.string().min(1).describe('path of the trace file (.jsonl); a relative path resolves from the current directory, not from the scenario file'),
    speed: z.number().positive().default(1).describe('timing factor: 2 plays twice as fast (offsets halved), 0.5 half as fast; 1 is the recorded timing'),
    tokenizer: tokenizerEncodingSchema.default('o200k_base'),
  })
  .describe('a recorded trace played back as a token source');
/** Replay settings as a scenario may write them. */
export type ReplaySourceInput = z.input<typeof replaySourceSchema>;

/** Replay settings with every field set. */
export interface ResolvedReplaySettings {
  type: 'replay';
  /** As written; resolved against the current directory when read. */
  trace: string;
  speed: number;
  tokenizer: TokenizerEncoding;
}

/** Validates replay settings and fills every unset field; throws a ZodError if invalid. */
export function resolveReplaySettings(input: ReplaySourceInput): ResolvedReplaySettings {
  const parsed = replaySourceSchema.parse(input);
  return { type: 'replay', trace: parsed.trace, speed: parsed.speed, tokenizer: parsed.tokenizer };
}
