/**
 * A third side for `npm run bench:streams`: streambench's own http source with nothing after
 * it — the request, SSE parsing, event decoding, token counting and a timestamp per chunk, as
 * a run's `emit` stage gets them, but no relay, no client, no trace and no statistics. Between
 * the parsing client (the least a client can do) and a whole `streambench run`, it says how
 * much of streambench's cost per stream is its source and how much the rest of the pipeline.
 */
import { systemClock } from '../clock.js';
import { UpstreamRecord } from '../probes/upstreamRecord.js';
import { createSource, resolveSourceSettings, type SourceInput } from '../sources/sourceSettings.js';
import { isPushable, type SourceChunk } from '../sources/types.js';
import { type ClosedLoopOutcome, runClosedLoop } from './closedLoop.js';

/** Runs a closed loop of `connections` streams of the http source `sourceInput` (bench:streams' scenario's source, with its deadlines) for `durationS`. */
export async function runHttpSourceAlone(sourceInput: SourceInput, connections: number, durationS: number): Promise<ClosedLoopOutcome> {
  const source = await createSource(resolveSourceSettings(sourceInput), 1);
  const clock = systemClock;
  let streamIndex = 0;
  const oneStream = async (): Promise<number> => {
    const chunks = source.open({ clock, streamIndex: streamIndex++, observer: new UpstreamRecord() });
    // Kept as the trace keeps them: when each chunk was handed over.
    const emitsMs: number[] = [];
    const onChunk = (chunk: SourceChunk): void => {
      if (chunk.text.length > 0) emitsMs.push(clock.nowMs());
    };
    if (isPushable(chunks)) await chunks.pushTo(onChunk);
    else for await (const chunk of chunks) onChunk(chunk);
    if (emitsMs.length === 0) throw new Error('no content');
    return emitsMs.length;
  };
  try {
    return await runClosedLoop(connections, durationS, oneStream);
  } finally {
    await source.close?.();
  }
}
