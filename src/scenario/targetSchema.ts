/**
 * A scenario variant's `target:` block: the user's own app, which streambench feeds as its
 * model upstream and reads as its browser-side client (DESIGN.md §6). Strict like every
 * scenario object; `schemas/scenario.schema.json` is generated from it.
 */
import { z } from 'zod';
import { renderSettingsSchema } from './pipelineSchema.js';
import { APP_FORMATS } from './appFormats.js';
import { BROWSER_APP_FORMATS, browserClientProblems } from './browserClientSupport.js';
import { targetUrlProblems } from './targetUrl.js';
import { parseTextPath } from '../input/textPath.js';

/** The app wire formats, as scenario and `--format` values. */
export { APP_FORMATS };

const resumeSchema = z
  .discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('none') }),
    z.strictObject({
      mode: z.literal('last-event-id'),
      afterEvents: z.number().int().min(1).describe('drop the connection after this many content events, then reconnect with Last-Event-ID'),
      urlTemplate: z.string().optional().describe('reconnect with a GET of this URL ({streamId} filled in) instead of repeating the request'),
      streamIdFrom: z
        .union([z.strictObject({ header: z.string() }), z.strictObject({ jsonPath: z.string() })])
        .optional()
        .describe('where the app tells the stream id for urlTemplate: a response header, or a dot path into the first event'),
    }),
    z.strictObject({
      mode: z.literal('url'),
      afterEvents: z.number().int().min(1).describe('drop the connection after this many content events, then reconnect to urlTemplate'),
      urlTemplate: z.string().describe('the resume URL, with {streamId} and {offset} (characters received) filled in'),
      streamIdFrom: z
        .union([z.strictObject({ header: z.string() }), z.strictObject({ jsonPath: z.string() })])
        .describe('where the app tells the stream id: a response header, or a dot path into the first event'),
    }),
  ])
  .describe('how the client resumes a dropped stream, where the app offers it (default none)');

const appSchema = z
  .strictObject({
    command: z
      .string()
      .min(1)
      .describe(
        'shell command that starts the app (run with /bin/sh -c in its own process group); it gets OPENAI_BASE_URL, ANTHROPIC_BASE_URL, STREAMBENCH_UPSTREAM_URL and PORT in its environment',
      ),
    cwd: z.string().optional().describe('working directory of the command (default: the current directory)'),
    env: z.record(z.string(), z.string()).optional().describe("extra environment variables; values may use {upstreamUrl} (the upstream's origin, no /v1), {appPort}, {redisUrl}"),
    port: z
      .union([z.literal('auto'), z.number().int().min(1).max(65535)])
      .default('auto')
      .describe('the port the app listens on, passed as PORT and filled into {appPort} in url and readyUrl; auto picks a free one'),
    readyUrl: z.string().optional().describe('GET this URL until it answers 2xx before the first stream (default: wait for the app to accept TCP connections on its port)'),
    readyTimeoutMs: z.number().int().positive().default(15000).describe('how long the app may take to become ready'),
    stopTimeoutMs: z.number().int().positive().default(3000).describe('after SIGTERM, how long the app has to exit before SIGKILL'),
    log: z
      .string()
      .optional()
      .describe(
        "file for the app's stdout and stderr (default: <run id>-<variant>-app.log beside the result file, results/ unless --out; with --no-save in the system's temporary folder)",
      ),
  })
  .describe('start the app for this variant and stop it (and everything it started) at the end');

const redisSchema = z
  .strictObject({
    url: z.string().describe('the Redis the app uses: a redis:// URL, or "auto" for the run\'s Redis (--redis); read with INFO commandstats, never written'),
    keyspaceNotifications: z
      .boolean()
      .default(false)
      .describe(
        "allow streambench to enable keyspace notifications (CONFIG SET notify-keyspace-events) on this Redis to time the app's writes; restored at the end. Off by default: nothing is changed on that Redis",
      ),
    countSent: z
      .boolean()
      .default(true)
      .describe(
        'count the commands the app sends (an EVALSHA is one) with MONITOR over the measured streams (read-only; Redis copies every command to streambench, so turn it off on a busy shared Redis); false: only what Redis executed (INFO commandstats)',
      ),
  })
  .describe("the app's Redis: its commands per token by type, from INFO commandstats deltas (exact only when nothing else uses that Redis)");

export const targetSchema = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .describe("the app's streaming endpoint, e.g. http://127.0.0.1:{appPort}/api/chat ({appPort} from app.port; {upstreamUrl} for the upstream itself, the zero check)"),
    method: z.enum(['GET', 'POST']).default('POST'),
    headers: z.record(z.string(), z.string()).optional().describe('request headers (templates like body); content-type defaults to application/json for a POST'),
    body: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .optional()
      .describe(
        'the request body: a string, or an object sent as JSON; {{prompt}} (the prompt with the marker), {{marker}} and {{streamId}} are filled in (default: an OpenAI-style messages body)',
      ),
    prompt: z.string().default('Answer briefly.').describe('the user prompt; the unique marker is appended to it'),
    format: z.enum(APP_FORMATS).describe('the wire format the app streams to its browser'),
    textPath: z.string().optional().describe('dot path to the text field for sse, ndjson and websocket (e.g. choices.0.delta.content)'),
    donePath: z.string().optional().describe('dot path to a field that marks the end of the stream (sse, ndjson, websocket)'),
    resume: resumeSchema.default({ mode: 'none' }),
    upstream: z
      .strictObject({
        port: z.number().int().min(0).max(65535).default(0).describe('the port the upstream listens on (0: a free one; the app learns it from its environment)'),
        host: z.string().default('127.0.0.1').describe('the address the upstream listens on'),
      })
      .default({ port: 0, host: '127.0.0.1' })
      .describe("streambench's model endpoint the app calls (/v1/chat/completions, /v1/messages)"),
    timeouts: z
      .strictObject({
        connectMs: z.number().int().positive().default(5000),
        firstByteMs: z.number().int().positive().default(15000),
        idleMs: z.number().int().positive().default(15000),
        upstreamMs: z
          .number()
          .int()
          .positive()
          .default(10000)
          .describe('how long after the request the app may take to call the upstream before the stream fails with "the app never called the upstream"'),
      })
      .default({ connectMs: 5000, firstByteMs: 15000, idleMs: 15000, upstreamMs: 10000 }),
    verdict: z
      .strictObject({
        delayThresholdMs: z.number().nonnegative().default(3).describe('"delays" when the added latency per token is at least this at p10 (steady, not a spike)'),
        bufferShare: z.number().min(0).max(1).default(0.8).describe('"buffers" when at least this share of the text arrives in the last 10 % of the stream'),
      })
      .default({ delayThresholdMs: 3, bufferShare: 0.8 }),
    app: appSchema.optional(),
    redis: redisSchema.optional(),
    client: z
      .enum(['node', 'browser'])
      .default('node')
      .describe(
        `who reads the app's answer: node (streambench's own readers, every format) or browser (a page in headless Chromium on the app's origin sends the request with fetch, EventSource or WebSocket and renders the markdown into the DOM; paint metrics added; formats ${BROWSER_APP_FORMATS.join(', ')}; docs/target.md#in-a-real-browser)`,
      ),
    render: renderSettingsSchema.optional().describe('client browser only: when the page renders, spelled as pipeline.client.render (default: every event)'),
  })
  .superRefine((target, context) => {
    for (const problem of [...targetUrlProblems(target), ...browserClientProblems(target), ...pathProblems(target)])
      context.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  })
  .describe("measure the user's own app: streambench serves its model upstream and reads its streamed answer (docs/target.md)");
export type TargetSettings = z.infer<typeof targetSchema>;

/** The formats that read each path (the others have their own place for the text and the end). */
const PATH_FORMATS = { textPath: ['sse', 'ndjson', 'websocket'], donePath: ['sse', 'ndjson', 'websocket'] } as const;

/** A text or done path its format would ignore, or that does not parse (an empty segment), found before anything starts. */
function pathProblems(target: { format: string; textPath?: string; donePath?: string }): { path: string[]; message: string }[] {
  return (['textPath', 'donePath'] as const).flatMap((field) => {
    const source = target[field];
    if (source === undefined || source === '') return []; // empty: no path, as the readers take it
    const formats: readonly string[] = PATH_FORMATS[field];
    if (!formats.includes(target.format)) {
      return [
        {
          path: [field],
          message: `format ${target.format} has its own place for ${field === 'textPath' ? 'the text' : 'the end'} and would ignore it: drop it, or use format ${formats.join(', ')}`,
        },
      ];
    }
    try {
      parseTextPath(source);
      return [];
    } catch (error) {
      return [{ path: [field], message: (error as Error).message }];
    }
  });
}
