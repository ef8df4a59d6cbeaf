import type { Socket } from 'node:net';
import type { Clock } from '../../clock.js';

/**
 * Counts what a client received on its TCP sockets (one per connection, several after a
 * reconnect): `socket.bytesRead` is what the kernel handed over, so response heads, chunked
 * or WebSocket framing and bytes read but never parsed (before a drop) are all in, exactly.
 */
export class ClientSocketMeter {
  private readonly sockets = new Set<Socket>();
  private firstByteMs: number | null = null;

  constructor(private readonly clock: Clock) {}

  /** Starts counting a newly opened client socket. */
  add(socket: Socket): void {
    this.sockets.add(socket);
  }

  /** Records the first byte's arrival time; the transport calls it on the socket's first data. */
  noteFirstByte(): void {
    if (this.firstByteMs === null) this.firstByteMs = this.clock.nowMs();
  }

  /** Clock time of the first byte on any of the sockets, or null. */
  get firstByteAtMs(): number | null {
    return this.firstByteMs;
  }

  /** Bytes received so far on all sockets (bytesRead survives the socket's close). */
  bytes(): number {
    let total = 0;
    for (const socket of this.sockets) total += socket.bytesRead;
    return total;
  }

  /** Sockets opened so far (connections made). */
  get connections(): number {
    return this.sockets.size;
  }

  /** Destroys any socket still open and waits until every socket has closed. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.sockets].map(closeSocket));
  }
}

function closeSocket(socket: Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.destroy();
  });
}
