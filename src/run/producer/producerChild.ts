/**
 * Entry point of a producer child process (`processes: split`; forked by producerProcess.ts
 * from the built dist/run/producer/producerChild.js). For each stream the main process asks for, it runs
 * the producer side — source → batcher → serializer → broker write — on its own Redis
 * connections, and ships back what it observed and counted: records into the stream's trace,
 * then a summary (JSON calls, producer broker counters, CPU µs). Errors go back as messages.
 * It lives as long as its config: the main process closes it, or it exits when the main
 * process disappears.
 */
import { systemClock } from '../../clock.js';
import { createRedisBroker, type RedisBroker } from '../../pipeline/brokers/redis/broker.js';
import { createSerializer } from '../../pipeline/serializers/index.js';
import type { BrokerStream, Serializer, SerializerStream } from '../../pipeline/types.js';
import { JsonCounter } from '../../probes/jsonCounter.js';
import { createSource } from '../../sources/sourceSettings.js';
import type { TokenSource } from '../../sources/types.js';
import { runProducerStages } from './producerStages.js';
import type { FromProducerChild, ProducerChildSettings, ToProducerChild } from './producerProtocol.js';
import { RecordOutbox } from './producerRecords.js';

/** The stages every stream of the config shares. */
interface ChildStages {
  settings: ProducerChildSettings;
  source: TokenSource;
  serializer: Serializer;
  broker: RedisBroker;
}

/** A stream opened in the child, waiting for its start or running. */
interface ChildStream {
  streamIndex: number;
  brokerStream: BrokerStream;
  json: JsonCounter;
  serializer: SerializerStream;
  abort: AbortController;
  running: boolean;
}

const clock = systemClock;
let stages: ChildStages | null = null;
const streams = new Map<string, ChildStream>();
/** Streams whose open is under way (a start waits for it). */
const opening = new Map<string, Promise<void>>();

function send(message: FromProducerChild): void {
  // The channel is gone only when the main process is: the disconnect handler exits.
  if (process.connected) process.send!(message);
}

/** Every stream's records, one message per turn. */
const outbox = new RecordOutbox((streams) => send({ type: 'records', streams }));

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function requireStages(): ChildStages {
  if (stages === null) throw new Error('the producer process got a stream before its settings');
  return stages;
}

async function init(settings: ProducerChildSettings): Promise<void> {
  const source = await createSource(settings.source, settings.seed);
  try {
    const broker = await createRedisBroker(settings.broker, { url: settings.redisUrl, runId: settings.runId, clock });
    stages = { settings, source, serializer: createSerializer(settings.serializer), broker };
  } catch (error) {
    await source.close?.();
    throw error;
  }
}

/** Opens the producer side ahead of the request: connection, serializer side, source plan. */
async function open(streamId: string, streamIndex: number): Promise<void> {
  const { broker, serializer, source } = requireStages();
  const brokerStream = await broker.openStream(streamId, { role: 'producer' });
  source.prepare?.(streamIndex);
  const json = new JsonCounter();
  streams.set(streamId, { streamIndex, brokerStream, json, serializer: serializer.open(json), abort: new AbortController(), running: false });
}

/** Produces one stream from `requestStartMs` on; its records and then its summary go to the main process. */
async function start(streamId: string, requestStartMs: number): Promise<void> {
  const startReceivedAtMs = clock.nowMs();
  // The main process does not wait for the open to start the request: a start can come first.
  await opening.get(streamId);
  const stream = streams.get(streamId);
  if (!stream) throw new Error(`no open stream ${streamId} in the producer process`);
  const { settings, source } = requireStages();
  stream.running = true;
  const recorder = outbox.recorder(streamId);
  try {
    const cpuAtStart = process.cpuUsage();
    // Planned from the request's start in the main process: a late open or start here is source lag, not hidden.
    const chunks = source.open({ clock, streamIndex: stream.streamIndex, signal: stream.abort.signal, observer: recorder, startAtMs: requestStartMs });
    const produced = await runProducerStages(chunks, { clock, serializer: stream.serializer, batch: settings.batch, broker: stream.brokerStream }, recorder);
    const cpu = process.cpuUsage(cpuAtStart);
    outbox.flush();
    send({
      type: 'produced',
      streamId,
      summary: {
        ...produced,
        jsonStringifyCalls: stream.json.stringifyCalls,
        jsonParseCalls: stream.json.parseCalls,
        serializer: stream.serializer.counters?.() ?? {},
        broker: stream.brokerStream.counters(),
        cpuUs: cpu.user + cpu.system,
        startReceivedAtMs,
        scheduleLagMaxMs: recorder.scheduleLagMaxMs,
      },
    });
  } catch (error) {
    outbox.flush();
    send({ type: 'failed', streamId, message: messageOf(error) });
  } finally {
    streams.delete(streamId);
    await stream.brokerStream.dispose();
  }
}

/** Releases a stream that will not run; a running one is stopped at its source and releases itself when it ends. */
async function dispose(streamId: string): Promise<void> {
  await opening.get(streamId); // an open under way would otherwise leave its stream behind
  const stream = streams.get(streamId);
  if (!stream) return;
  stream.abort.abort();
  if (stream.running) return;
  streams.delete(streamId);
  await stream.brokerStream.dispose();
}

async function close(): Promise<void> {
  await Promise.allSettled([...streams.keys()].map(dispose));
  if (stages) await Promise.allSettled([stages.broker.close(), stages.source.close?.()]);
  process.exit(0);
}

async function handle(message: ToProducerChild): Promise<void> {
  switch (message.type) {
    case 'init':
      try {
        await init(message.settings);
        send({ type: 'ready' });
      } catch (error) {
        send({ type: 'failed', streamId: null, message: messageOf(error) });
      }
      return;
    case 'open': {
      const opened = open(message.streamId, message.streamIndex);
      // Settled either way: a start waits for it, and the failure is reported once, here.
      opening.set(
        message.streamId,
        opened.catch(() => {}),
      );
      try {
        await opened;
      } catch (error) {
        send({ type: 'failed', streamId: message.streamId, message: messageOf(error) });
      } finally {
        opening.delete(message.streamId);
      }
      return;
    }
    case 'start':
      try {
        await start(message.streamId, message.requestStartMs);
      } catch (error) {
        send({ type: 'failed', streamId: message.streamId, message: messageOf(error) });
      }
      return;
    case 'abort':
      streams.get(message.streamId)?.abort.abort();
      return;
    case 'dispose':
      await dispose(message.streamId);
      return;
    case 'prepare': {
      const { source } = requireStages();
      for (const streamIndex of message.streamIndexes) source.prepare?.(streamIndex);
      send({ type: 'prepared' });
      return;
    }
    case 'cpu': {
      const cpu = process.cpuUsage();
      send({ type: 'cpu', cpuUs: cpu.user + cpu.system });
      return;
    }
    case 'close':
      await close();
      return;
  }
}

process.on('message', (message: ToProducerChild) => void handle(message));
// Ctrl-C reaches the whole process group; the main process decides when this one stops
// (it finishes the stream in progress, then closes the child).
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
// Without the main process nothing is left to produce for (it crashed, or exited at a second Ctrl-C).
process.on('disconnect', () => process.exit(0));
const fail = (error: unknown) => {
  if (!process.connected) process.exit(1);
  // Exit once the message is out: exiting at once could drop it.
  const message: FromProducerChild = { type: 'failed', streamId: null, message: `the producer process failed: ${messageOf(error)}` };
  process.send!(message, () => process.exit(1));
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
