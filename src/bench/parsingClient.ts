/**
 * A second yardstick for `npm run bench:streams`: the least a client can do and still parse and
 * time every token — undici requests on a pool of N connections, eventsource-parser, one
 * JSON.parse per event, a monotonic timestamp per content delta kept, a stream counted only with
 * status 200 and content. No relay, no traces, no statistics. Between
 * autocannon (parses nothing) and streambench (parses, relays, renders, verifies and summarises
 * every stream), it says how much of the gap to autocannon parsing and timing cost on this
 * machine, and how much is streambench's own pipeline and bookkeeping.
 */
import { createParser } from 'eventsource-parser';
import { Pool } from 'undici';
import { monotonicNowMs } from '../clock.js';
import type { UpstreamRequest } from '../sources/http/upstreamRequest.js';
import { type ClosedLoopOutcome, runClosedLoop } from './closedLoop.js';

/** Runs a closed loop of `connections` streams sending `request` (a chat completions request) for `durationS`. */
export async function runParsingClient(request: UpstreamRequest, connections: number, durationS: number): Promise<ClosedLoopOutcome> {
  const url = new URL(request.url);
  // Every wait bounded: a mock that stops answering fails the stream within 10 s, not undici's default 300 s.
  const pool = new Pool(url.origin, { connections, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const path = `${url.pathname}${url.search}`;
  const oneStream = async (): Promise<number> => {
    const response = await pool.request({ path, method: 'POST', headers: request.headers, body: request.body });
    // Kept as a real client keeps them: when each delta arrived.
    const deltaArrivalsMs: number[] = [];
    const parser = createParser({
      onEvent(event) {
        if (event.data === '[DONE]') return;
        const chunk = JSON.parse(event.data) as { choices?: { delta?: { content?: string } }[] };
        if (chunk.choices?.[0]?.delta?.content) deltaArrivalsMs.push(monotonicNowMs());
      },
    });
    const decoder = new TextDecoder();
    for await (const bytes of response.body) parser.feed(decoder.decode(bytes as Uint8Array, { stream: true }));
    if (response.statusCode !== 200 || deltaArrivalsMs.length === 0) throw new Error(`status ${response.statusCode}, ${deltaArrivalsMs.length} content deltas`);
    return deltaArrivalsMs.length;
  };
  try {
    return await runClosedLoop(connections, durationS, oneStream);
  } finally {
    await pool.close();
  }
}
