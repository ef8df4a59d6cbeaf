/**
 * What every Redis stream shares, whatever its strategy family: its counted connections and
 * their counters, the producer's acknowledged-item count the lag is measured against, write
 * failures a fire-and-forget producer never awaited, and disposal (close the connections,
 * delete the keys, end a read still waiting).
 */
import type { BrokerCounters, BrokerItem, BrokerStream, StreamRole } from '../../types.js';
import type { ConnectionTally, OpenStreamConnections, StreamConnection } from './streamConnection.js';
import type { KeyRegistry } from './keyRegistry.js';
import type { StreamKeys } from './keys.js';
import { ReadSession } from './readSession.js';

/** A Redis broker stream; also tells which commands it sent, for checks against INFO commandstats. */
export interface RedisBrokerStream extends BrokerStream {
  /** Commands sent on this stream's connections, per lower-case name. */
  commandsByName(): Record<string, number>;
}

/** Where a stream lives and who cleans up after it. */
export interface RedisStreamPlace {
  keys: StreamKeys;
  keyRegistry: KeyRegistry;
  /** For messages: the URL with its password redacted. */
  redactedUrl: string;
  /** Tells the broker the stream no longer needs cleaning up at close(). */
  onDispose(): void;
  /** The side(s) of the stream this process opened; a `consumer` side owns the keys. */
  role: StreamRole;
  /** Opens the stream's connections: its own, or views of the broker's shared ones. */
  openConnections: OpenStreamConnections;
}

/** The connection roles one side of a stream needs: the producer's, the consumer's, or both. */
export function connectionRolesFor<Role extends string>(side: StreamRole, producer: readonly Role[], consumer: readonly Role[]): Role[] {
  if (side === 'producer') return [...producer];
  if (side === 'consumer') return [...consumer];
  return [...producer, ...consumer];
}

/** How long dispose() waits for the stream's writes in flight before its DEL, at most. */
const WRITES_SETTLE_CAP_MS = 2000;

/** The shared half of a Redis stream; each family adds how it writes and how it reads. */
export abstract class RedisStreamBase implements RedisBrokerStream {
  abstract readonly awaitWrites: boolean;
  /** Writes `items` in the family's way; `ends`: the last of them is the end item, and the end is signalled. */
  protected abstract writeItems(items: readonly string[], ends: boolean): Promise<void>;
  /** Starts the family's consumer on `session` (queueing its work; nothing awaited here). */
  protected abstract startReading(session: ReadSession): void;

  /** Items the server has acknowledged to the producer (reads are measured against it). */
  protected itemsAcknowledged = 0;
  /** The consumer's read, once read() was called. */
  protected session: ReadSession | null = null;
  private readLagMaxItems = 0;
  private writeFailure: unknown = null;
  private disposed = false;
  /** Writes sent and not yet answered, and who waits for them to reach zero (dispose). */
  private writesInFlight = 0;
  private onWritesSettled: (() => void) | null = null;
  private readonly allConnections: StreamConnection[];

  constructor(
    protected readonly place: RedisStreamPlace,
    private readonly tally: ConnectionTally,
    connectionsByRole: Partial<Record<string, StreamConnection>>,
  ) {
    const opened = Object.entries(connectionsByRole).filter((entry): entry is [string, StreamConnection] => entry[1] !== undefined);
    this.allConnections = opened.map(([, connection]) => connection);
    for (const [role, connection] of opened) {
      connection.onUnexpectedClose((reason) => this.session?.fail(reason ?? new Error(`Redis ${role} connection to ${place.redactedUrl} closed during the stream`)));
    }
  }

  write(items: string[]): Promise<void> {
    // A disposed stream's keys are deleted: a write now (an aborted producer's next chunk, on a
    // shared connection still open for other streams) would make the key again, without a TTL.
    if (this.disposed) return Promise.reject(new Error('write() on a disposed stream'));
    return this.tracked(this.writeItems(items, false));
  }

  /** Writes the end item, then reports the first failure of any write nobody awaited. */
  async end(endItem: string): Promise<void> {
    if (this.disposed) throw new Error('end() on a disposed stream');
    await this.tracked(this.writeItems([endItem], true));
    this.throwIfAWriteFailed();
  }

  /**
   * Starts the one read this stream allows. Returns the session's own promise, which never
   * counts as an unhandled rejection (see ReadSession), rather than an async wrapper that would.
   */
  read(onItems: (items: BrokerItem[]) => void): Promise<void> {
    if (this.disposed) return Promise.reject(new Error('read() on a disposed stream'));
    if (this.place.role === 'producer') return Promise.reject(new Error('read() on a stream opened for its producer side only'));
    if (this.session !== null) return Promise.reject(new Error('read() was already called on this stream'));
    this.session = new ReadSession(onItems);
    this.startReading(this.session);
    return this.session.done;
  }

  /** Subscribe-before-catch-up (list) and catch-up from the start (stream) miss nothing written before: no wait. */
  readerJoined(): Promise<void> {
    return Promise.resolve();
  }

  producerAcknowledged(items: number): void {
    this.itemsAcknowledged = Math.max(this.itemsAcknowledged, items);
  }

  /** The connection of `role`, or a clear error when this process opened only the other side of the stream. */
  protected opened(connection: StreamConnection | undefined, role: string): StreamConnection {
    if (connection === undefined) throw new Error(`this stream was opened for its ${this.place.role} side only: it has no ${role} connection`);
    return connection;
  }

  /**
   * Remembers a failure of `write` even when the producer does not await it (fire-and-forget),
   * so end() can report it; the promise is returned unchanged.
   */
  private tracked<T>(write: Promise<T>): Promise<T> {
    this.writesInFlight++;
    write.then(
      () => this.writeSettled(),
      (error: unknown) => {
        this.writeFailure ??= error;
        this.writeSettled();
      },
    );
    return write;
  }

  private writeSettled(): void {
    if (--this.writesInFlight === 0) this.onWritesSettled?.();
  }

  /** Resolves once no write of this stream is in flight, or after `capMs` (each write has its own deadline too). */
  private writesSettled(capMs: number): Promise<void> {
    if (this.writesInFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, capMs);
      timer.unref();
      this.onWritesSettled = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Throws the first failure of a write nobody awaited. */
  private throwIfAWriteFailed(): void {
    if (this.writeFailure !== null) throw this.writeFailure;
  }

  /**
   * Records what one read pass left behind: items the server had acknowledged to the producer
   * before the pass began that the consumer still has not read. Items acknowledged during the
   * pass are not counted, so it is a lower bound, exact whenever writes are awaited.
   */
  protected noteReadPass(itemsAcknowledgedBefore: number): void {
    const leftBehind = itemsAcknowledgedBefore - (this.session?.nextPosition ?? 0);
    this.readLagMaxItems = Math.max(this.readLagMaxItems, leftBehind);
  }

  counters(): BrokerCounters {
    let bytesWritten = 0;
    let bytesRead = 0;
    for (const connection of this.allConnections) {
      const bytes = connection.bytes();
      bytesWritten += bytes.written;
      bytesRead += bytes.read;
    }
    return {
      redisCommands: this.tally.commands,
      redisRoundTrips: this.tally.roundTrips,
      redisBytesWritten: bytesWritten,
      redisBytesRead: bytesRead,
      redisSignalsReceived: this.tally.messagesReceived,
      readLagMaxItems: this.readLagMaxItems,
    };
  }

  commandsByName(): Record<string, number> {
    return { ...this.tally.byName };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.place.onDispose();
    this.session?.fail(new Error('the stream was disposed before its end item was read'));
    // Closed before the DEL: a write of an aborted stream still on its way would re-create the key without a TTL.
    await Promise.all(this.allConnections.map((connection) => connection.close()));
    // A shared connection stays open for the other streams: this stream's writes still on it are waited for too.
    await this.writesSettled(WRITES_SETTLE_CAP_MS);
    // A producer side must not delete what its consumer, in another process, may still be
    // reading: the consumer side owns the keys and deletes them.
    if (this.place.role === 'producer') this.place.keyRegistry.forget([this.place.keys.responses]);
    else await this.place.keyRegistry.delete([this.place.keys.responses]);
  }
}
