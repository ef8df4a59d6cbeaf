/** The producer side of one stream as the runner sees it, wherever it runs (this process or a producer child). */
import type { BrokerCounters } from '../../pipeline/types.js';
import type { StreamTrace } from '../../probes/streamTrace.js';

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
