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
      .describe(
        'every: render on each event. debounce: trailing debounce of intervalMs (the seed). throttle: at most one render per intervalMs, leading and trailing. frame: one render per frame of intervalMs (requestAnimationFrame)',
      ),
    intervalMs: timerMsSchema.describe('debounce delay, throttle interval or frame length in ms (ignored by every)'),
  })
  .describe('When the client paints');

export const browserClientSchema = z
  .strictObject({
    request: z
      .enum(['eventsource', 'fetch'])
      .default('eventsource')
      .describe(
        'how the page asks for an SSE stream: eventsource (GET, EventSource) or fetch (POST with a JSON body, read with a streamed body reader, as the AI SDK useChat does); WebSocket deliveries use a WebSocket',
      ),
    pagesPerContext: z.number().int().min(1).max(1000).default(10).describe('open pages per browser context before another context is made'),
    contextsPerBrowser: z.number().int().min(1).max(1000).default(10).describe('browser contexts per Chromium process before another Chromium is launched'),
    blockMainThread: z
      .strictObject({
        afterEvents: z.number().int().min(1).describe('block after this many events'),
        ms: z.number().min(1).max(10_000).describe('how long the main thread stays busy'),
      })
      .nullable()
      .default(null)
      .describe('make the page keep its main thread busy once, mid-stream (a long task on purpose, as a heavy component would); null: never'),
  })
  .describe('Settings of the browser client (client.type browser)');

export const clientSettingsSchema = z
  .strictObject({
    type: z
      .enum(['field', 'lean', 'browser'])
      .describe(
        'field: about five JSON.parse per event, full rebuild and markdown lex of the whole text per render. lean: one parse, de-duplication by sequence, incremental render. browser: a page in headless Chromium receives the stream (EventSource, fetch or WebSocket) and renders the markdown into the DOM; paints are timed in the page (needs delivery sse or websocket, and Chromium)',
      ),
    render: renderSettingsSchema,
    browser: browserClientSchema.optional(),
  })
  .describe('The browser side');

export const brokerSettingsSchema = z
  .discriminatedUnion('type', [memoryBrokerSettingsSchema, redisListSettingsSchema, redisStreamSettingsSchema, redisPubsubSettingsSchema])
  .describe('Between producer and consumer');

export const processesSchema = z
  .enum(['single', 'split'])
  .describe(
    "single: the whole stream runs in one process. split: each stream's producer side (source, batcher, serializer, broker write) runs in a child process on its own Redis connections, the consumer side (broker read, relay, delivery, client) in the main process, as a worker and an API server do in the field; Redis brokers only. Unset: single, unless a load on a Redis broker plans more tokens per second than one thread is given and the machine's cores carry only one load thread (2 cores): then streambench splits by itself and the result says so",
  );

export const pipelineSchema = z
  .strictObject({
    serializer: serializerSchema,
    batch: batchSettingsSchema,
    broker: brokerSettingsSchema,
    delivery: deliverySettingsSchema,
    client: clientSettingsSchema,
    processes: processesSchema.optional(),
  })
  .superRefine((pipeline, context) => {
    if (pipeline.client.type === 'browser' && pipeline.delivery.type === 'direct') {
      context.addIssue({
        code: 'custom',
        path: ['client', 'type'],
        message: 'a browser client connects over the wire: use delivery.type sse or websocket (direct delivery has no URL for a page to open)',
      });
    }
    if (pipeline.client.type === 'browser' && pipeline.delivery.type !== 'direct' && pipeline.delivery.reconnect) {
      context.addIssue({
        code: 'custom',
        path: ['delivery', 'reconnect'],
        message: 'the browser client does not drop and reconnect on command: remove delivery.reconnect, or use client.type field or lean',
      });
    }
    if (pipeline.client.type !== 'browser' && pipeline.client.browser) {
      context.addIssue({ code: 'custom', path: ['client', 'browser'], message: 'client.browser applies to client.type browser only: remove it or set client.type: browser' });
    }
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
