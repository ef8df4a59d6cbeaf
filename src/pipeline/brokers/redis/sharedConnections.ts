/**
 * `connections: shared`: one producer, one consumer and one subscriber connection per broker,
 * used by all of its streams, as a relay process with a connection pool and one multiplexed
 * pub/sub connection works. Producer and consumer connections batch by turn: the commands all
 * streams issue in one event-loop turn leave in one socket write (turnBatchedSender.ts), which
 * is what lets one process carry a thousand streams (a write per command costs a wake-up of the
 * Redis process). The subscriber batches the same way: the SUBSCRIBEs of the streams that start
 * in one turn (and the UNSUBSCRIBEs of those that end) leave in one write.
 *
 * Counting stays per stream and exact: commands, round trips and pushed messages are counted
 * as each stream sends or receives them, and bytes are computed from the RESP encoding of the
 * stream's commands and replies (respBytes.ts). Traffic that belongs to no stream (the
 * UNSUBSCRIBE when a stream ends, a late message for a channel just left) is kept apart as
 * `unattributedBytes()`, so the streams' bytes plus it equal the sockets' counters.
 */
import { type Redis, ReplyError } from 'ioredis';
import { type CommandDeadline, ConnectionDeadline, namedFailure } from './commandDeadline.js';
import { openRedisConnection, quitAfterPending } from './connection.js';
import { isClusterUrl } from './clusterUrl.js';
import { RedisSetupError } from './redisSetupError.js';
import { commandBytes, pushedMessageBytes, replyBytes, type RespCommand, type RespReply, subscriptionReplyBytes } from './respBytes.js';
import { SocketMeter, type ByteCounts } from './socketMeter.js';
import { type ConnectionRole, type ConnectionTally, countCommand, type StreamConnection } from './streamConnection.js';
import { TurnBatchedSender } from './turnBatchedSender.js';

type MessageHandler = (channel: string, message: string) => void;

/** One shared connection, its byte meter and who to tell when it closes unexpectedly. */
interface SharedLink {
  redis: Redis;
  /** Sends a stream's commands, one socket write per event-loop turn. */
  sender: TurnBatchedSender;
  meter: SocketMeter;
  /** The deadline of every command on it, for all streams. */
  watch: ConnectionDeadline;
  closeListeners: Set<(reason?: Error) => void>;
}

/** The connections a broker's streams share, opened on first use per role. */
export class SharedConnections {
  private readonly links = new Map<ConnectionRole, Promise<SharedLink>>();
  /** Subscriber: the stream that listens on each channel. */
  private readonly handlers = new Map<string, MessageHandler>();
  /** Channels the subscriber connection is subscribed to, as the server will count them in its replies. */
  private subscribedChannels = 0;
  private readonly unattributed: ByteCounts = { written: 0, read: 0 };
  /** Bytes of connections that closed unexpectedly: still part of what crossed the shared sockets. */
  private readonly retired: ByteCounts = { written: 0, read: 0 };
  private closing = false;

  /** Refuses a Redis Cluster: its pub/sub and pipelines are routed per node, which one shared connection cannot do. */
  constructor(
    private readonly url: string,
    private readonly deadline: Omit<CommandDeadline, 'role'>,
  ) {
    if (isClusterUrl(url)) {
      throw new RedisSetupError('broker.connections: shared needs a single Redis server, not a Redis Cluster; use connections: per-stream with redis+cluster:// URLs');
    }
  }

  /** Views of the shared connections for one stream's `roles`, counting into its `tally`. */
  async open<Role extends ConnectionRole>(roles: readonly Role[], tally: ConnectionTally): Promise<Record<Role, StreamConnection>> {
    const views = {} as Record<Role, StreamConnection>;
    for (const role of roles) views[role] = new SharedConnectionView(await this.link(role), tally, this, { ...this.deadline, role: `shared ${role}` });
    return views;
  }

  /** Bytes on the shared sockets that belong to no stream. */
  unattributedBytes(): ByteCounts {
    return { ...this.unattributed };
  }

  /** Bytes that crossed the shared sockets since they opened (handshakes excluded): the streams' bytes plus the unattributed ones. */
  async socketBytes(): Promise<ByteCounts> {
    const total = { ...this.retired };
    for (const link of await Promise.all(this.links.values())) {
      const bytes = link.meter.bytes();
      total.written += bytes.written;
      total.read += bytes.read;
    }
    return total;
  }

  /** Closes every shared connection (streams still open see an unexpected close: none should be). */
  async close(): Promise<void> {
    this.closing = true;
    const links = (await Promise.allSettled(this.links.values())).flatMap((link) => (link.status === 'fulfilled' ? [link.value] : []));
    for (const link of links) link.watch.stop();
    // Every stream's writes processed before the broker deletes their keys (see quitAfterPending).
    await Promise.all(links.map((link) => quitAfterPending(link.redis)));
  }

  /** @internal Sends SUBSCRIBE for a stream on the subscriber `link`, in the turn's write; returns the bytes of the server's confirmations. */
  subscribe(link: SharedLink, channels: string[], handler: MessageHandler): { sent: Promise<unknown>; replyBytes: number } {
    let confirmationBytes = 0;
    for (const channel of channels) {
      this.handlers.set(channel, handler);
      confirmationBytes += subscriptionReplyBytes('subscribe', channel, ++this.subscribedChannels);
    }
    link.sender.corkThisTurn();
    return { sent: link.redis.subscribe(...channels), replyBytes: confirmationBytes };
  }

  /** @internal Leaves a stream's channels, in the turn's write; the traffic is nobody's stream's. */
  unsubscribe(link: SharedLink, channels: string[]): void {
    const { redis } = link;
    if (this.closing || redis.status !== 'ready') return;
    this.unattributed.written += commandBytes(['unsubscribe', ...channels]);
    for (const channel of channels) {
      this.handlers.delete(channel);
      this.unattributed.read += subscriptionReplyBytes('unsubscribe', channel, --this.subscribedChannels);
    }
    link.sender.corkThisTurn();
    redis.unsubscribe(...channels).catch(() => {});
  }

  /** @internal Counts bytes that arrived for a stream that had stopped counting. */
  addUnattributedRead(bytes: number): void {
    this.unattributed.read += bytes;
  }

  private link(role: ConnectionRole): Promise<SharedLink> {
    let link = this.links.get(role);
    if (link === undefined) {
      link = this.openLink(role);
      this.links.set(role, link);
      // A failed open is retried by the next stream rather than cached.
      link.catch(() => this.links.delete(role));
    }
    return link;
  }

  private async openLink(role: ConnectionRole): Promise<SharedLink> {
    const redis = await openRedisConnection(this.url, `shared-${role}`, this.deadline.timeoutMs);
    const link: SharedLink = {
      redis,
      sender: new TurnBatchedSender(redis),
      meter: new SocketMeter(redis),
      watch: new ConnectionDeadline(redis, { ...this.deadline, role: `shared ${role}` }),
      closeListeners: new Set(),
    };
    redis.once('end', () => {
      if (this.closing) return;
      // Streams on it fail; later streams open a new connection (Redis may be back), and a new
      // subscriber starts with no channels. Its bytes stay in the socket totals.
      const bytes = link.meter.bytes();
      link.meter.freeze();
      this.retired.written += bytes.written;
      this.retired.read += bytes.read;
      this.links.delete(role);
      if (role === 'subscriber') {
        this.handlers.clear();
        this.subscribedChannels = 0;
      }
      link.watch.stop();
      for (const listener of link.closeListeners) listener(link.watch.expired ?? undefined);
    });
    if (role === 'subscriber') {
      redis.on('message', (channel: string, message: string) => {
        const handler = this.handlers.get(channel);
        if (handler) handler(channel, message);
        else this.unattributed.read += pushedMessageBytes(channel, message);
      });
    }
    return link;
  }
}

/** One stream's use of a shared connection. */
class SharedConnectionView implements StreamConnection {
  private readonly counted: ByteCounts = { written: 0, read: 0 };
  private readonly channels: string[] = [];
  private closed = false;
  private closeListener: (() => void) | null = null;

  constructor(
    private readonly link: SharedLink,
    private readonly tally: ConnectionTally,
    private readonly shared: SharedConnections,
    private readonly deadline: CommandDeadline,
  ) {}

  send(command: RespCommand, waitMs = 0, sizeBytes?: number): Promise<unknown> {
    const name = command[0];
    this.countSentCommand(name, sizeBytes ?? commandBytes(command));
    // Chained, not awaited in an async function: per command (two or three per token) an async
    // frame was a promise and a microtask more. A synchronous failure still becomes a rejection.
    let reply: Promise<unknown>;
    try {
      reply = this.link.watch.track(this.link.sender.send(name, command.slice(1)), name, waitMs);
    } catch (error) {
      return Promise.reject(error);
    }
    return reply.then(this.countReply, this.countReplyError);
  }

  /** Counts a reply's bytes and passes it on. */
  private readonly countReply = (reply: unknown): unknown => {
    this.countRead(replyBytes(reply as RespReply));
    return reply;
  };

  /** Counts a reply error's bytes (it crossed the wire; a closed connection's error did not) and passes it on. */
  private readonly countReplyError = (error: unknown): never => {
    if (error instanceof ReplyError) this.countRead(replyBytes(error as Error));
    throw error;
  };

  async sendPipeline(commands: readonly RespCommand[]): Promise<unknown[]> {
    this.countSent(commands); // one round trip for the whole pipeline
    const label = `pipeline (${commands.map(([name]) => name).join(' ')})`;
    const results = await this.link.watch.track(this.link.redis.pipeline(commands.map((command) => [...command])).exec(), label);
    if (results === null) throw new Error('Redis pipeline was discarded');
    for (const [error, reply] of results) this.countRead(replyBytes(error ?? (reply as RespReply)));
    return results.map(([error, reply]) => {
      if (error) throw namedFailure(error, this.deadline, label.toUpperCase());
      return reply;
    });
  }

  async subscribe(channels: string[], onMessage: (channel: string, message: string) => void): Promise<void> {
    this.countSent([['subscribe', ...channels]]);
    this.channels.push(...channels);
    const { sent, replyBytes: confirmationBytes } = this.shared.subscribe(this.link, channels, (channel, message) => {
      this.tally.messagesReceived++;
      this.countRead(pushedMessageBytes(channel, message));
      onMessage(channel, message);
    });
    this.countRead(confirmationBytes);
    await this.link.watch.track(sent, 'subscribe');
  }

  onUnexpectedClose(listener: (reason?: Error) => void): void {
    const once = (reason?: Error) => {
      this.link.closeListeners.delete(once);
      if (!this.closed) listener(reason);
    };
    this.closeListener = once;
    this.link.closeListeners.add(once);
  }

  bytes(): ByteCounts {
    return { ...this.counted };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.closeListener) this.link.closeListeners.delete(this.closeListener);
    if (this.channels.length > 0) this.shared.unsubscribe(this.link, this.channels);
  }

  /** Counts `commands` sent as one round trip, and their bytes. */
  private countSent(commands: readonly RespCommand[]): void {
    this.tally.roundTrips++;
    for (const command of commands) {
      countCommand(this.tally, command[0]);
      this.counted.written += commandBytes(command);
    }
  }

  /** countSent([command]) without the array, its size given: once per command on the hot path. */
  private countSentCommand(name: string, sizeBytes: number): void {
    this.tally.roundTrips++;
    countCommand(this.tally, name);
    this.counted.written += sizeBytes;
  }

  private countRead(bytes: number): void {
    if (this.closed) this.shared.addUnattributedRead(bytes);
    else this.counted.read += bytes;
  }
}
