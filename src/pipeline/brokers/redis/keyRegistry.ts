/**
 * Every key a broker created, so that a stream's dispose() and, after a failure or SIGINT,
 * the broker's close() can delete them. Deletion goes over the broker's own admin connection:
 * it is harness work, not relay cost, so it is not counted, and it works even when a
 * stream's connection has broken.
 *
 * In a cluster one DEL may only name keys of one slot (else CROSSSLOT), so keys are deleted
 * with one DEL per slot there; on one server, one DEL for all.
 */
import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { awaitReply, type CommandDeadline } from './commandDeadline.js';
import type { RedisClient } from './connection.js';

/** The keys a broker created and has not deleted yet. */
export class KeyRegistry {
  private readonly live = new Set<string>();

  /** `deadline`: how long a DEL may go unanswered (a paused server must not hang the cleanup). */
  constructor(
    private readonly admin: RedisClient,
    private readonly deadline: CommandDeadline = { role: 'admin', redactedUrl: 'Redis', timeoutMs: 5000 },
  ) {}

  /** Records `key` before the command that creates it is sent, so a failed write still gets cleaned up. */
  track(key: string): void {
    this.live.add(key);
  }

  /** Deletes `keys` (those still live). */
  async delete(keys: readonly string[]): Promise<void> {
    const live = keys.filter((key) => this.live.has(key));
    if (live.length === 0) return;
    if (this.admin instanceof Cluster) {
      const bySlot = new Map<number, string[]>();
      for (const key of live) {
        const slot = calculateSlot(key);
        bySlot.set(slot, [...(bySlot.get(slot) ?? []), key]);
      }
      await Promise.all([...bySlot.values()].map((keys) => awaitReply(this.admin.del(...keys), this.deadline, 'del')));
    } else {
      await awaitReply(this.admin.del(...live), this.deadline, 'del');
    }
    for (const key of live) this.live.delete(key);
  }

  /** Stops tracking `keys` without deleting them: another process's side of the stream owns them. */
  forget(keys: readonly string[]): void {
    for (const key of keys) this.live.delete(key);
  }

  /** Deletes every key still live. */
  async deleteAll(): Promise<void> {
    await this.delete([...this.live]);
  }

  /** The keys still live (for diagnostics and tests). */
  liveKeys(): string[] {
    return [...this.live];
  }
}
