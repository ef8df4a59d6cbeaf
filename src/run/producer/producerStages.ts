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
  /** Message `seq` carries the chunks with these emit indexes. */
  assign(seq: number, chunkIndexes: number[]): void;
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

interface IndexedChunk {
  index: number;
  chunk: SourceChunk;
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
  const sendMessages = (seqs: number[], payloads: string[]) => {
    for (let i = 0; i < payloads.length; i++) payloadBytes += Buffer.byteLength(payloads[i]!); // indexed: an iterator over arrays of other maps deoptimised the write chain
    if (broker.storesOnWrite === true) {
      // Stored when write() returns (the in-process broker): acknowledged now, with no promise
      // and callbacks per message to learn what is already known.
      void broker.write(payloads);
      const atMs = clock.nowMs();
      for (let i = 0; i < seqs.length; i++) observer.stamp('brokerWrite', seqs[i]!, atMs);
      return;
    }
    const write = broker.awaitWrites ? (writeChain = writeChain.then(() => broker.write(payloads))) : broker.write(payloads);
    pendingWrites++;
    const acknowledged = write.then(
      () => {
        const atMs = clock.nowMs();
        for (const seq of seqs) observer.stamp('brokerWrite', seq, atMs);
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
  // One message per batch (merged), or one per chunk written together; encodeMessage stamps it
  // and returns its payload, its seq being `nextSeq - 1`. A batch of one message (merged, or one
  // chunk: every chunk without batching) is written as literal one-item arrays: arrays filled by
  // push from empty got room for 16 items each, two per chunk, most of the producer's garbage.
  // The others are filled by push, not `map` (whose result is holey): the broker code reading
  // both packed kinds was deoptimised and compiled again in each fresh process.
  const encodeMessage = (batched: IndexedChunk[]): string => {
    const seq = nextSeq++;
    // A message of one chunk (no batching, the common case) needs no mapping and no join.
    const only = batched.length === 1 ? batched[0]! : null;
    observer.assign(seq, only ? [only.index] : batched.map((item) => item.index));
    observer.stamp('batched', seq, clock.nowMs());
    const payload = serializer.encode({ seq, text: only ? only.chunk.text : batched.map((item) => item.chunk.text).join('') });
    observer.stamp('processed', seq, clock.nowMs());
    return payload;
  };
  const batcher = createBatcher<IndexedChunk>(
    batch,
    clock,
    (item) => item.chunk.text.length > 0,
    (batched) => {
      if (batch.merge || batched.length === 1) {
        const payload = encodeMessage(batched);
        sendMessages([nextSeq - 1], [payload]);
        return;
      }
      const seqs: number[] = [];
      const payloads: string[] = [];
      for (let i = 0; i < batched.length; i++) {
        payloads.push(encodeMessage([batched[i]!]));
        seqs.push(nextSeq - 1);
      }
      sendMessages(seqs, payloads);
    },
  );

  let index = 0;
  const throwIfWriteFailed = () => {
    if (writeError) throw writeError;
  };
  // Per chunk; returns what to wait for before the next chunk (an awaiting producer's last
  // acknowledgement, while a write is unacknowledged: once none is, nothing to wait for, and no
  // promise per chunk — under load most chunks come after the latest write's acknowledgement).
  const onChunk = (chunk: SourceChunk): Promise<void> | undefined => {
    observer.emit(chunk, clock.nowMs());
    batcher.push({ index: index++, chunk });
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
