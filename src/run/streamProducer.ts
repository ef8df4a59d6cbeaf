/**
 * The producer side of one stream as the runner sees it, wherever it runs: in this process
 * (below), or in a producer child process (producerProcess.ts, `processes: split`). Either is
 * opened before the stream's request starts and run after, into the stream's trace.
 */
import type { BrokerCounters, BrokerStream } from '../pipeline/types.js';
import { JsonCounter } from '../probes/jsonCounter.js';
import type { StreamTrace } from '../probes/streamTrace.js';
import type { UpstreamRecord } from '../probes/upstreamRecord.js';
import { produceStream } from './produceStream.js';
import type { BuiltPipeline } from './runStream.js';

/** What the producer side did, beside the stamps it put into the trace. */
export interface ProducedStream {
  /** The end-of-stream item's sequence number (= content messages sent). */
  endSeq: number;
  /** UTF-8 bytes of every content item written. */
  payloadBytes: number;
  /** The producer's own JSON calls (the relay's and the client's are counted beside them). */
  jsonStringifyCalls: number;
  jsonParseCalls: number;
  /** The producer serializer's own counters. */
  serializer: Record<string, number>;
  /** Broker counters of the producer's own connections; null when it shares the consumer's broker stream. */
  broker: BrokerCounters | null;
  /** CPU time the producer spent in another process, in µs (0 in this process: the stream's own measurement has it). */
  cpuUs: number;
}

/** The producer side of one stream, opened and not yet run. */
export interface StreamProducer {
  /** Produces the whole stream, end item included, stamping into `trace`; resolves once the end item was acknowledged. */
  run(trace: StreamTrace): Promise<ProducedStream>;
  /** Releases what opening took, whether or not run() was called or succeeded. */
  dispose(): Promise<void>;
}

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
      const produced = await produceStream(chunks, { clock, serializer, batch: pipeline.batch, broker: brokerStream }, trace);
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
