/**
 * The app's Redis, observed from outside: `INFO commandstats` before and after the measured
 * streams, the difference per command type (what Redis EXECUTED, a script's own commands
 * included), and — with MONITOR over the same interval — the commands clients SENT (MONITOR
 * marks the commands a script runs with the source "lua"; they are left out). Read-only:
 * nothing is written, flushed or reconfigured — except, only when the scenario sets
 * `redis.keyspaceNotifications: true`, `notify-keyspace-events`, which is restored at the end,
 * to time the app's writes.
 */
import { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import { redactUrl } from '../pipeline/brokers/redis/urlSecrets.js';

/** Calls per command, from `INFO commandstats` (`cmdstat_rpush:calls=3,...` → { rpush: 3 }). Pure. */
export function parseCommandStats(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const line of info.split(/\r?\n/)) {
    const [, command, count] = /^cmdstat_([^:]+):calls=(\d+)/.exec(line) ?? [];
    if (command !== undefined && count !== undefined) calls.set(command.toLowerCase(), Number(count));
  }
  return calls;
}

/** The calls made between two snapshots, by command, less the observer's own (`own`: known counts); commands with no calls left out. Pure. */
export function commandDelta(
  before: Map<string, number>,
  after: Map<string, number>,
  ignore: ReadonlySet<string>,
  own: Readonly<Record<string, number>> = {},
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [command, calls] of after) {
    if (ignore.has(command)) continue;
    const made = calls - (before.get(command) ?? 0) - (own[command] ?? 0);
    if (made > 0) delta[command] = made;
  }
  return delta;
}

// Commands whose first argument names the subcommand (as INFO commandstats names them: client|setname).
const CONTAINER_COMMANDS = new Set([
  'acl',
  'client',
  'cluster',
  'command',
  'config',
  'function',
  'latency',
  'memory',
  'module',
  'object',
  'pubsub',
  'script',
  'slowlog',
  'xgroup',
  'xinfo',
]);

/** A MONITOR line's command name as INFO commandstats spells it (`client|setname`). Pure. */
export function commandName(args: readonly string[]): string {
  const name = (args[0] ?? '').toLowerCase();
  return CONTAINER_COMMANDS.has(name) && args[1] !== undefined ? `${name}|${args[1].toLowerCase()}` : name;
}

/**
 * Counts the commands clients send, from MONITOR lines, between the observer's start and end
 * markers (ECHO tokens sent inside its MULTI blocks, so the marker and the INFO snapshot are one
 * point in Redis's command order). Lines from a script (source "lua") are not sent by a client.
 * The observer's own lines in that interval are known exactly (its EXEC after the start marker,
 * its MULTI before the end marker) and taken out. Pure state machine.
 */
export class SentCommandCounter {
  private state: 'before' | 'counting' | 'done' = 'before';
  private skipNext = false;
  readonly sent = new Map<string, number>();
  /** Commands a script ran (for the record: INFO counts them under their own names). */
  scriptRun = 0;

  constructor(
    private readonly startToken: string,
    private readonly endToken: string,
  ) {}

  /** Feeds one MONITOR line (its arguments and its source: "lua" or a client address). */
  line(args: readonly string[], source: string): void {
    const name = commandName(args);
    if (this.state === 'before') {
      if (name === 'echo' && args[1] === this.startToken) {
        this.state = 'counting';
        this.skipNext = true; // the EXEC of the observer's start block
      }
      return;
    }
    if (this.state === 'done') return;
    if (this.skipNext) {
      this.skipNext = false;
      if (name === 'exec') return;
    }
    if (name === 'echo' && args[1] === this.endToken) {
      this.state = 'done';
      // The MULTI that opened the observer's end block was printed when it arrived.
      const multi = (this.sent.get('multi') ?? 0) - 1;
      if (multi > 0) this.sent.set('multi', multi);
      else this.sent.delete('multi');
      return;
    }
    if (source === 'lua') {
      this.scriptRun++;
      return;
    }
    this.sent.set(name, (this.sent.get(name) ?? 0) + 1);
  }

  /** True once the end marker was seen: every command before it has been counted. */
  get complete(): boolean {
    return this.state === 'done';
  }
}

/** What the observer saw between begin() and end(). */
export interface AppRedisCalls {
  /** INFO commandstats deltas: what Redis executed, a script's commands included. */
  executed: Record<string, number>;
  /** Commands clients sent (MONITOR, script lines left out), or null with `sentNote` saying why. */
  sent: Record<string, number> | null;
  sentNote?: string;
}

// The observer's only commands between the two INFO snapshots (its connection, MONITOR and
// keyspace subscription are set up before): the start block's INFO (counted once it returns),
// ECHO and EXEC, the end block's MULTI and ECHO. Everything else is the app's (or another
// client's), an app's INFO ready check included.
const OWN_MARKER_CALLS = { info: 1, echo: 2, exec: 1, multi: 1 };

// How long the end marker may take to come back through MONITOR.
const MONITOR_DRAIN_MS = 5000;

/** Watches one Redis for the duration of a config's measured streams. */
export class AppRedisStats {
  private before: Map<string, number> | null = null;
  private keyspace: Redis | null = null;
  private monitor: Redis | null = null;
  private counter: SentCommandCounter | null = null;
  private monitorProblem: string | null = null;
  private onCounted: (() => void) | null = null;
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
    const connection = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 3000,
      commandTimeout: 5000,
      enableReadyCheck: false,
      connectionName: 'streambench-target-observer',
    });
    // Errors come back through connect() and commands; the first one names the cause (connect() says only "Connection is closed").
    let firstError: Error | null = null;
    connection.on('error', (error: Error) => (firstError ??= error));
    try {
      await connection.connect();
    } catch (error) {
      connection.disconnect();
      throw new Error(`target.redis.url: cannot connect to the app's Redis at ${redactUrl(url)} (${(firstError ?? (error as Error)).message})`);
    }
    return new AppRedisStats(connection, url, clock);
  }

  /**
   * Takes the "before" snapshot; with `countSent`, starts MONITOR first (read-only) to count the
   * commands clients send; with keyspace notifications allowed, turns them on and subscribes.
   */
  async begin(keyspaceNotifications: boolean, countSent = true): Promise<void> {
    if (keyspaceNotifications) {
      const [, current] = (await this.connection.config('GET', 'notify-keyspace-events')) as [string, string];
      this.restoreNotify = current;
      // K: keyspace events, A: every class of command (g$lshzxe).
      await this.connection.config('SET', 'notify-keyspace-events', 'KA');
      this.keyspace = this.connection.duplicate();
      this.keyspace.on('pmessage', () => this.writeTimesMs.push(this.clock.nowMs()));
      await this.keyspace.psubscribe('__keyspace@*__:*');
    }
    const token = `streambench-${process.pid}-${Math.random().toString(36).slice(2)}`;
    if (countSent) await this.startMonitor(`${token}-start`, `${token}-end`);
    else this.monitorProblem = 'not counted (redis.countSent: false)';
    // The snapshot and the start marker at one point of Redis's command order.
    const [[, info]] = (await this.connection.multi().info('commandstats').echo(`${token}-start`).exec()) as [[Error | null, string]];
    this.before = parseCommandStats(info);
    this.endToken = `${token}-end`;
  }

  private endToken = '';

  private async startMonitor(startToken: string, endToken: string): Promise<void> {
    // What `connection.monitor()` does, but a refused MONITOR's connection is closed, not left reconnecting.
    const instance = this.connection.duplicate({ monitor: true, lazyConnect: false, connectionName: 'streambench-target-monitor' });
    try {
      await new Promise<void>((resolve, reject) => {
        instance.once('error', reject);
        instance.once('monitoring', () => {
          instance.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      instance.disconnect();
      // A managed Redis or an ACL may refuse MONITOR: the executed counts still stand.
      this.monitorProblem = `not counted: MONITOR was refused (${(error as Error).message})`;
      return;
    }
    this.monitor = instance;
    const counter = new SentCommandCounter(startToken, endToken);
    this.counter = counter;
    this.monitor.on('monitor', (_time: string, args: string[], source: string) => {
      counter.line(args, source);
      if (counter.complete) this.onCounted?.();
    });
    this.monitor.on('error', (error: Error) => {
      this.monitorProblem ??= `not counted: the MONITOR connection failed (${error.message})`;
      this.onCounted?.();
    });
  }

  /** The app's calls by command since begin(): executed (INFO) and, where counted, sent (MONITOR). */
  async end(): Promise<AppRedisCalls> {
    // The end marker before the snapshot, in one block: the MONITOR count stops where INFO's does.
    const [, [, info]] = (await this.connection.multi().echo(this.endToken).info('commandstats').exec()) as [unknown, [Error | null, string]];
    const executed = commandDelta(this.before ?? new Map(), parseCommandStats(info), new Set(), OWN_MARKER_CALLS);
    let sent: Record<string, number> | null = null;
    const counter = this.counter;
    if (counter) {
      if (!counter.complete) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, MONITOR_DRAIN_MS);
          this.onCounted = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      if (counter.complete) sent = Object.fromEntries(counter.sent);
      else this.monitorProblem ??= `not counted: MONITOR did not deliver the end marker within ${MONITOR_DRAIN_MS} ms`;
    }
    await this.restore();
    return { executed, sent, ...(sent === null && { sentNote: this.monitorProblem ?? 'not counted' }) };
  }

  private async restore(): Promise<void> {
    if (this.monitor) {
      this.monitor.disconnect();
      this.monitor = null;
    }
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
