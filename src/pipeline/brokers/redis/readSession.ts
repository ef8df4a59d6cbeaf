/**
 * One consumer's read of a stream: the promise `read()` returns, the order its work runs in,
 * and the de-duplication by position. Signals arrive while a read is in flight; running every
 * task in turn keeps reads from overlapping and items in order.
 */
import type { BrokerItem } from '../../types.js';

/** The consumer side of one stream, from read() until the end item (or a failure). */
export class ReadSession {
  /** Settles when the end item was delivered, or with the failure that stopped the read. */
  readonly done: Promise<void>;
  /** The position the next new item must have; anything below it was delivered already. */
  nextPosition = 0;
  private settled = false;
  private queue: Promise<void> = Promise.resolve();
  private resolveDone!: () => void;
  private rejectDone!: (error: Error) => void;

  constructor(private readonly onItems: (items: BrokerItem[]) => void) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // dispose() ends a read nobody may be awaiting any more (the run already failed); that
    // must not crash the process. Whoever awaits read() still gets the rejection.
    this.done.catch(() => {});
  }

  /** Whether the read still runs. */
  get active(): boolean {
    return !this.settled;
  }

  /** Hands over the items not delivered yet (by position), in order. */
  deliver(items: BrokerItem[]): void {
    if (this.settled) return;
    // The usual read has only new items: then no copy of them is made (checked in a loop: no closure per read).
    let allFresh = true;
    for (let i = 0; i < items.length && allFresh; i++) allFresh = items[i]!.position >= this.nextPosition;
    const fresh = allFresh ? items : items.filter((item) => item.position >= this.nextPosition);
    if (fresh.length === 0) return;
    this.nextPosition = fresh[fresh.length - 1]!.position + 1;
    try {
      this.onItems(fresh);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Runs `task` after every task queued before it; a failure ends the read. */
  enqueue(task: () => Promise<void> | void): void {
    this.queue = this.queue.then(() => this.runTask(task));
  }

  /** Runs one queued task; its failure fails the session (the queue itself never rejects). Not async: a read per signal of every stream runs here. */
  private runTask(task: () => Promise<void> | void): Promise<void> | void {
    if (this.settled) return;
    let running: Promise<void> | void;
    try {
      running = task();
    } catch (error) {
      this.fail(error);
      return;
    }
    if (running) return running.then(undefined, this.failTask);
  }

  private readonly failTask = (error: unknown): void => this.fail(error);

  /** Ends the read successfully. */
  finish(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveDone();
  }

  /** Ends the read with `error` (a no-op once settled). */
  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectDone(error instanceof Error ? error : new Error(String(error)));
  }
}
