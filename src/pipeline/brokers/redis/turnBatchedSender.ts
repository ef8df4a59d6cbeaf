/**
 * How a shared producer or consumer connection sends: every command issued in one event-loop
 * turn leaves in one socket write, as with ioredis' auto-pipelining, at a fraction of its CPU.
 * Auto-pipelining builds a Pipeline object per turn, wraps each command's promise in two more
 * and a callback, and settles every reply in a nextTick of its own; here the socket is corked at
 * the turn's first command and uncorked in a setImmediate (after the turn's I/O callbacks, when
 * auto-pipelining would send), and each command goes straight to ioredis' sendCommand. Commands
 * reach the socket in the order they were sent, explicit pipelines included.
 */
import { Command, type Redis } from 'ioredis';

type Socket = Redis['stream'];

/** Sends commands on one connection, batched into one socket write per event-loop turn. */
export class TurnBatchedSender {
  /** The socket corked in this turn (null: nothing sent in it yet). */
  private corked: Socket | null = null;

  constructor(private readonly redis: Redis) {}

  /** Sends `name args…` (replies decoded as UTF-8 strings, as `redis.call` decodes them); resolves with the reply. */
  send(name: string, args: (string | number)[]): Promise<unknown> {
    this.corkThisTurn();
    const command = new Command(name, args, { replyEncoding: 'utf8' });
    this.redis.sendCommand(command);
    return command.promise as Promise<unknown>;
  }

  /**
   * Holds whatever is written on the connection for the rest of this turn (a no-op if already
   * held): commands sent through ioredis' own methods, such as a subscriber's SUBSCRIBE, then
   * leave with the turn's other commands in one socket write.
   */
  corkThisTurn(): void {
    if (this.corked !== null) return;
    // The socket a reconnect would replace is the one uncorked: it is kept, not looked up again.
    const socket = this.redis.stream;
    socket.cork();
    this.corked = socket;
    setImmediate(this.uncork);
  }

  private readonly uncork = (): void => {
    const socket = this.corked;
    this.corked = null;
    socket?.uncork();
  };
}
