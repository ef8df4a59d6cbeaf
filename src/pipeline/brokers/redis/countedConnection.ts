/**
 * A connection one stream owns (`connections: per-stream`) that counts what the tool does on
 * it: every command and round trip as it is sent, and the RESP bytes that crossed its sockets
 * since the handshake ended (SocketMeter).
 *
 * The stream owns these connections, so nothing else shares these sockets. Over TLS the counts
 * are the TLS socket's. With a Redis Cluster, one "connection" is one Cluster client: keyed
 * commands and pipelines go through it (routed by slot), PUBLISH and SUBSCRIBE go straight to
 * its connection to the stream's node (see `send`), and bytes are summed over its node
 * connections — in a stable cluster only that one carries traffic.
 */
import { Cluster, type Redis } from 'ioredis';
import { awaitReply, type CommandDeadline, ConnectionDeadline, namedFailure } from './commandDeadline.js';
import { openRedisLink, quitAfterPending, type RedisLink } from './connection.js';
import { type ByteCounts, SocketMeter } from './socketMeter.js';
import type { RespCommand } from './respBytes.js';
import { type ConnectionRole, type ConnectionTally, countCommand, type StreamConnection } from './streamConnection.js';

/**
 * Commands the Cluster client would send to a random master because they name no key. PUBLISH
 * goes to the stream's node instead: a signal sent on another socket than the RPUSH it
 * announces can overtake it, and payloads published through different nodes can arrive out of
 * order. On the stream's node, everything one producer sends stays in order, as on one server.
 */
const SENT_TO_THE_STREAMS_NODE = new Set(['publish']);

/** Closing waits at most this long (and never longer than a command may) for the server's QUIT reply. */
const QUIT_WAIT_CAP_MS = 1000;

/** One counted connection of a stream (producer, consumer or subscriber). */
export class CountedConnection implements StreamConnection {
  private readonly meter: SocketMeter;
  /** One server: one watch for all commands (cheap); a Cluster client: a timer per command. */
  private readonly watch: ConnectionDeadline | null;
  private closing = false;

  constructor(
    private readonly link: RedisLink,
    private readonly tally: ConnectionTally,
    private readonly deadline: CommandDeadline,
  ) {
    this.meter = new SocketMeter(link.client);
    this.watch = link.client instanceof Cluster ? null : new ConnectionDeadline(link.client, deadline);
  }

  /** `reply` of `command`, failing when it is overdue or the connection fails (named with role, command, URL). */
  private withDeadline<T>(reply: Promise<T>, command: string, waitMs = 0): Promise<T> {
    return this.watch ? this.watch.track(reply, command, waitMs) : awaitReply(reply, this.deadline, command, waitMs);
  }

  /** Sends one command: one command, one round trip. Resolves with the reply (within the deadline, plus `waitMs` for a blocking command). */
  send(command: RespCommand, waitMs = 0): Promise<unknown> {
    const [name, ...args] = command;
    countCommand(this.tally, name);
    this.tally.roundTrips++;
    const target = SENT_TO_THE_STREAMS_NODE.has(name) ? this.link.home : this.link.client;
    return this.withDeadline(target.call(name, args), name, waitMs);
  }

  /**
   * Sends commands as one pipeline: one round trip. Rejects with the first command error. In a
   * cluster the pipeline goes whole to the node of its keys (a stream's keys share one slot).
   */
  async sendPipeline(commands: readonly RespCommand[]): Promise<unknown[]> {
    for (const [name] of commands) countCommand(this.tally, name);
    this.tally.roundTrips++;
    const label = `pipeline (${commands.map(([name]) => name).join(' ')})`;
    const results = await this.withDeadline(this.link.client.pipeline(commands.map((command) => [...command])).exec(), label);
    if (results === null) throw new Error('Redis pipeline was discarded');
    return results.map(([error, reply]) => {
      if (error) throw namedFailure(error, this.deadline, label.toUpperCase());
      return reply;
    });
  }

  /**
   * SUBSCRIBE to `channels` (one command, one round trip); `onMessage` gets every message after
   * it. In a cluster this is the connection to the stream's node (a PUBLISH anywhere reaches
   * it), opened before counting began; the Cluster client's own subscriber would connect to a
   * random node with its handshake counted, and silently re-subscribe elsewhere if it dropped.
   */
  async subscribe(channels: string[], onMessage: (channel: string, message: string) => void): Promise<void> {
    const subscriber: Redis = this.link.home;
    subscriber.on('message', (channel: string, message: string) => {
      this.tally.messagesReceived++;
      onMessage(channel, message);
    });
    countCommand(this.tally, 'subscribe');
    this.tally.roundTrips++;
    await this.withDeadline(subscriber.subscribe(...channels), 'subscribe');
  }

  /**
   * Calls `listener` once if the connection (a cluster: the one to the stream's node, or the
   * client) closes before `close()` was asked for; with the reason when a reply was overdue.
   */
  onUnexpectedClose(listener: (reason?: Error) => void): void {
    let called = false;
    const onEnd = () => {
      if (this.closing || called) return;
      called = true;
      listener(this.watch?.expired ?? undefined);
    };
    this.link.home.once('end', onEnd);
    if (this.link.client !== this.link.home) this.link.client.once('end', onEnd);
  }

  /** Bytes written and read since the handshake ended (frozen once closed). */
  bytes(): ByteCounts {
    return this.meter.bytes();
  }

  /** Closes the sockets once the server processed what was sent (QUIT, not counted: nothing more is). Safe to call twice. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.watch?.stop();
    this.meter.freeze();
    await quitAfterPending(this.link.client, Math.min(QUIT_WAIT_CAP_MS, this.deadline.timeoutMs));
  }
}

/**
 * Opens one counted connection per role (in parallel) sharing `tally`, each reaching the node
 * that holds `homeKey` (a key of the stream) when `url` names a cluster; closes the ones that
 * opened when another fails. Every command waits at most `deadline.timeoutMs` for its reply.
 */
export async function openCountedConnections<Role extends ConnectionRole>(
  url: string,
  roles: readonly Role[],
  tally: ConnectionTally,
  homeKey: string,
  deadline: Omit<CommandDeadline, 'role'>,
): Promise<Record<Role, CountedConnection>> {
  const attempts = await Promise.allSettled(roles.map((role) => openRedisLink(url, role, homeKey, deadline.timeoutMs)));
  const failure = attempts.find((attempt) => attempt.status === 'rejected');
  if (failure) {
    for (const attempt of attempts) if (attempt.status === 'fulfilled') attempt.value.client.disconnect();
    throw failure.reason;
  }
  const connections = {} as Record<Role, CountedConnection>;
  roles.forEach((role, index) => {
    connections[role] = new CountedConnection((attempts[index] as PromiseFulfilledResult<RedisLink>).value, tally, { ...deadline, role });
  });
  return connections;
}
