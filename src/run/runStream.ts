/**
 * Drives one stream through a pipeline: source → batcher → producer (serializer) → broker →
 * relay → delivery → client, stamping every message at every stage boundary on one clock.
 * The producer side runs in this process, or with `processes: split` in the config's producer
 * child process; the consumer side always runs here.
 */
import type { Clock } from '../clock.js';
import { createClient } from '../pipeline/client/createClient.js';
import type { BrokerStream, DeliveryChannel } from '../pipeline/types.js';
import { JsonCounter } from '../probes/jsonCounter.js';
import { StreamTrace } from '../probes/streamTrace.js';
import { AbortFanout } from '../sources/http/abortFanout.js';
import { UpstreamRecord } from '../probes/upstreamRecord.js';
import type { StreamCounts } from '../stats/streamSummary.js';
import { checkDelivery } from '../stats/deliveryCheck.js';
import { mergeBrokerCounters } from '../stats/mergeBrokerCounters.js';
import { openLocalProducer } from './producer/localProducer.js';
import type { StreamProducer } from './producer/types.js';
import type { BuiltPipeline } from './types.js';

/** One stream's trace and counts. */
export interface StreamRun {
  trace: StreamTrace;
  counts: StreamCounts;
}

/** How a stream is run besides its pipeline. */
export interface StreamRunOptions {
  /**
   * Read the process's CPU time around this stream (default true). Off when streams overlap:
   * the process's CPU then is every stream's, so the config measures it over the whole load
   * instead, and the stream's own sample (a getrusage call at each end) would cost without
   * meaning anything.
   */
  sampleCpu?: boolean;
  /** Whether the client measures its render cost (default true); see ClientDeps.measureRenderCost. */
  measureRenderCost?: boolean;
  /**
   * Called once the stream's delivery is over (the producer ended, the relay read it all, the
   * channel to the client closed): the client's last paint, the delivery check and disposal follow.
   */
  onDeliveryEnd?: () => void;
}

/** Runs one stream to its end and returns what was measured. */
export async function runStream(pipeline: BuiltPipeline, streamIndex: number, streamId: string, signal?: AbortSignal, options: StreamRunOptions = {}): Promise<StreamRun> {
  const sampleCpu = options.sampleCpu ?? true;
  const { clock } = pipeline;
  const json = new JsonCounter();
  // Producer, relay and client are different processes in the field: each opens its own side
  // (the producer's JSON calls are counted apart and added).
  const relay = pipeline.serializer.open(json);
  const decoder = pipeline.serializer.open(json);
  const upstream = new UpstreamRecord();
  // The observer is only called once the stream runs, after `trace` exists.
  const client = createClient(pipeline.client, {
    clock,
    decoder,
    json,
    measureRenderCost: options.measureRenderCost,
    browser: pipeline.browser ?? undefined,
    deliveryKind: pipeline.delivery.kind,
    serializerName: pipeline.serializerName,
    observer: {
      received(event, atMs) {
        trace.receive(event.seq, atMs, event.end, event.text.length > 0);
        if (!event.end) trace.stamp('clientReceive', event.seq, atMs);
      },
      rendered(seqs, atMs, renderMs, costMeasured, domUpdatedAtMs) {
        trace.render(atMs, costMeasured === false ? null : renderMs, seqs, domUpdatedAtMs);
      },
    },
  });
  let sides: Awaited<ReturnType<typeof openStreamSides>>;
  try {
    // A browser opens its page before the request starts: a user's tab is open before they ask.
    await client.prepare?.();
    sides = await openStreamSides(pipeline, streamIndex, streamId, upstream, signal);
  } catch (error) {
    await client.dispose?.();
    throw error;
  }
  const { brokerStream, producer } = sides;
  const cpuAtStart = sampleCpu ? process.cpuUsage() : null;
  const trace = new StreamTrace(clock.nowMs(), upstream);

  let run: StreamRun;
  try {
    // The browser connects while the model starts answering. The relay's consumer reads from
    // the broker at once (subscribed before anything is written) and holds what it read until
    // the client is connected, so a slow connection (under load) delays delivery, never the
    // producer, and a reader never joins after the end of a short stream.
    const heldForClient: { data: string; seq: number }[] = [];
    let connectedChannel: DeliveryChannel | undefined;
    const channelOpened = pipeline.delivery
      .open(streamId, (data) => client.onEvent(data), client.remote)
      .then((channel) => {
        for (const held of heldForClient) channel.send(held.data, held.seq);
        heldForClient.length = 0;
        connectedChannel = channel;
        return channel;
      });
    const consumerDone = Promise.all([
      channelOpened,
      brokerStream.read((items) => {
        const atMs = clock.nowMs();
        for (const item of items) trace.stamp('brokerRead', item.position, atMs);
        for (const item of items) {
          const data = relay.relay(item.payload);
          if (connectedChannel) connectedChannel.send(data, item.position);
          else heldForClient.push({ data, seq: item.position });
        }
      }),
    ]).then(([channel]) => channel);
    // A consumer that fails before the producer is done must not leave an unhandled rejection.
    consumerDone.catch(() => {});

    // An interruption stops waiting at once: a stuck stream (a paused Redis) must not hold the
    // run, and a stream cut short is not measured anyway.
    const produced = await untilAborted(producer.run(trace), signal);
    trace.endSeq = produced.endSeq;

    const channel = await untilAborted(
      withTimeout(consumerDone, pipeline.drainTimeoutMs, clock, `the consumer did not finish within ${pipeline.drainTimeoutMs} ms after the producer ended`),
      signal,
    );
    await channel.end();
    options.onDeliveryEnd?.();
    await client.finish();
    const cpu = cpuAtStart ? process.cpuUsage(cpuAtStart) : null;
    const delivery = channel.counters();
    const check = checkDelivery(trace, client.text(), delivery.reconnects ?? 0);
    run = {
      trace,
      counts: {
        delivery,
        jsonStringifyCalls: json.stringifyCalls + produced.jsonStringifyCalls,
        jsonParseCalls: json.parseCalls + produced.jsonParseCalls,
        // A producer child's CPU is the stream's cost too.
        cpuUs: cpu ? cpu.user + cpu.system + produced.cpuUs : null,
        broker: { ...mergeBrokerCounters(brokerStream.counters(), produced.broker), brokerPayloadBytes: produced.payloadBytes },
        serializer: produced.serializer,
        ...(client.counters && { client: client.counters() }),
        check,
      },
    };
  } catch (error) {
    // The stream's own failure is the news: a cleanup that fails after it (the same frozen
    // Redis, say) must not replace it. The keys' TTL covers what cleanup could not delete.
    await client.dispose?.().catch(() => {});
    await producer.dispose().catch(() => {});
    await brokerStream.dispose().catch(() => {});
    throw error;
  }
  await client.dispose?.();
  await producer.dispose();
  await brokerStream.dispose();
  return run;
}

/**
 * Opens the stream's broker stream and its producer side, before the request starts. In one
 * process both sides share one broker stream; split, the consumer's side opens here and the
 * producer's in the child, each on its own connections under the same keys.
 */
async function openStreamSides(
  pipeline: BuiltPipeline,
  streamIndex: number,
  streamId: string,
  upstream: UpstreamRecord,
  signal: AbortSignal | undefined,
): Promise<{ brokerStream: BrokerStream; producer: StreamProducer }> {
  const producerProcess = pipeline.producerProcess;
  if (producerProcess === null) {
    const brokerStream = await pipeline.broker.openStream(streamId);
    return { brokerStream, producer: openLocalProducer(pipeline, brokerStream, streamIndex, upstream, signal) };
  }
  const brokerStream = await pipeline.broker.openStream(streamId, { role: 'consumer' });
  try {
    const producer = await producerProcess.openStream({ streamId, streamIndex, consumer: brokerStream, upstream, signal });
    return { brokerStream, producer };
  } catch (error) {
    await brokerStream.dispose();
    throw error;
  }
}

// Every stream waits on the run's interruption twice: one listener on it for all of them, a Set
// entry each (an EventTarget listener added and removed per wait cost several times more).
const interruptions = new AbortFanout();

/** `promise`, or a rejection as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(new Error('interrupted'));
  }
  return new Promise<T>((resolve, reject) => {
    const unregister = interruptions.register(signal, () => {
      promise.catch(() => {});
      reject(new Error('interrupted'));
    });
    promise.then(
      (value) => {
        unregister();
        resolve(value);
      },
      (error) => {
        unregister();
        reject(error);
      },
    );
  });
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
