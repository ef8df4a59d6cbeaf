/**
 * The producer side of one stream run in this process (the other place it can run is a producer
 * child process: producerProcess.ts, `processes: split`). Opened before the stream's request
 * starts and run after, into the stream's trace.
 */
import type { BrokerStream } from '../../pipeline/types.js';
import { JsonCounter } from '../../probes/jsonCounter.js';
import type { UpstreamRecord } from '../../probes/upstreamRecord.js';
import { runProducerStages } from './producerStages.js';
import type { BuiltPipeline } from '../types.js';
import type { StreamProducer } from './types.js';

/** Opens the producer side of a stream in this process, writing to `brokerStream` (the consumer reads the same one). */
export function openLocalProducer(
  pipeline: Pick<BuiltPipeline, 'clock' | 'source' | 'serializer' | 'batch'>,
  brokerStream: BrokerStream,
  streamIndex: number,
  upstream: UpstreamRecord,
  signal?: AbortSignal,
): StreamProducer {
  const { clock } = pipeline;
  // Producer, relay and client are different processes in the field: the producer counts its own JSON.
  const json = new JsonCounter();
  const serializer = pipeline.serializer.open(json);
  // Open the source now, before the request starts: a synthetic source plans its whole stream
  // on open, and that planning is not part of the request's time to first token.
  // A real endpoint reports first byte, first event, usage and malformed lines to `upstream`.
  const chunks = pipeline.source.open({ clock, streamIndex, signal, observer: upstream });
  return {
    async run(trace) {
      const produced = await runProducerStages(chunks, { clock, serializer, batch: pipeline.batch, broker: brokerStream }, trace);
      return {
        ...produced,
        jsonStringifyCalls: json.stringifyCalls,
        jsonParseCalls: json.parseCalls,
        serializer: serializer.counters?.() ?? {},
        broker: null,
        cpuUs: 0,
      };
    },
    async dispose() {},
  };
}
