/**
 * Bytes that crossed a client's sockets since it was ready: each socket's own byte counters
 * (`bytesWritten` / `bytesRead`) minus their value when metering began, so handshakes done
 * before that (AUTH, SELECT, CLIENT SETNAME, the ready check) are left out.
 *
 * One server: the one socket. A Cluster client: every node connection it has or opens later.
 * The brokers open the connection to their stream's node before metering starts; the others
 * stay unopened unless the cluster redirects a command there (resharding during a run), and a
 * connection opened that late is counted from its first byte, handshake included.
 */
import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './connection.js';

/** Bytes that crossed one or more sockets. */
export interface ByteCounts {
  written: number;
  read: number;
}

function socketBytes(node: Redis): ByteCounts {
  return { written: node.stream?.bytesWritten ?? 0, read: node.stream?.bytesRead ?? 0 };
}

/** Meters a client's sockets from now on. */
export class SocketMeter {
  /** Each node connection and its byte counts when metering began. */
  private readonly baselines = new Map<Redis, ByteCounts>();
  private frozen: ByteCounts | null = null;

  constructor(client: RedisClient) {
    if (client instanceof Cluster) {
      for (const node of client.nodes('all')) this.baselines.set(node, socketBytes(node));
      // A node connection created later has sent nothing yet: all of its bytes count.
      client.on('+node', (node: Redis) => {
        if (!this.baselines.has(node)) this.baselines.set(node, { written: 0, read: 0 });
      });
    } else {
      this.baselines.set(client, socketBytes(client));
    }
  }

  /** Bytes written and read since metering began (frozen by `freeze()`). */
  bytes(): ByteCounts {
    if (this.frozen !== null) return { ...this.frozen };
    const total = { written: 0, read: 0 };
    for (const [node, baseline] of this.baselines) {
      const now = socketBytes(node);
      total.written += now.written - baseline.written;
      total.read += now.read - baseline.read;
    }
    return total;
  }

  /** Stops metering: later bytes (a close, a late reply) no longer count. */
  freeze(): void {
    this.frozen ??= this.bytes();
  }
}
