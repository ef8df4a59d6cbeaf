/**
 * A connection that counts what the tool does on it: every command and round trip as it is
 * sent, and the RESP bytes that crossed its socket since the handshake ended.
 *
 * Bytes are the socket's own byte counters (`bytesWritten` / `bytesRead`) minus their value
 * once the connection was ready: exactly the RESP of the commands sent and of the replies and
 * pushed messages received, with the handshake (AUTH, SELECT, CLIENT SETNAME, the ready
 * check) left out. Each stream owns its connections, so nothing else shares these sockets.
 * Over TLS the counts are the TLS socket's.
 */
import type { Redis } from 'ioredis';
import { openRedisConnection } from './connection.js';

/** One Redis command: name first (lower case, as INFO commandstats names it), then its arguments. */
export type RedisCommand = readonly [name: string, ...args: (string | number)[]];

/** What a stream's connections sent and were pushed, shared by its connections. */
export interface ConnectionTally {
  commands: number;
  roundTrips: number;
  /** Pub/sub messages pushed to a subscribed connection. */
  messagesReceived: number;
  /** Commands per name, for cross-checks against INFO commandstats. */
  byName: Record<string, number>;
}

/** A new, empty tally. */
export function emptyConnectionTally(): ConnectionTally {
  return { commands: 0, roundTrips: 0, messagesReceived: 0, byName: {} };
}

/** Bytes that crossed one socket. */
export interface ByteCounts {
  written: number;
  read: number;
}

/** One counted connection of a stream (producer, consumer or subscriber). */
export class CountedConnection {
  private readonly baseline: ByteCounts;
  private finalBytes: ByteCounts | null = null;
  private closing = false;

  constructor(
    private readonly redis: Redis,
    private readonly tally: ConnectionTally,
  ) {
    this.baseline = this.socketBytes();
  }

  private socketBytes(): ByteCounts {
    return { written: this.redis.stream?.bytesWritten ?? 0, read: this.redis.stream?.bytesRead ?? 0 };
  }

  private countCommand(name: string): void {
    this.tally.commands++;
    this.tally.byName[name] = (this.tally.byName[name] ?? 0) + 1;
  }

  /** Sends one command: one command, one round trip. Resolves with the reply. */
  send(command: RedisCommand): Promise<unknown> {
    const [name, ...args] = command;
    this.countCommand(name);
    this.tally.roundTrips++;
    return this.redis.call(name, args);
  }

  /** Sends commands as one pipeline: one round trip. Rejects with the first command error. */
  async sendPipeline(commands: readonly RedisCommand[]): Promise<unknown[]> {
    for (const [name] of commands) this.countCommand(name);
    this.tally.roundTrips++;
    const results = await this.redis.pipeline(commands.map((command) => [...command])).exec();
    if (results === null) throw new Error('Redis pipeline was discarded');
    return results.map(([error, reply]) => {
      if (error) throw error;
      return reply;
    });
  }

  /** SUBSCRIBE to `channels` (one command, one round trip); `onMessage` gets every message after it. */
  async subscribe(channels: string[], onMessage: (channel: string, message: string) => void): Promise<void> {
    this.redis.on('message', (channel: string, message: string) => {
      this.tally.messagesReceived++;
      onMessage(channel, message);
    });
    this.countCommand('subscribe');
    this.tally.roundTrips++;
    await this.redis.subscribe(...channels);
  }

  /** Calls `listener` once if the connection closes before `close()` was asked for. */
  onUnexpectedClose(listener: () => void): void {
    this.redis.once('end', () => {
      if (!this.closing) listener();
    });
  }

  /** Bytes written and read since the handshake ended (frozen once closed). */
  bytes(): ByteCounts {
    const now = this.finalBytes ?? this.socketBytes();
    return { written: now.written - this.baseline.written, read: now.read - this.baseline.read };
  }

  /** Closes the socket without a command (nothing more is counted). Safe to call twice. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.finalBytes = this.socketBytes();
    this.redis.disconnect();
  }
}

/**
 * Opens one counted connection per role (in parallel) sharing `tally`; closes the ones that
 * opened when another fails.
 */
export async function openCountedConnections<Role extends string>(
  url: string,
  roles: readonly Role[],
  tally: ConnectionTally,
): Promise<Record<Role, CountedConnection>> {
  const attempts = await Promise.allSettled(roles.map((role) => openRedisConnection(url, role)));
  const failure = attempts.find((attempt) => attempt.status === 'rejected');
  if (failure) {
    for (const attempt of attempts) if (attempt.status === 'fulfilled') attempt.value.disconnect();
    throw failure.reason;
  }
  const connections = {} as Record<Role, CountedConnection>;
  roles.forEach((role, index) => {
    connections[role] = new CountedConnection((attempts[index] as PromiseFulfilledResult<Redis>).value, tally);
  });
  return connections;
}
