/**
 * The `target` block of a config's result (target mode): what the user's app did to the
 * stream, beside the config's usual metrics (where upstream write is the `emit` stage and the
 * client's receive is `clientReceive`, so token latency is the latency the app adds).
 */
import { z } from 'zod';

/** The block's schema, given the result's Summary schema (a factory: resultSchema.ts includes it, so it cannot import it back). */
export const targetResultSchemaWith = <S extends z.ZodType>(summarySchema: S) =>
  z.strictObject({
    url: z.string().describe("the app's endpoint the client called"),
    format: z.string().describe('the wire format the client read'),
    upstreamUrl: z.string().describe("streambench's upstream the app was pointed at (base URL with /v1)"),
    app: z
      .strictObject({
        command: z.string(),
        log: z.string().describe("the app's stdout and stderr"),
        exited: z.string().nullable().describe('how the app ended while streams ran (null: it ran until streambench stopped it)'),
      })
      .nullable()
      .describe('the app process streambench started (null when the app was already running)'),
    matching: z
      .strictObject({
        byMarker: z.number().int().describe("streams whose upstream request carried the client's marker"),
        byArrivalOrder: z.number().int().describe('streams matched by arrival order because the app dropped the marker (exact only for one stream at a time)'),
        unmatchedUpstreamRequests: z.number().int().describe('upstream requests tied to no client stream (answered 400)'),
        note: z.string().optional(),
      })
      .describe('how upstream requests were tied to client streams'),
    verdict: z
      .strictObject({
        kind: z.enum(['buffers', 'delays', 'streams-through', 'undecided']),
        evidence: z.array(z.string()),
        delayThresholdMs: z.number(),
        bufferShare: z.number(),
      })
      .describe('what the app does to the stream, with the evidence'),
    ttftAddedMs: summarySchema.nullable().describe('client TTFT − upstream TTFT (first content written), per stream: what the app adds before the first token'),
    appUpstreamRequestMs: summarySchema.nullable().describe("client request start → the app's upstream request arrived, per stream (auth, database, prompt building)"),
    lastTenthTextShare: z
      .strictObject({ median: z.number(), max: z.number() })
      .nullable()
      .describe("share of the text that reached the client in the last 10 % of the stream (upstream's first content write → client's last content), over streams"),
    upstreamChunksPerClientEvent: z.number().nullable().describe('upstream content chunks ÷ client content events (> 1: the app merges chunks; < 1: it splits them)'),
    framingOverheadShare: z.number().nullable().describe('(client wire bytes − content text bytes) ÷ client wire bytes'),
    integrity: z
      .strictObject({
        streams: z.number().int(),
        exactStreams: z.number().int().describe("streams whose client text equals the upstream's exactly"),
        missingChars: z.number().int(),
        duplicatedChars: z.number().int(),
        reorderedEvents: z.number().int(),
        foreignChars: z.number().int().describe('characters the client got that the upstream never sent'),
        streamsWithoutEndMarker: z.number().int().describe("streams that closed without the format's end marker"),
      })
      .describe('the client text against what the upstream sent (an app that loses text makes the config errored)'),
    redis: z
      .strictObject({
        url: z.string().describe('redacted'),
        exactness: z.string(),
        commandsSentPerToken: z
          .number()
          .nullable()
          .describe(
            "commands the app SENT to Redis per token (MONITOR; an EVAL or EVALSHA is one, whatever its script runs): the project's definition of Redis commands, one round trip each unless pipelined; null when not counted (sentNote says why)",
          ),
        commandsSentByType: z.record(z.string(), z.number()).nullable().describe('commands sent per token, by command'),
        sentNote: z.string().optional().describe('why the commands sent were not counted (MONITOR refused, redis.countSent: false)'),
        commandsExecutedPerToken: z
          .number()
          .describe("commands Redis EXECUTED for the app per token (INFO commandstats): a script's own commands (redis.call) counted under their names too"),
        commandsExecutedByType: z.record(z.string(), z.number()).describe('INFO commandstats calls per token, by command'),
        scriptCallsPerToken: z.number().describe('EVAL, EVALSHA and FCALL calls per token (each one round trip; the commands they run are in commandsExecutedByType too)'),
        writeLatencyMs: summarySchema
          .nullable()
          .optional()
          .describe("keyspace notifications (only with redis.keyspaceNotifications): the app's Redis write − upstream write of the same stream's latest chunk, per notification"),
      })
      .optional()
      .describe("the app's Redis, observed from outside: INFO commandstats deltas (executed) and MONITOR (sent) over the measured streams"),
    merged: z
      .strictObject({
        shards: z.number().int(),
        notes: z.array(z.string()).describe('what the merge could not make exact, and what it took from the first shard'),
      })
      .optional()
      .describe("`streambench merge`: the block was rebuilt from every shard's streams (sums added, distributions merged, the verdict decided again from the merged evidence)"),
    snapshot: z
      .strictObject({
        streams: z.array(
          z.strictObject({
            matchedBy: z.enum(['marker', 'arrival-order']),
            lastTenthTextShare: z.number().nullable(),
            upstreamSpanMs: z.number(),
            upstreamChunks: z.number().int(),
            clientContentEvents: z.number().int(),
            contentBytes: z.number().int(),
            wireBytes: z.number().int(),
            exact: z.boolean(),
            missingChars: z.number().int(),
            duplicatedChars: z.number().int(),
            reorderedEvents: z.number().int(),
            foreignChars: z.number().int(),
            endMarkerSeen: z.boolean(),
          }),
        ),
        tokens: z.number().int(),
        ttftAddedMs: z.string().nullable(),
        appUpstreamRequestMs: z.string().nullable(),
        unmatchedUpstreamRequests: z.number().int(),
        redis: z
          .strictObject({
            url: z.string(),
            executed: z.record(z.string(), z.number()),
            sent: z.record(z.string(), z.number()).nullable(),
            sentNote: z.string().optional(),
            writeLatencyMs: z.string().nullable().optional(),
          })
          .optional(),
      })
      .optional()
      .describe('shard runs only: the exact state (per-stream figures, encoded HdrHistograms, raw Redis counts) that `streambench merge` combines'),
  });
