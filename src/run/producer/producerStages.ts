/**
 * The producer side of one stream: source chunks → batcher → serializer → broker write, then
 * the end item. The one producer loop, run in the main process or in a producer child process
 * (`processes: split`); what it observes goes to a ProducerObserver — the stream's trace in
 * process, or a recorder that ships it to the main process from a child.
 */
import type { Clock } from '../../clock.js';
import { createBatcher } from '../../pipeline/batchers/createBatcher.js';
import type { BatchSettings } from '../../pipeline/batchers/settings.js';
import type { BrokerStream, SerializerStream } from '../../pipeline/types.js';
import { isPushable, type SourceChunk } from '../../sources/types.js';

/** The stage boundaries the producer stamps. */
export type ProducerStage = 'batched' | 'processed' | 'brokerWrite';

/** Told what the producer did and when; StreamTrace is one. */
export interface ProducerObserver {
  /** A chunk handed over by the source at `atMs` (chunks are numbered in this order). */
  emit(chunk: SourceChunk, atMs: number): void;
  /** Message `seq` carries `chunkCount` chunks from emit index `firstChunk` on (a batch holds consecutive chunks). */
  assign(seq: number, firstChunk: number, chunkCount: number): void;
  /** Message `seq` reached `stage` at `atMs`. */
  stamp(stage: ProducerStage, seq: number, atMs: number): void;
}

/** What the producer needs: its clock, its serializer side, the batch settings and a broker stream to write to. */
export interface ProducerStages {
  clock: Clock;
  serializer: SerializerStream;
  batch: BatchSettings;
  broker: Pick<BrokerStream, 'awaitWrites' | 'storesOnWrite' | 'write' | 'end'>;
}

/** How the producer ended. */
export interface ProducerResult {
  /** The end-of-stream item's sequence number (= content messages sent). */
  endSeq: number;
  /** UTF-8 bytes of every item written, the end item excluded. */
  payloadBytes: number;
}

/** Produces the whole stream from `chunks`; resolves once the end item was acknowledged. */
export async function runProducerStages(chunks: AsyncIterable<SourceChunk>, stages: ProducerStages, observer: ProducerObserver): Promise<ProducerResult> {
  const { clock, serializer, batch, broker } = stages;
  // A producer that awaits writes issues each one after the previous was acknowledged; a
  // fire-and-forget producer issues at once (one connection keeps order).
  let nextSeq = 0;
  let writeChain: Promise<void> = Promise.resolve();
  // Writes not yet acknowledged, counted rather than kept: a promise per message held to the
  // stream's end was memory per stream, and the end only needs to know when none is left.
  let pendingWrites = 0;
  let allAcknowledged: (() => void) | null = null;
  let writeError: unknown;
  let payloadBytes = 0;
  const acknowledge = () => {
    if (--pendingWrites === 0 && allAcknowledged) allAcknowledged();
  };
  // Messages firstSeq… (consecutive: one flush numbers its messages in a row) in one write.
  const sendMessages = (firstSeq: number, payloads: string[]) => {
    for (let i = 0; i < payloads.length; i++) payloadBytes += Buffer.byteLength(payloads[i]!); // indexed: an iterator over arrays of other maps deoptimised the write chain
    if (broker.storesOnWrite === true) {
      // Stored when write() returns (the in-process broker): acknowledged now, with no promise
      // and callbacks per message to learn what is already known.
      void broker.write(payloads);
      const atMs = clock.nowMs();
      for (let i = 0; i < payloads.length; i++) observer.stamp('brokerWrite', firstSeq + i, atMs);
      return;
    }
    // An awaiting producer with no write pending (every one acknowledged, none failed: the
    // chain has settled) writes at once: no closure and no promise more per write.
    const write = !broker.awaitWrites
      ? broker.write(payloads)
      : pendingWrites === 0 && writeError === undefined
        ? (writeChain = broker.write(payloads))
        : (writeChain = writeChain.then(() => broker.write(payloads)));
    pendingWrites++;
    const acknowledged = write.then(
      () => {
        const atMs = clock.nowMs();
        for (let i = 0; i < payloads.length; i++) observer.stamp('brokerWrite', firstSeq + i, atMs);
        acknowledge();
      },
      (error) => {
        writeError ??= error;
        acknowledge();
      },
    );
    if (broker.awaitWrites) lastAcknowledged = acknowledged;
  };
  // An awaiting producer waits for the latest write's acknowledgement before the next chunk.
  let lastAcknowledged: Promise<void> | null = null;
  // Chunks handed to messages so far: a batch holds the next chunks in emit order, so its first
  // chunk's index is this count (no index object per chunk, no index array per message).
  let batchedChunks = 0;
  // One message of `count` chunks from `batched[from]` on, stamped; returns its payload.
  const encodeMessage = (batched: SourceChunk[], from: number, count: number): string => {
    const seq = nextSeq++;
    observer.assign(seq, batchedChunks, count);
    batchedChunks += count;
    observer.stamp('batched', seq, clock.nowMs());
    let text = batched[from]!.text; // from < batched.length
    for (let i = from + 1; i < from + count; i++) text += batched[i]!.text; // the batch's texts, as join('') gives them
    const payload = serializer.encode({ seq, text });
    observer.stamp('processed', seq, clock.nowMs());
    return payload;
  };
  const batcher = createBatcher<SourceChunk>(
    batch,
    clock,
    (chunk) => chunk.text.length > 0,
    (batched) => {
      const firstSeq = nextSeq;
      // A batch of one message (merged, or one chunk: every chunk without batching) is written as
      // a literal one-item array: an array filled by push from empty gets room for 16 items, which
      // per chunk was most of the producer's garbage. The others are filled by push, not `map`
      // (whose result is holey): broker code reading both kinds was deoptimised.
      if (batch.merge || batched.length === 1) {
        sendMessages(firstSeq, [encodeMessage(batched, 0, batched.length)]);
        return;
      }
      const payloads: string[] = [];
      for (let i = 0; i < batched.length; i++) payloads.push(encodeMessage(batched, i, 1));
      sendMessages(firstSeq, payloads);
    },
  );

  const throwIfWriteFailed = () => {
    if (writeError) throw writeError;
  };
  // Per chunk; returns what to wait for before the next chunk (an awaiting producer's last
  // acknowledgement, while a write is unacknowledged: once none is, nothing to wait for, and no
  // promise per chunk — under load most chunks come after the latest write's acknowledgement).
  const onChunk = (chunk: SourceChunk): Promise<void> | undefined => {
    observer.emit(chunk, clock.nowMs());
    batcher.push(chunk);
    if (broker.awaitWrites && lastAcknowledged !== null && pendingWrites > 0) return lastAcknowledged.then(throwIfWriteFailed);
    throwIfWriteFailed();
    return undefined;
  };
  if (isPushable(chunks)) {
    await chunks.pushTo(onChunk);
  } else {
    for await (const chunk of chunks) {
      const wait = onChunk(chunk);
      if (wait) await wait;
    }
  }
  batcher.end();
  if (pendingWrites > 0) await new Promise<void>((resolve) => (allAcknowledged = resolve));
  if (writeError) throw writeError;
  await broker.end(serializer.encodeEnd(nextSeq));
  return { endSeq: nextSeq, payloadBytes };
}
