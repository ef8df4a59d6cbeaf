/**
 * The main process's side of a producer child process (`processes: split`): forks the built
 * entry dist/run/producer/producerChild.js once per config, opens and starts the producer side of each
 * stream in it, and replays what the child reports into the stream's trace. Streams may run
 * concurrently: every message names its stream. close() stops the child.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { builtEntry } from '../../builtEntry.js';
import type { Clock } from '../../clock.js';
import type { BrokerStream } from '../../pipeline/types.js';
import type { UpstreamRecord } from '../../probes/upstreamRecord.js';
import type { StreamTrace } from '../../probes/streamTrace.js';
import type { FromProducerChild, ProducedSummary, ProducerChildSettings, ProducerRecord, ToProducerChild } from './producerProtocol.js';
import { applyProducerRecords } from './producerRecords.js';
import type { StreamProducer } from './types.js';

/** How to open one stream's producer side in the child. */
export interface RemoteStreamOptions {
  streamId: string;
  streamIndex: number;
  /** The stream's consumer side in this process: waited on before the producer starts, told of acknowledged writes. */
  consumer: BrokerStream;
  /** Gets what the child's source reports about its server. */
  upstream: UpstreamRecord;
  /** Stops the child's source early (interrupted runs). */
  signal?: AbortSignal;
}

/** A running producer child process. */
export interface ProducerProcess {
  readonly pid: number;
  /**
   * Per stream started so far: child received `start` − this process sent it, in ms on the
   * shared clock. The IPC hop in front of every split stream (diagnostics).
   */
  readonly startLatenciesMs: readonly number[];
  /** Opens the producer side of a stream in the child, before its request starts. */
  openStream(options: RemoteStreamOptions): Promise<StreamProducer>;
  /** Plans these streams in the child now (before the load, as one process does); resolves once it has. */
  prepare(streamIndexes: number[]): Promise<void>;
  /** The child's CPU time (user + system) since it started, in µs. */
  cpuUs(): Promise<number>;
  /** Stops the child and waits until it has exited. Safe to call twice. */
  close(): Promise<void>;
}

/** How long close() waits for the child to exit on its own before killing it. */
const EXIT_GRACE_MS = 5_000;
/** How long the child may take to start (load its modules, build its source, connect to Redis). */
const READY_TIMEOUT_MS = 60_000;
/** How long the child may take to plan a load's streams ahead (`prepare`): 1,000 streams take it about a second. */
const PREPARE_TIMEOUT_MS = 60_000;
/** How long the child may take to say its CPU time (one `process.cpuUsage()` once its loop is free). */
const CPU_TIMEOUT_MS = 10_000;

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  // Whoever awaits it still gets the rejection; nobody awaiting must not crash the process.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** What a stream's messages from the child go to. */
interface StreamListener {
  onRecords(records: readonly ProducerRecord[]): void;
  onMessage(message: Extract<FromProducerChild, { type: 'produced' | 'failed' }>): void;
  onChildGone(error: Error): void;
}

/** Forks the producer child, hands it the config's settings and resolves once it is ready. */
export async function startProducerProcess(settings: ProducerChildSettings, clock: Clock): Promise<ProducerProcess> {
  const child: ChildProcess = fork(builtEntry('run/producer/producerChild.js', 'pipeline.processes: split'), [], {
    // Plain Node: no loaders or inspector flags of the parent (vitest's, a debugger's).
    execArgv: [],
    // JSON, not 'advanced': the messages are plain data, and it was the faster of the two for them (about 0.1 ms one way, idle).
    serialization: 'json',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pid = child.pid ?? -1;
  const listeners = new Map<string, StreamListener>();
  const startLatenciesMs: number[] = [];
  const exited = deferred<void>();
  // Answers to `init`, `cpu` and `prepare`, each in the order asked (the channel keeps order).
  const readyAnswers: Deferred<void>[] = [];
  const cpuAnswers: Deferred<number>[] = [];
  const prepareAnswers: Deferred<void>[] = [];
  let gone: Error | null = null;
  let closing = false;

  const childGone = (error: Error) => {
    gone ??= error;
    for (const answer of readyAnswers.splice(0)) answer.reject(gone);
    for (const answer of cpuAnswers.splice(0)) answer.reject(gone);
    for (const answer of prepareAnswers.splice(0)) answer.reject(gone);
    for (const listener of listeners.values()) listener.onChildGone(gone);
    listeners.clear();
  };
  child.on('message', (message: FromProducerChild) => {
    if (message.type === 'ready') readyAnswers.shift()?.resolve();
    else if (message.type === 'cpu') cpuAnswers.shift()?.resolve(message.cpuUs);
    else if (message.type === 'prepared') prepareAnswers.shift()?.resolve();
    else if (message.type === 'records') for (const { streamId, records } of message.streams) listeners.get(streamId)?.onRecords(records);
    else if (message.type === 'failed' && message.streamId === null) childGone(new Error(message.message));
    else if (message.streamId !== null) listeners.get(message.streamId)?.onMessage(message);
  });
  child.on('error', (error) => childGone(new Error(`the producer process (pid ${pid}) failed: ${error.message}`)));
  child.on('exit', (code, signal) => {
    if (!closing) childGone(new Error(`the producer process (pid ${pid}) exited unexpectedly (${signal ?? `code ${code}`})`));
    exited.resolve();
  });

  const send = (message: ToProducerChild) => {
    if (gone) throw gone;
    // The channel can close a moment before 'exit' is reported.
    if (!child.connected) throw new Error(`the producer process (pid ${pid}) is no longer connected`);
    child.send(message);
  };

  const close = async () => {
    if (closing) return exited.promise;
    closing = true;
    childGone(new Error('the producer process was closed'));
    if (child.exitCode === null && child.signalCode === null) {
      if (child.connected) child.send({ type: 'close' } satisfies ToProducerChild);
      const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
      await exited.promise;
      clearTimeout(timer);
    }
  };

  // Asks the child and waits for its answer, which comes in `answers`' order (the channel keeps
  // order). A deadline missed leaves the answer in its queue, so a late reply still goes to it.
  const ask = <T>(message: ToProducerChild, answers: Deferred<T>[], timeoutMs: number, what: string): Promise<T> => {
    try {
      send(message);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const answer = deferred<T>();
    answers.push(answer);
    const timer = clock.setTimer(() => answer.reject(new Error(`the producer process (pid ${pid}) did not ${what} within ${timeoutMs / 1000} s`)), timeoutMs);
    return answer.promise.finally(() => clock.clearTimer(timer));
  };

  try {
    await ask({ type: 'init', settings }, readyAnswers, READY_TIMEOUT_MS, 'start');
  } catch (error) {
    await close();
    throw error;
  }

  return {
    pid,
    startLatenciesMs,
    close,
    prepare: (streamIndexes) => ask({ type: 'prepare', streamIndexes }, prepareAnswers, PREPARE_TIMEOUT_MS, `plan its ${streamIndexes.length} streams`),
    cpuUs: () => ask({ type: 'cpu' }, cpuAnswers, CPU_TIMEOUT_MS, 'say its CPU time'),
    async openStream({ streamId, streamIndex, consumer, upstream, signal }) {
      const produced = deferred<ProducedSummary>();
      let trace: StreamTrace | null = null;
      let acknowledgedItems = 0;
      let settled = false;
      listeners.set(streamId, {
        onRecords(records) {
          // Records come only after `start`, when the trace is known.
          acknowledgedItems += applyProducerRecords(records, trace!, upstream);
          consumer.producerAcknowledged?.(acknowledgedItems);
        },
        onMessage(message) {
          switch (message.type) {
            case 'produced':
              settled = true;
              produced.resolve(message.summary);
              return;
            case 'failed':
              settled = true;
              produced.reject(new Error(message.message));
              return;
          }
        },
        onChildGone(error) {
          produced.reject(error);
        },
      });
      // Not waited for: the child opens the stream while this process starts the request, and
      // starts producing once both happened. The source's plan counts from the request's start
      // (sent with `start`), so a child slow to open or start shows as source lag instead of
      // delaying the request unseen (under load a wait here held streams back 180–330 ms).
      // A failed open rejects `produced`: the stream fails when it runs.
      produced.promise.catch(() => {});
      send({ type: 'open', streamId, streamIndex });

      return {
        async run(streamTrace) {
          trace = streamTrace;
          // A pub/sub reader hears only what is published after its SUBSCRIBE; in one process the
          // broker stream waits for it by itself, across processes the start waits here.
          await consumer.readerJoined?.();
          const onAbort = () => {
            if (!settled && !gone && child.connected) send({ type: 'abort', streamId });
          };
          signal?.addEventListener('abort', onAbort, { once: true });
          try {
            // The request start (trace.requestStartMs) was taken in this process just before, and
            // the child's source plans from it: the IPC hop to the child (startLatenciesMs: 0.27 ms
            // at the median, 0.09 ms at best, over 80 streams on a 2-core machine) is inside the
            // time to first token at the source and its lag, as a queue between an API server and
            // its workers is in the field.
            const sentAtMs = clock.nowMs();
            send({ type: 'start', streamId, requestStartMs: streamTrace.requestStartMs });
            if (signal?.aborted) onAbort();
            const summary = await produced.promise;
            startLatenciesMs.push(summary.startReceivedAtMs - sentAtMs);
            if (summary.scheduleLagMaxMs !== null) upstream.scheduleLag(summary.scheduleLagMaxMs);
            return {
              endSeq: summary.endSeq,
              payloadBytes: summary.payloadBytes,
              jsonStringifyCalls: summary.jsonStringifyCalls,
              jsonParseCalls: summary.jsonParseCalls,
              serializer: summary.serializer,
              broker: summary.broker,
              cpuUs: summary.cpuUs,
            };
          } finally {
            signal?.removeEventListener('abort', onAbort);
          }
        },
        async dispose() {
          listeners.delete(streamId);
          // A stream that never ran (the consumer side failed first) is still open in the child.
          if (!settled && !gone && child.connected) send({ type: 'dispose', streamId });
        },
      };
    },
  };
}
