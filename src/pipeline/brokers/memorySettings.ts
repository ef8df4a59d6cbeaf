import { z } from 'zod';

/** How a list reader reads on each signal (the same strategies as the Redis list broker). */
export const listReadStrategySchema = z
  .enum(['full', 'from-index', 'window', 'window-catchup'])
  .describe(
    "full: re-read the whole list on every signal (quadratic). from-index: read from the last position to the end (the field baseline). window: one bounded read of `window` items per signal (the seed's snippet as written; falls behind under bursts). window-catchup: bounded reads until a short read",
  );
export type ListReadStrategy = z.infer<typeof listReadStrategySchema>;

/** The in-process broker: a list in memory with a signal per write, no network. */
export const memoryBrokerSettingsSchema = z
  .strictObject({
    type: z.literal('memory'),
    read: listReadStrategySchema.default('from-index'),
    window: z.number().int().min(1).default(10).describe('items per bounded read (window, window-catchup)'),
  })
  .describe('In-process broker: the reference with no network cost');
export type MemoryBrokerSettings = z.infer<typeof memoryBrokerSettingsSchema>;
