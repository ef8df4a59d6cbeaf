/**
 * The sequence numbers seen in one stream, for dropping duplicates. A stream's own seqs count up
 * from 0: those are flags in an array (a Set per stream grew and rehashed on every stream); any
 * other seq (a relay's own numbering, a negative or a fraction) goes to a Set.
 */

/** Seqs below this are flags unless the stream says fewer (a larger one goes to the Set). */
const MAX_FLAGGED_SEQ = 1 << 20;

/** Seqs seen so far in one stream. */
export class SeenSeqs {
  private readonly flags: boolean[] = [];
  private others: Set<number> | null = null;

  /** `flaggedBelow`: seqs from 0 up to this (exclusive) are flags; a stream that knows its message count passes it. */
  constructor(private readonly flaggedBelow = MAX_FLAGGED_SEQ) {}

  /** Marks `seq` seen; false when it already was. */
  add(seq: number): boolean {
    if (Number.isInteger(seq) && seq >= 0 && seq < this.flaggedBelow) {
      while (this.flags.length <= seq) this.flags.push(false);
      if (this.flags[seq]) return false;
      this.flags[seq] = true;
      return true;
    }
    this.others ??= new Set<number>();
    if (this.others.has(seq)) return false;
    this.others.add(seq);
    return true;
  }

  /** Whether `seq` was seen. */
  has(seq: number): boolean {
    return this.flags[seq] === true || this.others?.has(seq) === true;
  }
}
