/**
 * The trace file format (docs/traces.md): JSON Lines, one header line, then per stream its
 * chunk lines and one end line. Versioned; the zod schemas here define every line. A trace
 * never holds credentials: the header's base URL has no user info or query string and the
 * request is the body sent, which never carries the key.
 */
import { z } from 'zod';
import { TRACE_OFFSET_MAX_MS, tooLarge } from '../input/inputLimits.js';
import { httpApis } from '../sources/http/httpSchema.js';
import type { UpstreamUsage } from '../sources/types.js';

export const TRACE_FORMAT_VERSION = 1;

export const traceHeaderSchema = z.strictObject({
  type: z.literal('header'),
  version: z.literal(TRACE_FORMAT_VERSION).describe('trace format version'),
  recordedAt: z.iso.datetime({ offset: true }).describe('UTC ISO-8601 time the recording started'),
  model: z.string().describe('model name as the endpoint reported or was asked for'),
  api: z.enum(httpApis).describe('wire protocol of the recorded endpoint'),
  baseUrl: z.string().describe('endpoint base URL, without credentials or query string'),
  request: z.record(z.string(), z.unknown()).describe('the request body sent (never holds the API key)'),
  synthetic: z.boolean().describe('true when the text and timing were generated (mock server), not a real model'),
  note: z.string().optional().describe('free text: what was recorded and why'),
});
/** The first line of a trace. */
export type TraceHeader = z.infer<typeof traceHeaderSchema>;

const streamIndexSchema = z.number().int().nonnegative().describe('0-based stream (request) number');

export const traceChunkSchema = z.strictObject({
  type: z.literal('chunk'),
  stream: streamIndexSchema,
  offsetMs: z
    .number()
    .nonnegative()
    .max(TRACE_OFFSET_MAX_MS, tooLarge('ms', TRACE_OFFSET_MAX_MS, 'one day: a replay waits this long for the chunk'))
    .describe('arrival time, ms after the request was sent'),
  text: z.string().describe('content text of the chunk (empty for a reasoning-only chunk)'),
  reasoning: z.string().optional().describe('reasoning text of the chunk, kept apart from content'),
});
/** One chunk line. */
export type TraceChunkLine = z.infer<typeof traceChunkSchema>;

const usageSchema = z.strictObject({
  promptTokens: z.number().int().nonnegative().nullable(),
  completionTokens: z.number().int().nonnegative().nullable(),
  reasoningTokens: z.number().int().nonnegative().nullable(),
});

export const traceEndSchema = z.strictObject({
  type: z.literal('end'),
  stream: streamIndexSchema,
  usage: usageSchema.optional().describe("the server's token usage, when it sent one"),
  firstByteMs: z.number().nonnegative().optional().describe('response head, ms after the request was sent'),
  firstEventMs: z.number().nonnegative().optional().describe('first server-sent event, ms after the request was sent'),
  phasesMs: z
    .strictObject({
      connected: z.number().nonnegative().nullable().describe('a new connection was ready (null: a kept-alive connection was reused)'),
      requestSent: z.number().nonnegative().nullable().describe('the request, body included, was written'),
      responseHead: z.number().nonnegative().nullable().describe('the response head arrived'),
      firstEvent: z.number().nonnegative().nullable().describe('the first server-sent event was parsed'),
    })
    .optional()
    .describe('when each phase of the request ended, ms after the request started: TTFT split into connect, send, server time to the head, and to the first event'),
});
/** The line that closes a stream. */
export type TraceEndLine = z.infer<typeof traceEndSchema>;

export const traceLineSchema = z.discriminatedUnion('type', [traceHeaderSchema, traceChunkSchema, traceEndSchema]);

/** One recorded chunk. */
export interface TraceChunk {
  offsetMs: number;
  text: string;
  reasoning?: string;
}

/** One recorded stream. */
export interface TraceStream {
  chunks: TraceChunk[];
  usage: UpstreamUsage | null;
  firstByteMs: number | null;
  firstEventMs: number | null;
  /** When each request phase ended (recorded traces; absent in older ones). */
  phasesMs?: TracePhases;
}

/** The phases of one recorded request, ms after its start. */
export type TracePhases = NonNullable<TraceEndLine['phasesMs']>;

/** A whole trace. */
export interface Trace {
  header: TraceHeader;
  streams: TraceStream[];
}
