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

/**
 * Records a producer's observations and hands them to `ship` in batches, one per turn of the
 * event loop: a message per stamp would cost the child more than the stamping itself.
 */
export class ProducerRecorder implements ProducerObserver, SourceObserver {
  private pending: ProducerRecord[] = [];
  private scheduled = false;
  /** Kept here and sent once with the summary: a record per chunk would double the IPC traffic. */
  scheduleLagMaxMs: number | null = null;

  constructor(private readonly ship: (records: ProducerRecord[]) => void) {}

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

  /** Ships whatever is pending now (before the stream's summary, which must come after every record). */
  flush(): void {
    if (this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    this.ship(records);
  }

  private add(record: ProducerRecord): void {
    this.pending.push(record);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
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
