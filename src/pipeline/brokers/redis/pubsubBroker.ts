/**
 * `redis-pubsub`: the payload travels in PUBLISH and nothing is stored (the follower path of
 * Vercel's resumable-stream, without its producer-side buffer). A reader receives only what
 * is published after its SUBSCRIBE: one that joins late loses everything before, and since
 * each message carries its position (`<position> <payload>`), the loss shows as missing
 * positions instead of silently renumbered ones. END_STREAM on the control channel ends it.
 */
import type { BrokerItem } from '../../types.js';
import { END_STREAM } from './keys.js';
import type { ReadSession } from './readSession.js';
import { emptyConnectionTally, type ConnectionTally, type StreamConnection } from './streamConnection.js';
import { connectionRolesFor, RedisStreamBase, type RedisBrokerStream, type RedisStreamPlace } from './streamBase.js';

/** The item inside one published message. */
function parseMessage(message: string): BrokerItem {
  const space = message.indexOf(' ');
  const position = Number(message.slice(0, space));
  if (space < 1 || !Number.isInteger(position)) throw new Error('a pub/sub message without a position prefix');
  return { position, payload: message.slice(space + 1) };
}

class RedisPubsubStream extends RedisStreamBase {
  readonly awaitWrites = true;
  private nextWritePosition = 0;
  /** The reader's SUBSCRIBE, once read() was called. */
  private subscribed: Promise<void> | null = null;

  constructor(
    place: RedisStreamPlace,
    private readonly connections: Partial<Record<'producer' | 'subscriber', StreamConnection>>,
    tally: ConnectionTally,
  ) {
    super(place, tally, connections);
  }

  /** One PUBLISH per item (and END_STREAM at the end), sent back to back; settles at the last reply. */
  protected async writeItems(items: readonly string[], ends: boolean): Promise<void> {
    const { signalChannel, controlChannel } = this.place.keys;
    const producer = this.opened(this.connections.producer, 'producer');
    const messages = items.map((payload) => `${this.nextWritePosition++} ${payload}`);
    // A reader joins when it calls read(): what is written after that must reach it, so the
    // PUBLISH waits for its SUBSCRIBE to be in place. Writes made before read() are lost to it.
    if (this.subscribed !== null) await this.subscribed.catch(() => {});
    const replies = messages.map((message) => producer.send(['publish', signalChannel, message]));
    if (ends) replies.push(producer.send(['publish', controlChannel, END_STREAM]));
    await Promise.all(replies);
  }

  protected startReading(session: ReadSession): void {
    const { signalChannel, controlChannel } = this.place.keys;
    this.subscribed = this.opened(this.connections.subscriber, 'subscriber').subscribe([signalChannel, controlChannel], (channel, message) => {
      if (channel === signalChannel) {
        try {
          session.deliver([parseMessage(message)]);
        } catch (error) {
          session.fail(error);
        }
      } else if (channel === controlChannel && message === END_STREAM) {
        session.finish();
      }
    });
    this.subscribed.catch((error: unknown) => session.fail(error));
  }

  /** A reader receives only what is published after its SUBSCRIBE: a producer elsewhere waits for it. */
  override readerJoined(): Promise<void> {
    return this.subscribed === null ? Promise.resolve() : this.subscribed.catch(() => {});
  }
}

/** Opens a `redis-pubsub` stream on its own producer and subscriber connections (only one of them for one side of it). */
export async function openRedisPubsubStream(place: RedisStreamPlace): Promise<RedisBrokerStream> {
  const tally = emptyConnectionTally();
  const roles = connectionRolesFor(place.role, ['producer'] as const, ['subscriber'] as const);
  const connections = await place.openConnections(roles, tally, place.keys.responses);
  return new RedisPubsubStream(place, connections, tally);
}
