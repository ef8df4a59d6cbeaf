/**
 * How events travel from the relay (API server) to the client: the scenario's `delivery`
 * block. The defaults are the field's: bare `data:` frames, no ids, no heartbeat, no
 * compression, no reconnect.
 */
import { z } from 'zod';
import { MAX_TIMER_MS } from '../../clockLimits.js';

export const reconnectSettingsSchema = z
  .strictObject({
    afterEvents: z.number().int().positive().describe('the client drops its connection once, after receiving this many events, and reconnects at once'),
    resume: z
      .boolean()
      .default(false)
      .describe('the client asks to resume after what it saw (SSE: Last-Event-ID, needs ids; WebSocket: a resume offset); false replays from the start, as the field does'),
  })
  .describe('Drop and reconnect mid-stream; the relay keeps each stream’s sent events so it can replay them');
export type ReconnectSettings = z.infer<typeof reconnectSettingsSchema>;

export const directDeliverySettingsSchema = z
  .strictObject({
    type: z.literal('direct').describe('in-process hand-off: no wire, the zero-cost reference'),
  })
  .describe('The relay calls the client directly');

export const sseDeliverySettingsSchema = z
  .strictObject({
    type: z.literal('sse').describe('Server-Sent Events over a real node:http server on loopback'),
    ids: z.boolean().default(false).describe('write `id: <seq>` on every event (false: the field’s bare data lines)'),
    eventName: z
      .string()
      .regex(/^[^\r\n]+$/, 'an event name is one line')
      .nullable()
      .default(null)
      .describe('write `event: <name>` on every event (null: no event line, the client sees "message")'),
    heartbeatMs: z
      .number()
      .min(1)
      .max(MAX_TIMER_MS)
      .nullable()
      .default(null)
      .describe('write a `: ping` comment at this interval while a client is connected (null: none, as in the field)'),
    compression: z
      .union([z.literal(false), z.literal('gzip')])
      .default(false)
      .describe('gzip the response, flushed after every frame (false: identity, as relays serve SSE)'),
    reconnect: reconnectSettingsSchema.optional(),
  })
  .describe('An HTTP server streaming text/event-stream, read with undici and parsed with eventsource-parser');
export type SseDeliverySettings = z.infer<typeof sseDeliverySettingsSchema>;

export const websocketDeliverySettingsSchema = z
  .strictObject({
    type: z.literal('websocket').describe('a `ws` server and client on loopback, one text message per event'),
    perMessageDeflate: z.boolean().default(false).describe('negotiate permessage-deflate and compress every message (no size threshold)'),
    reconnect: reconnectSettingsSchema.optional(),
  })
  .describe('WebSocket carrying the same event data as SSE');
export type WebSocketDeliverySettings = z.infer<typeof websocketDeliverySettingsSchema>;

export const deliverySettingsSchema = z
  .discriminatedUnion('type', [directDeliverySettingsSchema, sseDeliverySettingsSchema, websocketDeliverySettingsSchema])
  .describe('How events travel from the relay to the client');
export type DeliverySettings = z.infer<typeof deliverySettingsSchema>;
