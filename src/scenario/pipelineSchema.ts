/**
 * The settings of one relay pipeline, stage by stage. Each stage owns its schema; this file
 * puts them together. A resolved pipeline has every field set (presets and defaults fill
 * what a scenario leaves out).
 */
import { z } from 'zod';
import { timerMsSchema } from '../clockLimits.js';
import { batchSettingsSchema } from '../pipeline/batchers/settings.js';
import { memoryBrokerSettingsSchema } from '../pipeline/brokers/memorySettings.js';
import { redisListSettingsSchema, redisPubsubSettingsSchema, redisStreamSettingsSchema } from '../pipeline/brokers/redis/settings.js';
import { deliverySettingsSchema } from '../pipeline/delivery/settings.js';
import { SERIALIZER_NAMES } from '../pipeline/serializers/index.js';

export const serializerSchema = z
  .enum(SERIALIZER_NAMES)
  .describe(
    "field-baseline: the field's JSON-in-JSON messages (DESIGN.md §2). seed-cache: the same behind the seed's identity-keyed JSON cache. seed-cache-mutated: the cache with a producer that reuses one message object (stale JSON). single-pass: serialize once, pass the string through. raw-text: no JSON, text behind its sequence number",
  );

export const renderSettingsSchema = z
  .strictObject({
    strategy: z
      .enum(['every', 'debounce', 'throttle', 'frame'])
      .describe('every: render on each event. debounce: trailing debounce of intervalMs (the seed). throttle: at most one render per intervalMs, leading and trailing. frame: one render per frame of intervalMs (requestAnimationFrame)'),
    intervalMs: timerMsSchema.describe('debounce delay, throttle interval or frame length in ms (ignored by every)'),
  })
  .describe('When the client paints');

export const clientSettingsSchema = z
  .strictObject({
    type: z
      .enum(['field', 'lean'])
      .describe('field: about five JSON.parse per event, full rebuild and markdown lex of the whole text per render. lean: one parse, de-duplication by sequence, incremental render'),
    render: renderSettingsSchema,
  })
  .describe('The browser side');

export const brokerSettingsSchema = z
  .discriminatedUnion('type', [memoryBrokerSettingsSchema, redisListSettingsSchema, redisStreamSettingsSchema, redisPubsubSettingsSchema])
  .describe('Between producer and consumer');

export const processesSchema = z
  .enum(['single', 'split'])
  .describe(
    "single: the whole stream runs in one process. split: each stream's producer side (source, batcher, serializer, broker write) runs in a child process on its own Redis connections, the consumer side (broker read, relay, delivery, client) in the main process, as a worker and an API server do in the field; Redis brokers only",
  );

export const pipelineSchema = z
  .strictObject({
    serializer: serializerSchema,
    batch: batchSettingsSchema,
    broker: brokerSettingsSchema,
    delivery: deliverySettingsSchema,
    client: clientSettingsSchema,
    processes: processesSchema,
  })
  .superRefine((pipeline, context) => {
    // The memory broker is a list inside one process: a producer in another process cannot reach it.
    if (pipeline.processes === 'split' && pipeline.broker.type === 'memory') {
      context.addIssue({
        code: 'custom',
        path: ['processes'],
        message:
          'split runs the producer in a child process, which the in-process memory broker cannot reach: use a Redis broker (broker.type redis-list, redis-stream or redis-pubsub) or processes: single',
      });
    }
  });
export type PipelineSettings = z.infer<typeof pipelineSchema>;
