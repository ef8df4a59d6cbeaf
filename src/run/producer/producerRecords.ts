/**
 * What a producer in a child process observes, as records: the child collects them
 * (ProducerRecorder) and the main process replays them into the stream's trace and upstream
 * record (applyProducerRecords), so every metric reads the same trace as in one process.
 */
import type { StreamTrace } from '../../probes/streamTrace.js';
import type { UpstreamRecord } from '../../probes/upstreamRecord.js';
import type { SourceChunk, SourceObserver, TokenCountMethod, UpstreamUsage } from '../../sources/types.js';
import type { ProducerObserver, ProducerStage } from './producerStages.js';
import type { ProducerRecord } from './producerProtocol.js';

/** One stream's records, in the order they happened. */
export interface StreamRecords {
  streamId: string;
  records: ProducerRecord[];
}

/** Records per message at most (then another): a message stays near 32 KB of JSON however many streams a turn served. */
export const MAX_RECORDS_PER_MESSAGE = 400;

/**
 * Ships the records of every stream in a child process in one message per turn of its event
 * loop: a message per stream per turn was 30,000 messages a second at 600 streams, each one a
 * JSON call and a write here and a parse and an event in the main process.
 */
export class RecordOutbox {
  /** Recorders holding records not yet shipped, in the order they got their first. */
  private waiting: ProducerRecorder[] = [];
  private scheduled = false;

  constructor(private readonly ship: (streams: StreamRecords[]) => void) {}

  /** A recorder for one stream, shipping through this outbox. */
  recorder(streamId: string): ProducerRecorder {
    return new ProducerRecorder(streamId, this);
  }

  /** Ships everything pending now, every stream's (before a stream's summary, which must come after its records). */
  flush(): void {
    if (this.waiting.length === 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    let streams: StreamRecords[] = [];
    let records = 0;
    for (const recorder of waiting) {
      const taken = recorder.take();
      streams.push(taken);
      records += taken.records.length;
      if (records >= MAX_RECORDS_PER_MESSAGE) {
        this.ship(streams);
        streams = [];
        records = 0;
      }
    }
    if (streams.length > 0) this.ship(streams);
  }

  /** `recorder` just got its first record since it was last shipped. */
  hold(recorder: ProducerRecorder): void {
    this.waiting.push(recorder);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }
}

/** Records one stream's producer observations for its outbox (a message per stamp would cost the child more than the stamping itself). */
export class ProducerRecorder implements ProducerObserver, SourceObserver {
  private pending: ProducerRecord[] = [];
  /** Kept here and sent once with the summary: a record per chunk would double the IPC traffic. */
  scheduleLagMaxMs: number | null = null;

  constructor(
    private readonly streamId: string,
    private readonly outbox: RecordOutbox,
  ) {}

  emit(chunk: SourceChunk, atMs: number): void {
    this.add({ kind: 'emit', text: chunk.text, tokens: chunk.tokens, atMs });
  }

  assign(seq: number, firstChunk: number, chunkCount: number): void {
    this.add({ kind: 'assign', seq, firstChunk, chunkCount });
  }

  stamp(stage: ProducerStage, seq: number, atMs: number): void {
    this.add({ kind: 'stamp', stage, seq, atMs });
  }

  // Response headers are left out: the main process's upstream record does not keep them.
  firstByte(atMs: number): void {
    this.add({ kind: 'firstByte', atMs });
  }

  firstEvent(atMs: number): void {
    this.add({ kind: 'firstEvent', atMs });
  }

  malformedLine(): void {
    this.add({ kind: 'malformedLine' });
  }

  scheduleLag(lateMs: number): void {
    this.scheduleLagMaxMs = Math.max(this.scheduleLagMaxMs ?? 0, lateMs);
  }

  usage(usage: UpstreamUsage): void {
    this.add({ kind: 'usage', usage });
  }

  tokenCount(report: { method: TokenCountMethod; reasoningTokens: number }): void {
    this.add({ kind: 'tokenCount', method: report.method, reasoningTokens: report.reasoningTokens });
  }

  /** Hands over the records pending (the outbox ships them). */
  take(): StreamRecords {
    const records = this.pending;
    this.pending = [];
    return { streamId: this.streamId, records };
  }

  private add(record: ProducerRecord): void {
    if (this.pending.length === 0) this.outbox.hold(this);
    this.pending.push(record);
  }
}

/** Replays a child's records into the stream's trace and upstream record; returns how many broker writes they acknowledged (items). */
export function applyProducerRecords(records: readonly ProducerRecord[], trace: StreamTrace, upstream: UpstreamRecord): number {
  let acknowledgedItems = 0;
  for (const record of records) {
    switch (record.kind) {
      case 'emit':
        trace.emit({ text: record.text, tokens: record.tokens }, record.atMs);
        break;
      case 'assign':
        trace.assign(record.seq, record.firstChunk, record.chunkCount);
        break;
      case 'stamp':
        trace.stamp(record.stage, record.seq, record.atMs);
        // One message is one broker item.
        if (record.stage === 'brokerWrite') acknowledgedItems++;
        break;
      case 'firstByte':
        upstream.firstByte(record.atMs);
        break;
      case 'firstEvent':
        upstream.firstEvent(record.atMs);
        break;
      case 'malformedLine':
        upstream.malformedLine();
        break;
      case 'usage':
        upstream.usage(record.usage);
        break;
      case 'tokenCount':
        upstream.tokenCount({ method: record.method, reasoningTokens: record.reasoningTokens });
        break;
    }
  }
  return acknowledgedItems;
}
