/**
 * Settings of the Redis brokers, as a scenario selects them. Each strategy the field uses or
 * the seed proposes is one value here, so a scenario can put them side by side.
 */
import { z } from 'zod';

const ttlSecondsSchema = z.number().int().positive().default(300).describe('TTL set on every key with its first write, so a crashed run leaves nothing behind for long');

const commandTimeoutMsSchema = z
  .number()
  .int()
  .positive()
  .max(600_000)
  .optional()
  .describe(
    'how long any Redis command may go unanswered, in ms (default 5000; XREAD BLOCK gets blockMs more): ' +
      'a paused or partitioned Redis fails the stream with the role, command and URL instead of hanging the run',
  );

const connectionsSchema = z
  .enum(['per-stream', 'shared'])
  .default('per-stream')
  .describe(
    'per-stream: every stream opens its own producer, consumer and subscriber connections (bytes read off its sockets); ' +
      'shared: all streams of a config share one producer and one consumer connection (one socket write per event-loop turn) and one subscriber ' +
      '(a relay with a pool; needed for about 1,000 concurrent streams in one process; bytes computed from the RESP encoding)',
  );

/** `redis-list`: RPUSH + PUBLISH "new" per write, the field's data path (DESIGN.md §2 steps 3–6). */
export const redisListSettingsSchema = z.strictObject({
  type: z.literal('redis-list').describe('a Redis list of items plus a pub/sub signal per write'),
  write: z
    .enum(['fire-and-forget', 'awaited', 'pipelined', 'eval'])
    .default('fire-and-forget')
    .describe(
      'fire-and-forget: RPUSH and PUBLISH sent without waiting, the producer does not await (the field); ' +
        'awaited: each command awaited in turn; pipelined: RPUSH + PUBLISH in one pipeline, awaited; ' +
        'eval: one EVAL/EVALSHA Lua script doing RPUSH + PUBLISH',
    ),
  read: z
    .enum(['full', 'from-index', 'window', 'window-catchup'])
    .default('from-index')
    .describe(
      'full: LRANGE 0 -1 on every signal, emit only the new items (quadratic); ' +
        'from-index: LRANGE last+1 -1 (the field baseline); ' +
        'window: one LRANGE last+1 last+window per signal (the seed snippet as written; falls behind under bursts); ' +
        'window-catchup: bounded LRANGEs until a short read',
    ),
  window: z.number().int().positive().default(10).describe('items per bounded LRANGE (window and window-catchup)'),
  ttlSeconds: ttlSecondsSchema,
  connections: connectionsSchema,
  commandTimeoutMs: commandTimeoutMsSchema,
});
export type RedisListSettings = z.infer<typeof redisListSettingsSchema>;

/** `redis-stream`: XADD, catch-up with XRANGE, then XREAD BLOCK from the last id (the field's later design). */
export const redisStreamSettingsSchema = z.strictObject({
  type: z.literal('redis-stream').describe('a Redis stream: XADD per item, XRANGE catch-up, then XREAD BLOCK'),
  maxLen: z.number().int().positive().optional().describe('XADD MAXLEN ~ maxLen: approximate trimming; a late reader may then miss trimmed items'),
  blockMs: z.number().int().positive().default(1000).describe('XREAD BLOCK timeout in ms; never 0, which blocks forever'),
  count: z.number().int().positive().default(100).describe('COUNT of each XRANGE page and XREAD'),
  ttlSeconds: ttlSecondsSchema,
  commandTimeoutMs: commandTimeoutMsSchema,
});
export type RedisStreamSettings = z.infer<typeof redisStreamSettingsSchema>;

/** `redis-pubsub`: the payload travels in PUBLISH and nothing is stored. */
export const redisPubsubSettingsSchema = z.strictObject({
  type: z.literal('redis-pubsub').describe('payload in PUBLISH, nothing stored: a reader that subscribes late loses what was sent before'),
  connections: connectionsSchema,
  commandTimeoutMs: commandTimeoutMsSchema,
});

/** Any Redis broker's settings, keyed on `type`. */
export const redisBrokerSettingsSchema = z.discriminatedUnion('type', [redisListSettingsSchema, redisStreamSettingsSchema, redisPubsubSettingsSchema]);
export type RedisBrokerSettings = z.infer<typeof redisBrokerSettingsSchema>;
