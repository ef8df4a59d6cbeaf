import { describe, expect, it } from 'vitest';
import { StreamTrace } from '../src/probes/streamTrace.js';
import { ConfigMeasurements } from '../src/stats/configMeasurements.js';
import { checkDelivery } from '../src/stats/deliveryCheck.js';
import { type StreamCounts, summarizeStream } from '../src/stats/streamSummary.js';
import { createRandom } from '../src/sources/random.js';

/** A stream of `chunks` one-token chunks, a message per chunk, every stage stamped, received and rendered. */
function traceOf(chunks: number, random: () => number): StreamTrace {
  const trace = new StreamTrace(0);
  let atMs = 100;
  for (let seq = 0; seq < chunks; seq++) {
    atMs += 20 * random();
    trace.emit({ text: `w${seq} `, tokens: 1 + (seq % 2) }, atMs);
    trace.assign(seq, seq, 1);
    let stampMs = atMs;
    for (const stage of ['batched', 'processed', 'brokerWrite', 'brokerRead', 'clientReceive'] as const) trace.stamp(stage, seq, (stampMs += 3 * random()));
    trace.receive(seq, stampMs, false, true);
    trace.render(stampMs + random(), random() < 0.5 ? null : random(), [seq]);
  }
  trace.receive(chunks, atMs + 5, true, false);
  trace.endSeq = chunks;
  return trace;
}

const countsOf = (trace: StreamTrace): StreamCounts => ({
  delivery: { events: 0, bytes: 0, firstByteAtMs: null, firstEventAtMs: null },
  jsonStringifyCalls: 0,
  jsonParseCalls: 0,
  cpuUs: null,
  broker: {},
  serializer: {},
  check: checkDelivery(trace, trace.sentText()),
});

describe('SamplesPool', () => {
  it('gives a config the same measurements as summaries with samples of their own (long streams, then shorter ones in reused columns)', () => {
    const random = createRandom(3);
    const traces = [300, 20, 150, 1, 0, 90].map((chunks) => traceOf(chunks, () => random.next()));
    const pooled = new ConfigMeasurements();
    const unpooled = new ConfigMeasurements();
    for (const trace of traces) {
      pooled.addStream(trace, countsOf(trace));
      unpooled.addSummary(summarizeStream(trace, countsOf(trace)));
    }
    expect(pooled.toSnapshot()).toEqual(unpooled.toSnapshot());
    expect(pooled.iterations).toEqual(unpooled.iterations);
  });
});
