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

/** What the parsing client measured. */
export interface ParsingClientOutcome {
  /** Completed streams per second over the run. */
  perSecond: number;
  /** This process's CPU over the run, in cores. */
  cpuCores: number;
  /** How long the run took, in seconds. */
  seconds: number;
  /** Streams that failed (status, transport, or no content). */
  failures: number;
  /** Content deltas per completed stream (each one timed). */
  deltasPerStream: number;
}

/** Runs a closed loop of `connections` streams against `origin`'s chat completions for `durationS`. */
export async function runParsingClient(origin: string, connections: number, durationS: number): Promise<ParsingClientOutcome> {
  // Every wait bounded: a mock that stops answering fails the stream within 10 s, not undici's default 300 s.
  const pool = new Pool(origin, { connections, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const body = JSON.stringify({ model: 'mock', stream: true, messages: [{ role: 'user', content: 'Say something.' }] });
  let completed = 0;
  let failures = 0;
  let deltas = 0;
  const startedMs = monotonicNowMs();
  const endMs = startedMs + durationS * 1000;
  const cpuAtStart = process.cpuUsage();

  const oneStream = async (): Promise<void> => {
    const response = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
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
    deltas += deltaArrivalsMs.length;
  };
  const loop = async (): Promise<void> => {
    while (monotonicNowMs() < endMs) {
      try {
        await oneStream();
        completed++;
      } catch {
        failures++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, loop));
  } finally {
    await pool.close();
  }
  const seconds = (monotonicNowMs() - startedMs) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  return { perSecond: completed / seconds, cpuCores: (cpu.user + cpu.system) / 1e6 / seconds, seconds, failures, deltasPerStream: completed > 0 ? deltas / completed : 0 };
}
