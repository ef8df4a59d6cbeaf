/**
 * Every key a broker created, so that a stream's dispose() and, after a failure or SIGINT,
 * the broker's close() can delete them. Deletion goes over the broker's own admin connection:
 * it is harness work, not relay cost, so it is not counted, and it works even when a
 * stream's connection has broken.
 */
import type { Redis } from 'ioredis';

/** The keys a broker created and has not deleted yet. */
export class KeyRegistry {
  private readonly live = new Set<string>();

  constructor(private readonly admin: Redis) {}

  /** Records `key` before the command that creates it is sent, so a failed write still gets cleaned up. */
  track(key: string): void {
    this.live.add(key);
  }

  /** Deletes `keys` (those still live). */
  async delete(keys: readonly string[]): Promise<void> {
    const live = keys.filter((key) => this.live.has(key));
    if (live.length === 0) return;
    await this.admin.del(...live);
    for (const key of live) this.live.delete(key);
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
