/**
 * The app's Redis, observed from outside: `INFO commandstats` before and after the measured
 * streams, the difference per command type. Read-only: nothing is written, flushed or
 * reconfigured — except, only when the scenario sets `redis.keyspaceNotifications: true`,
 * `notify-keyspace-events`, which is restored at the end, to time the app's writes.
 */
import { Redis } from 'ioredis';
import type { Clock } from '../clock.js';

/** Calls per command, from `INFO commandstats` (`cmdstat_rpush:calls=3,...` → { rpush: 3 }). Pure. */
export function parseCommandStats(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const line of info.split(/\r?\n/)) {
    const found = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (found) calls.set(found[1].toLowerCase(), Number(found[2]));
  }
  return calls;
}

/** The calls made between two snapshots, by command (commands with no calls left out). Pure. */
export function commandDelta(before: Map<string, number>, after: Map<string, number>, ignore: ReadonlySet<string>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [command, calls] of after) {
    if (ignore.has(command)) continue;
    const made = calls - (before.get(command) ?? 0);
    if (made > 0) delta[command] = made;
  }
  return delta;
}

// The observer's own commands (its INFO calls, its connection setup) are not the app's.
const OWN_COMMANDS = new Set(['info', 'client|setname', 'client|info', 'hello', 'ping', 'select', 'auth', 'config|get', 'config|set', 'psubscribe', 'punsubscribe']);

/** Watches one Redis for the duration of a config's measured streams. */
export class AppRedisStats {
  private before: Map<string, number> | null = null;
  private keyspace: Redis | null = null;
  private restoreNotify: string | null = null;
  /** Clock times of the keyspace notifications received (only with keyspace notifications on). */
  readonly writeTimesMs: number[] = [];

  private constructor(
    private readonly connection: Redis,
    private readonly url: string,
    private readonly clock: Clock,
  ) {}

  /** Connects (read-only use); throws with a message naming the setting when the Redis does not answer. */
  static async open(url: string, clock: Clock): Promise<AppRedisStats> {
    const connection = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000, commandTimeout: 5000, enableReadyCheck: false, connectionName: 'streambench-target-observer' });
    try {
      await connection.connect();
    } catch (error) {
      connection.disconnect();
      throw new Error(`target.redis.url: cannot connect to the app's Redis (${(error as Error).message})`);
    }
    return new AppRedisStats(connection, url, clock);
  }

  /** Takes the "before" snapshot; with keyspace notifications allowed, turns them on and subscribes. */
  async begin(keyspaceNotifications: boolean): Promise<void> {
    if (keyspaceNotifications) {
      const [, current] = (await this.connection.config('GET', 'notify-keyspace-events')) as [string, string];
      this.restoreNotify = current;
      // K: keyspace events, A: every class of command (g$lshzxe).
      await this.connection.config('SET', 'notify-keyspace-events', 'KA');
      this.keyspace = this.connection.duplicate();
      this.keyspace.on('pmessage', () => this.writeTimesMs.push(this.clock.nowMs()));
      await this.keyspace.psubscribe('__keyspace@*__:*');
    }
    this.before = parseCommandStats(await this.connection.info('commandstats'));
  }

  /** The app's calls by command since begin(). */
  async end(): Promise<Record<string, number>> {
    const after = parseCommandStats(await this.connection.info('commandstats'));
    const delta = commandDelta(this.before ?? new Map(), after, OWN_COMMANDS);
    await this.restore();
    return delta;
  }

  private async restore(): Promise<void> {
    if (this.keyspace) {
      this.keyspace.disconnect();
      this.keyspace = null;
    }
    if (this.restoreNotify !== null) {
      await this.connection.config('SET', 'notify-keyspace-events', this.restoreNotify);
      this.restoreNotify = null;
    }
  }

  /** Restores anything changed and disconnects. */
  async close(): Promise<void> {
    try {
      await this.restore();
    } finally {
      this.connection.disconnect();
    }
  }

  /** The URL observed (for the redacted label). */
  get observedUrl(): string {
    return this.url;
  }
}
