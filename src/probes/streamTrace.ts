/**
 * Timestamps of one stream at every stage boundary. The runner and the client stamp into
 * it as tokens pass; statistics read it afterwards. Stamps are per message (a message may
 * carry several chunks after batching) except `emit`, which is per chunk.
 *
 * Everything is kept in columns (one array of numbers per field: numberColumn.ts), not an
 * object per chunk, event or render: a stream holds its trace until it ends, and objects per
 * token were most of what a stream kept alive and what the garbage collector traced.
 */
import type { SourceChunk } from '../sources/types.js';
import { carveColumns, type NumberColumn } from './numberColumn.js';
import { STAGES, type StageName } from './stages.js';
import { UpstreamRecord } from './upstreamRecord.js';

/** Stages stamped per message (everything after the source's emit). */
export type MessageStage = Exclude<StageName, 'emit'>;

/** One chunk as emitted, and the message that carried it (a copy: the trace keeps columns). */
export interface ChunkRecord {
  emitMs: number;
  text: string;
  tokens: number;
  /** Sequence number of the message carrying this chunk (-1 until batched). */
  messageSeq: number;
}

/** Index of each message stage in the trace's stamp columns. */
const MESSAGE_STAGES = STAGES.filter((stage): stage is MessageStage => stage !== 'emit');

/** Index of each message stage in the trace's stamp columns: a frozen object, read per stamp by a property load rather than a Map's hash lookup. */
const MESSAGE_STAGE_INDEX = Object.freeze(Object.fromEntries(MESSAGE_STAGES.map((stage, index) => [stage, index]))) as Readonly<Record<MessageStage, number>>;

/** Columns before the per-stage stamp columns (chunks 3, received events 3, renders 3)… */
const FIXED_COLUMNS = 9;
/** …and all of them. */
const COLUMN_COUNT = FIXED_COLUMNS + MESSAGE_STAGES.length;

/** Bits of a received event's flags. */
const END = 1;
const HAS_CONTENT = 2;

/** Everything measured about one stream. */
export class StreamTrace {
  /** Every column below, their first slots carved from a shared block (numberColumn.ts: no buffer of its own per column or trace). */
  private readonly columns = carveColumns(COLUMN_COUNT);
  /** Chunks, by emit order: when emitted, tokens, the carrying message (-1 until batched), text. */
  private readonly chunkEmitMs = this.columns[0]!;
  private readonly chunkTokens = this.columns[1]!;
  private readonly chunkMessageSeq = this.columns[2]!;
  private readonly chunkTexts: string[] = [];
  /** Events as the client saw them, in arrival order: seq, time, flags (END, HAS_CONTENT). */
  private readonly receivedSeq = this.columns[3]!;
  private readonly receivedAtMs = this.columns[4]!;
  private readonly receivedFlags = this.columns[5]!;
  /** Renders of the client: when painted, their measured CPU time (NaN: not measured), a browser's DOM update end (NaN: none). */
  private readonly renderAtMs = this.columns[6]!;
  private readonly renderCostMs = this.columns[7]!;
  private readonly renderDomUpdatedAtMs = this.columns[8]!;
  /** Per message stage (in pipeline order), message seq → first time the message reached it (NaN: not yet). */
  private readonly stamps: NumberColumn[] = this.columns.slice(FIXED_COLUMNS);
  /** Content messages (seq) and the end-of-stream status item's seq. */
  messageCount = 0;
  endSeq = -1;

  constructor(
    readonly requestStartMs: number,
    /** What the source reported about its server (empty for sources without one). */
    readonly upstream: UpstreamRecord = new UpstreamRecord(),
  ) {}

  /** Records a chunk handed over by the source at `atMs`. */
  emit(chunk: Pick<SourceChunk, 'text' | 'tokens'>, atMs: number): void {
    this.chunkEmitMs.push(atMs);
    this.chunkTokens.push(chunk.tokens);
    this.chunkMessageSeq.push(-1);
    this.chunkTexts.push(chunk.text);
  }

  /** Records that message `seq` carries `chunkCount` chunks from emit index `firstChunk` on (a batch is consecutive chunks). */
  assign(seq: number, firstChunk: number, chunkCount: number): void {
    const end = firstChunk + chunkCount;
    if (!(firstChunk >= 0 && end <= this.chunkCount)) throw new Error(`message ${seq} names chunks ${firstChunk}…${end - 1}, not all yet emitted (${this.chunkCount} so far)`);
    for (let index = firstChunk; index < end; index++) this.chunkMessageSeq.set(index, seq);
    this.messageCount = Math.max(this.messageCount, seq + 1);
  }

  /** Sets the message carrying chunk `index` without counting messages (a target's matching of chunks to events). */
  setChunkMessage(index: number, seq: number): void {
    if (index >= 0 && index < this.chunkCount) this.chunkMessageSeq.set(index, seq);
  }

  /** Stamps message `seq` at `stage`, keeping the first time it got there. */
  stamp(stage: MessageStage, seq: number, atMs: number): void {
    const stamps = this.stamps[MESSAGE_STAGE_INDEX[stage]]!; // every MessageStage has an index
    if (Number.isNaN(stamps.at(seq))) stamps.set(seq, atMs);
  }

  /** Time message `seq` first reached `stage`, if it did. */
  stampOf(stage: MessageStage, seq: number): number | undefined {
    const atMs = this.stamps[MESSAGE_STAGE_INDEX[stage]]!.at(seq);
    return Number.isNaN(atMs) ? undefined : atMs;
  }

  /** Every stamp of `stage` by message seq, NaN where a message did not reach it (a view: read it before the trace grows, do not write). */
  stampsOf(stage: MessageStage): Float64Array {
    return this.stamps[MESSAGE_STAGE_INDEX[stage]]!.view();
  }

  /** Records an event the client received at `atMs`. */
  receive(seq: number, atMs: number, end: boolean, hasContent: boolean): void {
    this.receivedSeq.push(seq);
    this.receivedAtMs.push(atMs);
    this.receivedFlags.push((end ? END : 0) | (hasContent ? HAS_CONTENT : 0));
  }

  /**
   * Records a render painted at `atMs` that showed messages `seqs` for the first time (each
   * stamped at `render`); `renderMs` is its measured CPU time, null when not measured.
   */
  render(atMs: number, renderMs: number | null, seqs: readonly number[], domUpdatedAtMs?: number): void {
    this.renderAtMs.push(atMs);
    this.renderCostMs.push(renderMs ?? Number.NaN);
    this.renderDomUpdatedAtMs.push(domUpdatedAtMs ?? Number.NaN);
    for (const seq of seqs) this.stamp('render', seq, atMs);
  }

  /** Chunks emitted so far. */
  get chunkCount(): number {
    return this.chunkTexts.length;
  }

  /** When chunk `index` was emitted. */
  emitMsAt(index: number): number {
    return this.chunkEmitMs.at(index);
  }

  /** Tokens chunk `index` carried. */
  tokensAt(index: number): number {
    return this.chunkTokens.at(index);
  }

  /** The message that carried chunk `index` (-1 until batched). */
  messageSeqAt(index: number): number {
    return this.chunkMessageSeq.at(index);
  }

  /** The text of chunk `index`. */
  textAt(index: number): string {
    return this.chunkTexts[index] ?? '';
  }

  /** Every chunk as a record (a copy, for tests and reports: not for per-token paths). */
  chunkRecords(): ChunkRecord[] {
    return this.chunkTexts.map((text, index) => ({ emitMs: this.emitMsAt(index), text, tokens: this.tokensAt(index), messageSeq: this.messageSeqAt(index) }));
  }

  /** Events the client received. */
  get receivedCount(): number {
    return this.receivedSeq.length;
  }

  /** The seq of received event `index` (arrival order). */
  receivedSeqAt(index: number): number {
    return this.receivedSeq.at(index);
  }

  /** When received event `index` arrived. */
  receivedAtMsAt(index: number): number {
    return this.receivedAtMs.at(index);
  }

  /** Whether received event `index` was the end-of-stream item. */
  receivedEndAt(index: number): boolean {
    return (this.receivedFlags.at(index) & END) !== 0;
  }

  /** Whether received event `index` carried text. */
  receivedHasContentAt(index: number): boolean {
    return (this.receivedFlags.at(index) & HAS_CONTENT) !== 0;
  }

  /** Renders recorded. */
  get renderCount(): number {
    return this.renderAtMs.length;
  }

  /** When render `index` was painted. */
  renderAtMsAt(index: number): number {
    return this.renderAtMs.at(index);
  }

  /** Render `index`'s measured CPU time, or null when it was not measured. */
  renderMsAt(index: number): number | null {
    const renderMs = this.renderCostMs.at(index);
    return Number.isNaN(renderMs) ? null : renderMs;
  }

  /** A browser render's DOM update end, or undefined for other clients. */
  domUpdatedAtMsAt(index: number): number | undefined {
    const atMs = this.renderDomUpdatedAtMs.at(index);
    return Number.isNaN(atMs) ? undefined : atMs;
  }

  /** The text the source sent, in order. */
  sentText(): string {
    // Appended, not joined: no second array of every chunk's text per stream.
    let text = '';
    for (const chunk of this.chunkTexts) text += chunk;
    return text;
  }

  /** Whether `text` is exactly the text the source sent, compared chunk by chunk (no copy of the sent text built). */
  sentTextEquals(text: string): boolean {
    let offset = 0;
    for (const chunk of this.chunkTexts) {
      if (!text.startsWith(chunk, offset)) return false;
      offset += chunk.length;
    }
    return offset === text.length;
  }

  /** Tokens the source sent. */
  tokenCount(): number {
    let tokens = 0;
    const column = this.chunkTokens.view();
    for (let index = 0; index < column.length; index++) tokens += column[index]!;
    return tokens;
  }
}
