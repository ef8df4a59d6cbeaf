/**
 * Drives one stream through a pipeline: source → batcher → producer (serializer) → broker →
 * relay → delivery → client, stamping every message at every stage boundary on one clock.
 */
import type { Clock } from '../clock.js';
import type { BatchSettings } from '../pipeline/batchers/settings.js';
import { createBatcher } from '../pipeline/batchers/createBatcher.js';
import { createClient } from '../pipeline/client/createClient.js';
import type { ClientSettings } from '../pipeline/client/types.js';
import type { Broker, Delivery, Serializer } from '../pipeline/types.js';
import { JsonCounter } from '../probes/jsonCounter.js';
import { StreamTrace } from '../probes/streamTrace.js';
import { UpstreamRecord } from '../probes/upstreamRecord.js';
import type { SourceChunk, TokenSource } from '../sources/types.js';
import type { StreamCounts } from '../stats/configMeasurements.js';
import { checkDelivery } from '../stats/deliveryCheck.js';

/** The built stages of one config. */
export interface BuiltPipeline {
  clock: Clock;
  source: TokenSource;
  serializer: Serializer;
  batch: BatchSettings;
  broker: Broker;
  delivery: Delivery;
  client: ClientSettings;
  /** How long the consumer may take to finish after the producer ended, in ms. */
  drainTimeoutMs: number;
}

/** One stream's trace and counts. */
export interface StreamRun {
  trace: StreamTrace;
  counts: StreamCounts;
}

interface IndexedChunk {
  index: number;
  chunk: SourceChunk;
}

/** Runs one stream to its end and returns what was measured. */
export async function runStream(pipeline: BuiltPipeline, streamIndex: number, streamId: string, signal?: AbortSignal): Promise<StreamRun> {
  const { clock } = pipeline;
  const json = new JsonCounter();
  // Producer, relay and client are different processes in the field: each opens its own side.
  const producer = pipeline.serializer.open(json);
  const relay = pipeline.serializer.open(json);
  const decoder = pipeline.serializer.open(json);
  const brokerStream = await pipeline.broker.openStream(streamId);
  // Open the source first: a synthetic source plans its whole stream on open, and that
  // planning is not part of the request's time to first token.
  // A real endpoint reports first byte, first event, usage and malformed lines here.
  const upstream = new UpstreamRecord();
  const chunks = pipeline.source.open({ clock, streamIndex, signal, observer: upstream });
  const cpuAtStart = process.cpuUsage();
  const trace = new StreamTrace(clock.nowMs(), upstream);

  try {
    const client = createClient(pipeline.client, {
      clock,
      decoder,
      json,
      observer: {
        received(event, atMs) {
          trace.received.push({ seq: event.seq, atMs, end: event.end, hasContent: event.text.length > 0 });
          if (!event.end) trace.stamp('clientReceive', event.seq, atMs);
        },
        rendered(seqs, atMs, renderMs) {
          trace.renders.push({ atMs, renderMs, seqs });
          for (const seq of seqs) trace.stamp('render', seq, atMs);
        },
      },
    });
    const channel = await pipeline.delivery.open(streamId, (data) => client.onEvent(data));
    const consumerDone = brokerStream.read((items) => {
      const atMs = clock.nowMs();
      for (const item of items) trace.stamp('brokerRead', item.position, atMs);
      for (const item of items) channel.send(relay.relay(item.payload), item.position);
    });
    // A reader that fails before the producer is done must not leave an unhandled rejection.
    consumerDone.catch(() => {});

    // Producer side. A producer that awaits writes issues each one after the previous was
    // acknowledged; a fire-and-forget producer issues at once (one connection keeps order).
    let nextSeq = 0;
    let writeChain: Promise<void> = Promise.resolve();
    const acknowledged: Promise<void>[] = [];
    let writeError: unknown;
    let payloadBytes = 0;
    const sendMessages = (seqs: number[], payloads: string[]) => {
      for (const payload of payloads) payloadBytes += Buffer.byteLength(payload);
      const write = brokerStream.awaitWrites
        ? (writeChain = writeChain.then(() => brokerStream.write(payloads)))
        : brokerStream.write(payloads);
      acknowledged.push(
        write.then(
          () => {
            const atMs = clock.nowMs();
            for (const seq of seqs) trace.stamp('brokerWrite', seq, atMs);
          },
          (error) => {
            writeError ??= error;
          },
        ),
      );
    };
    // One message per batch (merged), or one per chunk written together.
    const encodeMessage = (chunks: IndexedChunk[]) => {
      const seq = nextSeq++;
      trace.assign(
        seq,
        chunks.map((item) => item.index),
      );
      trace.stamp('batched', seq, clock.nowMs());
      const payload = producer.encode({ seq, text: chunks.map((item) => item.chunk.text).join('') });
      trace.stamp('processed', seq, clock.nowMs());
      return { seq, payload };
    };
    const batcher = createBatcher<IndexedChunk>(
      pipeline.batch,
      clock,
      (item) => item.chunk.text.length > 0,
      (batch) => {
        const messages = pipeline.batch.merge ? [encodeMessage(batch)] : batch.map((item) => encodeMessage([item]));
        sendMessages(
          messages.map((message) => message.seq),
          messages.map((message) => message.payload),
        );
      },
    );

    let index = 0;
    for await (const chunk of chunks) {
      trace.emit(chunk, clock.nowMs());
      batcher.push({ index: index++, chunk });
      if (brokerStream.awaitWrites) await acknowledged[acknowledged.length - 1];
      if (writeError) throw writeError;
    }
    batcher.end();
    await Promise.all(acknowledged);
    if (writeError) throw writeError;
    trace.endSeq = nextSeq;
    await brokerStream.end(producer.encodeEnd(nextSeq));

    await withTimeout(consumerDone, pipeline.drainTimeoutMs, clock, `the consumer did not finish within ${pipeline.drainTimeoutMs} ms after the producer ended`);
    await channel.end();
    await client.finish();
    const cpu = process.cpuUsage(cpuAtStart);
    const check = checkDelivery(trace, client.text());
    return {
      trace,
      counts: {
        delivery: channel.counters(),
        jsonStringifyCalls: json.stringifyCalls,
        jsonParseCalls: json.parseCalls,
        cpuUs: cpu.user + cpu.system,
        broker: { ...brokerStream.counters(), brokerPayloadBytes: payloadBytes },
        serializer: producer.counters?.() ?? {},
        check,
      },
    };
  } finally {
    await brokerStream.dispose();
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, clock: Clock, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimer(() => reject(new Error(message)), timeoutMs);
    promise.then(
      (value) => {
        clock.clearTimer(timer);
        resolve(value);
      },
      (error) => {
        clock.clearTimer(timer);
        reject(error);
      },
    );
  });
}
