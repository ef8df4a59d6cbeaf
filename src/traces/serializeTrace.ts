/** Writes a trace as JSON Lines (docs/traces.md). Pure. */
import type { Trace, TraceChunkLine, TraceEndLine } from './traceFormat.js';

// Microseconds are more than the clock's honest resolution for a recording; keep files short.
const roundMs = (ms: number) => Math.round(ms * 1000) / 1000;

/** The trace as JSON Lines: the header, then per stream its chunks and its end line. */
export function serializeTrace(trace: Trace): string {
  const lines: string[] = [JSON.stringify(trace.header)];
  trace.streams.forEach((stream, index) => {
    for (const chunk of stream.chunks) {
      const line: TraceChunkLine = { type: 'chunk', stream: index, offsetMs: roundMs(chunk.offsetMs), text: chunk.text };
      if (chunk.reasoning !== undefined) line.reasoning = chunk.reasoning;
      lines.push(JSON.stringify(line));
    }
    const end: TraceEndLine = { type: 'end', stream: index };
    if (stream.usage) end.usage = stream.usage;
    if (stream.firstByteMs !== null) end.firstByteMs = roundMs(stream.firstByteMs);
    if (stream.firstEventMs !== null) end.firstEventMs = roundMs(stream.firstEventMs);
    if (stream.phasesMs) {
      const round = (ms: number | null) => (ms === null ? null : roundMs(ms));
      const phases = stream.phasesMs;
      end.phasesMs = { connected: round(phases.connected), requestSent: round(phases.requestSent), responseHead: round(phases.responseHead), firstEvent: round(phases.firstEvent) };
    }
    lines.push(JSON.stringify(end));
  });
  return `${lines.join('\n')}\n`;
}
