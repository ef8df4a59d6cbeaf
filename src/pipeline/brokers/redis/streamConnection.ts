/**
 * What a stream's broker code sends its Redis commands on, and what it counts there. A stream
 * either owns its connections (CountedConnection: bytes read off its sockets) or sends on
 * connections the broker shares between streams (SharedConnections: bytes computed from the
 * RESP encoding). Both count commands, round trips and pushed messages the same way.
 */
import type { RespCommand } from './respBytes.js';
import type { ByteCounts } from './socketMeter.js';

export type { ByteCounts } from './socketMeter.js';

/** What a stream's connections sent and were pushed, shared by its connections. */
export interface ConnectionTally {
  commands: number;
  /** Replies the stream waited for: one per command, one per pipeline. */
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

/** Adds one command named `name` to `tally`. */
export function countCommand(tally: ConnectionTally, name: string): void {
  tally.commands++;
  tally.byName[name] = (tally.byName[name] ?? 0) + 1;
}

/** One role's connection as a stream sees it (producer, consumer or subscriber). */
export interface StreamConnection {
  /**
   * Sends one command: one command, one round trip. Resolves with the reply, or rejects when none
   * came within the broker's command deadline plus `waitMs` (a blocking command's own wait).
   * `sizeBytes`: the command's RESP size (commandBytes) when the caller already has it, so a
   * connection that counts it does not encode the command's words again.
   */
  send(command: RespCommand, waitMs?: number, sizeBytes?: number): Promise<unknown>;
  /** Sends commands as one pipeline: one round trip. Rejects with the first command error. */
  sendPipeline(commands: readonly RespCommand[]): Promise<unknown[]>;
  /** SUBSCRIBE to `channels` (one command, one round trip); `onMessage` gets every message after it. */
  subscribe(channels: string[], onMessage: (channel: string, message: string) => void): Promise<void>;
  /** Calls `listener` once if the connection closes before `close()` was asked for. */
  onUnexpectedClose(listener: (reason?: Error) => void): void;
  /** This stream's bytes written and read (frozen once closed). */
  bytes(): ByteCounts;
  /** Stops the stream's use of the connection (nothing more is counted); resolves once what it sent was processed or cannot be. Safe to call twice. */
  close(): Promise<void>;
}

/** The connection roles a stream family uses. */
export type ConnectionRole = 'producer' | 'consumer' | 'subscriber';

/** Opens one connection per role for a stream, all counting into `tally`; `homeKey` is a key of the stream (its cluster node). */
export type OpenStreamConnections = <Role extends ConnectionRole>(roles: readonly Role[], tally: ConnectionTally, homeKey: string) => Promise<Record<Role, StreamConnection>>;
