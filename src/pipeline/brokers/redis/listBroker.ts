/**
 * `redis-list`: the field's data path (DESIGN.md §2 steps 3–6). The producer RPUSHes each
 * write and PUBLISHes "new"; at the end it pushes the status item, signals, and PUBLISHes
 * END_STREAM on the control channel. The consumer subscribes to both channels *before* its
 * catch-up read (subscribing after it loses items written in the gap), then reads on every
 * signal with the configured strategy; it stops on END_STREAM after draining what is left.
 *
 * Positions are list indices, so de-duplication is exact: a `full` read delivers only the
 * indices not delivered yet.
 */
import { END_STREAM, NEW_SIGNAL } from './keys.js';
import { ListWriteScript } from './listScript.js';
import type { ReadSession } from './readSession.js';
import type { RedisListSettings } from './settings.js';
import type { RespCommand } from './respBytes.js';
import { emptyConnectionTally, type ConnectionTally, type StreamConnection } from './streamConnection.js';
import { connectionRolesFor, RedisStreamBase, type RedisBrokerStream, type RedisStreamPlace } from './streamBase.js';

/** Why a read pass runs: joining, a "new" signal, or the drain after END_STREAM. */
type ReadReason = 'join' | 'signal' | 'drain';

class ListStream extends RedisStreamBase {
  readonly awaitWrites: boolean;
  /** Created with the first `eval` write: a consumer-only side has no producer connection to run it on. */
  private script: ListWriteScript | null = null;
  private firstWrite = true;
  /** Whether the last read pass reached the end of the list as it was then. */
  private caughtUp = false;

  constructor(
    private readonly settings: RedisListSettings,
    place: RedisStreamPlace,
    private readonly connections: Partial<Record<'producer' | 'consumer' | 'subscriber', StreamConnection>>,
    tally: ConnectionTally,
  ) {
    super(place, tally, connections);
    this.awaitWrites = settings.write !== 'fire-and-forget';
  }

  /** One write in the configured mode: RPUSH (+ EXPIRE the first time) + PUBLISH (+ END_STREAM). */
  protected writeItems(items: readonly string[], ends: boolean): Promise<void> {
    // Not an async function: the eval write (one per batch of every stream) chains its reply
    // straight to the acknowledgement; what throws here still ends as a rejection.
    try {
      const producer = this.opened(this.connections.producer, 'producer');
      const setsTtl = this.firstWrite;
      if (setsTtl) this.place.keyRegistry.track(this.place.keys.responses);
      this.firstWrite = false;
      if (this.settings.write === 'eval') {
        const ttlSeconds = setsTtl ? this.settings.ttlSeconds : 0;
        this.script ??= new ListWriteScript(producer, this.place.keys);
        return this.script.run(items, { ttlSeconds, ends }).then(this.noteAcknowledged);
      }
      return this.writeCommands(producer, items, ends, setsTtl);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The write modes of separate commands: RPUSH (+ EXPIRE) + PUBLISH (+ END_STREAM), sent as the mode says. */
  private async writeCommands(producer: StreamConnection, items: readonly string[], ends: boolean, setsTtl: boolean): Promise<void> {
    const { responses, signalChannel, controlChannel } = this.place.keys;
    const commands: RespCommand[] = [['rpush', responses, ...items]];
    if (setsTtl) commands.push(['expire', responses, this.settings.ttlSeconds]);
    commands.push(['publish', signalChannel, NEW_SIGNAL]);
    if (ends) commands.push(['publish', controlChannel, END_STREAM]);

    switch (this.settings.write) {
      case 'fire-and-forget': {
        // Everything is handed to the connection at once; the promise settles at the last reply.
        const replies = commands.map((command) => producer.send(command));
        replies[0]!.then(
          (length) => this.noteAcknowledged(length as number),
          () => {},
        );
        await Promise.all(replies);
        return;
      }
      case 'awaited': {
        for (const [index, command] of commands.entries()) {
          const reply = await producer.send(command);
          if (index === 0) this.noteAcknowledged(reply as number);
        }
        return;
      }
      case 'pipelined': {
        const replies = await producer.sendPipeline(commands);
        this.noteAcknowledged(replies[0] as number);
        return;
      }
    }
  }

  /** RPUSH replies with the list length: that many items are on the server. */
  private readonly noteAcknowledged = (listLength: number): void => {
    this.itemsAcknowledged = Math.max(this.itemsAcknowledged, listLength);
  };

  protected startReading(session: ReadSession): void {
    const { signalChannel, controlChannel } = this.place.keys;
    // SUBSCRIBE goes out now; the catch-up read waits for its reply. Subscribed first, anything
    // written from then on signals and anything before is in the catch-up: no gap.
    const subscribed = this.opened(this.connections.subscriber, 'subscriber').subscribe([signalChannel, controlChannel], (channel, message) => {
      if (channel === controlChannel && message === END_STREAM) session.enqueue(() => this.finish());
      else if (channel === signalChannel) session.enqueue(this.readOnSignal);
    });
    session.enqueue(() => subscribed);
    session.enqueue(() => this.readPass('join'));
  }

  /** The read pass a "new" signal queues (one function for every signal, not a closure each). */
  private readonly readOnSignal = (): Promise<void> => this.readPass('signal');

  /** After END_STREAM: the status item was pushed before it, so a drain reaches it. */
  private async finish(): Promise<void> {
    if (!this.caughtUp) await this.readPass('drain');
    this.session?.finish();
  }

  /** One read pass with the configured strategy. */
  private async readPass(reason: ReadReason): Promise<void> {
    const session = this.session!;
    const acknowledgedBefore = this.itemsAcknowledged;
    const window = this.settings.window;
    switch (this.settings.read) {
      case 'full':
        await this.readRange(0, -1);
        this.caughtUp = true;
        break;
      case 'from-index':
        await this.readRange(session.nextPosition, -1);
        this.caughtUp = true;
        break;
      case 'window':
        if (reason === 'signal') {
          // The seed's snippet as written: one bounded read per signal, whatever is waiting.
          const returned = await this.readRange(session.nextPosition, session.nextPosition + window - 1);
          this.caughtUp = returned < window;
        } else {
          // Joining and draining use the field's unbounded read; the seed changed only the signal handler.
          await this.readRange(session.nextPosition, -1);
          this.caughtUp = true;
        }
        break;
      case 'window-catchup':
        // Bounded reads until a short one: never more than `window` items per reply, never behind.
        // A disposed stream's read has ended: it sends nothing more.
        while (session.active && (await this.readRange(session.nextPosition, session.nextPosition + window - 1)) === window);
        this.caughtUp = true;
        break;
    }
    this.noteReadPass(acknowledgedBefore);
  }

  /** LRANGE start stop; delivers the items not delivered yet. Returns how many items came back. */
  private async readRange(start: number, stop: number): Promise<number> {
    const payloads = (await this.opened(this.connections.consumer, 'consumer').send(['lrange', this.place.keys.responses, start, stop])) as string[];
    // An empty reply (signals that arrived together find nothing left) delivers nothing: no empty array of items.
    if (payloads.length > 0) this.session!.deliver(payloads.map((payload, index) => ({ position: start + index, payload })));
    return payloads.length;
  }
}

/**
 * Opens a `redis-list` stream on its own producer, consumer and subscriber connections (only
 * the producer's, or the consumer's and subscriber's, for one side of it).
 */
export async function openRedisListStream(settings: RedisListSettings, place: RedisStreamPlace): Promise<RedisBrokerStream> {
  const tally = emptyConnectionTally();
  const roles = connectionRolesFor(place.role, ['producer'] as const, ['consumer', 'subscriber'] as const);
  const connections = await place.openConnections(roles, tally, place.keys.responses);
  // The consumer side owns the list: tracked now, so its dispose (or the broker's close after a
  // failure) deletes what the producer in the other process wrote.
  if (place.role === 'consumer') place.keyRegistry.track(place.keys.responses);
  return new ListStream(settings, place, connections, tally);
}
