/**
 * `redis-stream`: the field's later design. The producer XADDs one entry per item (MAXLEN ~
 * when configured); the consumer catches up with XRANGE from the start, then waits with
 * XREAD BLOCK COUNT from the last id it has. Reading from a concrete id, never `$`, is what
 * makes this gap-free: `$` means "only what arrives after this call" and skips whatever was
 * written before it. BLOCK is never 0 (that blocks forever).
 *
 * Each entry carries its position (`p`), so a reader joining after MAXLEN trimmed the start
 * still numbers items right and the loss shows; the end item is the entry whose payload field
 * is `e` instead of `d`, so a reader that joins even after the end still stops.
 */
import type { BrokerItem } from '../../types.js';
import type { ReadSession } from './readSession.js';
import type { RedisStreamSettings } from './settings.js';
import { emptyConnectionTally, type ConnectionTally, type StreamConnection } from './streamConnection.js';
import { connectionRolesFor, RedisStreamBase, type RedisBrokerStream, type RedisStreamPlace } from './streamBase.js';

/** An entry as XRANGE/XREAD return it (RESP2): id, then field, value, field, value... */
type StreamEntry = [id: string, fields: string[]];

/** An entry's item and whether it is the end item. */
function parseEntry([id, fields]: StreamEntry): { item: BrokerItem; isEnd: boolean } {
  let position: number | null = null;
  let payload: string | null = null;
  let isEnd = false;
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const [field, value] = [fields[index], fields[index + 1]!];
    if (field === 'p') position = Number(value);
    else if (field === 'd' || field === 'e') {
      payload = value;
      isEnd = field === 'e';
    }
  }
  if (position === null || !Number.isInteger(position) || payload === null) {
    throw new Error(`stream entry ${id} is not a streambench item (fields: ${fields.filter((_, i) => i % 2 === 0).join(', ')})`);
  }
  return { item: { position, payload }, isEnd };
}

class RedisStreamStream extends RedisStreamBase {
  readonly awaitWrites = true;
  private nextWritePosition = 0;
  private lastId = '0-0';
  private ended = false;

  constructor(
    private readonly settings: RedisStreamSettings,
    place: RedisStreamPlace,
    private readonly connections: Partial<Record<'producer' | 'consumer', StreamConnection>>,
    tally: ConnectionTally,
  ) {
    super(place, tally, connections);
  }

  /** XADD per item, sent back to back (EXPIRE after the stream's first entry); settles at the last reply. */
  protected async writeItems(items: readonly string[], ends: boolean): Promise<void> {
    const key = this.place.keys.responses;
    const producer = this.opened(this.connections.producer, 'producer');
    const trim = this.settings.maxLen === undefined ? [] : ['MAXLEN', '~', this.settings.maxLen];
    const replies: Promise<unknown>[] = [];
    items.forEach((payload, index) => {
      const firstEntry = this.nextWritePosition === 0;
      if (firstEntry) this.place.keyRegistry.track(key);
      const payloadField = ends && index === items.length - 1 ? 'e' : 'd';
      const xadd = ['xadd', key, ...trim, '*', 'p', this.nextWritePosition++, payloadField, payload] as const;
      replies.push(producer.send(xadd).then(() => void this.itemsAcknowledged++));
      if (firstEntry) replies.push(producer.send(['expire', key, this.settings.ttlSeconds]));
    });
    await Promise.all(replies);
  }

  protected startReading(session: ReadSession): void {
    session.enqueue(() => this.consume());
  }

  /** Catch-up with XRANGE pages, then XREAD BLOCK from the last id until the end item. */
  private async consume(): Promise<void> {
    const session = this.session!;
    const consumer = this.opened(this.connections.consumer, 'consumer');
    const { count, blockMs } = this.settings;
    const key = this.place.keys.responses;
    let acknowledgedBefore = this.itemsAcknowledged;
    let start = '-';
    for (;;) {
      const entries = (await consumer.send(['xrange', key, start, '+', 'COUNT', count])) as StreamEntry[];
      this.accept(entries);
      if (this.ended || entries.length < count) break;
      start = `(${this.lastId}`;
    }
    this.noteReadPass(acknowledgedBefore);
    while (!this.ended && session.active) {
      acknowledgedBefore = this.itemsAcknowledged;
      const reply = (await consumer.send(['xread', 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', key, this.lastId], blockMs)) as [key: string, entries: StreamEntry[]][] | null;
      // null: BLOCK timed out with nothing new; ask again from the same id.
      for (const [, entries] of reply ?? []) this.accept(entries);
      this.noteReadPass(acknowledgedBefore);
    }
    session.finish();
  }

  private accept(entries: readonly StreamEntry[]): void {
    const items: BrokerItem[] = [];
    for (const entry of entries) {
      const { item, isEnd } = parseEntry(entry);
      this.lastId = entry[0];
      items.push(item);
      if (isEnd) this.ended = true;
    }
    this.session!.deliver(items);
  }
}

/** Opens a `redis-stream` stream on its own producer and consumer connections (only one of them for one side of it). */
export async function openRedisStreamStream(settings: RedisStreamSettings, place: RedisStreamPlace): Promise<RedisBrokerStream> {
  const tally = emptyConnectionTally();
  const roles = connectionRolesFor(place.role, ['producer'] as const, ['consumer'] as const);
  const connections = await place.openConnections(roles, tally, place.keys.responses);
  // The consumer side owns the stream's key (see openRedisListStream).
  if (place.role === 'consumer') place.keyRegistry.track(place.keys.responses);
  return new RedisStreamStream(settings, place, connections, tally);
}
