import { z } from 'zod';
import { timerMsSchema } from '../../clockLimits.js';

/** Micro-batching between the model and the producer (the seed's proposal 1). */
export const batchSettingsSchema = z
  .strictObject({
    mode: z
      .enum(['none', 'seed', 'timer'])
      .describe(
        "none: one message per chunk. seed: the seed's batcher as written (size or timeout, the timeout checked only when a chunk arrives). timer: size or timeout with a real timer flush",
      ),
    size: z.number().int().min(1).describe('flush when this many chunks are held'),
    timeoutMs: timerMsSchema.describe('flush when the oldest held chunk (timer) or the last send (seed) is this old, in ms'),
    merge: z
      .boolean()
      .describe(
        "true: a batch becomes one message with the chunks' text joined (the seed's merge_chunks). false: each chunk stays its own message and the batch is written in one broker write with one signal",
      ),
    firstImmediate: z.boolean().describe('timer mode: send the first non-empty chunk at once, so batching never delays the first token'),
  })
  .describe('Micro-batching of chunks before they become messages');
export type BatchSettings = z.infer<typeof batchSettingsSchema>;
