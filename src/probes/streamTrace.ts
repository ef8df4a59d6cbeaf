/**
 * Timestamps of one stream at every stage boundary. The runner and the client stamp into
 * it as tokens pass; statistics read it afterwards. Stamps are per message (a message may
 * carry several chunks after batching) except `emit`, which is per chunk.
 */
import type { SourceChunk } from '../sources/types.js';
import type { StageName } from './stages.js';
import { UpstreamRecord } from './upstreamRecord.js';

/** Stages stamped per message (everything after the source's emit). */
export type MessageStage = Exclude<StageName, 'emit'>;

/** One chunk as emitted, and the message that carried it. */
export interface ChunkRecord {
  emitMs: number;
  text: string;
  tokens: number;
  /** Sequence number of the message carrying this chunk (-1 until batched). */
  messageSeq: number;
}

/** One event as the client saw it. */
export interface ReceivedEvent {
  seq: number;
  atMs: number;
  end: boolean;
  hasContent: boolean;
}

/** One render of the client. */
export interface RenderRecord {
  atMs: number;
  /** CPU time of the render's work; null when not measured on this render (sampled under load). */
  renderMs: number | null;
  /** A browser client: when the render's DOM update ended (`atMs` is then the paint after it). */
  domUpdatedAtMs?: number;
  /** Messages painted for the first time by this render. */
  seqs: number[];
}

/** Everything measured about one stream. */
export class StreamTrace {
  readonly chunks: ChunkRecord[] = [];
  /** stage → message seq → first time the message reached the stage. */
  readonly messageStamps = new Map<MessageStage, number[]>();
  readonly received: ReceivedEvent[] = [];
  readonly renders: RenderRecord[] = [];
  /** Content messages (seq) and the end-of-stream status item's seq. */
  messageCount = 0;
  endSeq = -1;

  constructor(
    readonly requestStartMs: number,
    /** What the source reported about its server (empty for sources without one). */
    readonly upstream: UpstreamRecord = new UpstreamRecord(),
  ) {}

  /** Records a chunk handed over by the source at `atMs`. */
  emit(chunk: SourceChunk, atMs: number): void {
    this.chunks.push({ emitMs: atMs, text: chunk.text, tokens: chunk.tokens, messageSeq: -1 });
  }

  /** Records that message `seq` carries the given chunks (by their emit order). */
  assign(seq: number, chunkIndexes: number[]): void {
    for (const index of chunkIndexes) {
      const chunk = this.chunks[index];
      if (chunk === undefined) throw new Error(`message ${seq} names chunk ${index}, not yet emitted (${this.chunks.length} so far)`);
      chunk.messageSeq = seq;
    }
    this.messageCount = Math.max(this.messageCount, seq + 1);
  }

  /** Stamps message `seq` at `stage`, keeping the first time it got there. */
  stamp(stage: MessageStage, seq: number, atMs: number): void {
    let stamps = this.messageStamps.get(stage);
    if (!stamps) {
      stamps = [];
      this.messageStamps.set(stage, stamps);
    }
    if (stamps[seq] === undefined) stamps[seq] = atMs;
  }

  /** Time message `seq` first reached `stage`, if it did. */
  stampOf(stage: MessageStage, seq: number): number | undefined {
    return this.messageStamps.get(stage)?.[seq];
  }

  /** The text the source sent, in order. */
  sentText(): string {
    // Appended, not mapped and joined: no array of every chunk's text per stream.
    let text = '';
    for (const chunk of this.chunks) text += chunk.text;
    return text;
  }

  /** Tokens the source sent. */
  tokenCount(): number {
    let tokens = 0;
    for (const chunk of this.chunks) tokens += chunk.tokens;
    return tokens;
  }
}
