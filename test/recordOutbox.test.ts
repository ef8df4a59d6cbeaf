/**
 * RecordOutbox (a producer child's records, `processes: split`): every stream's records of one
 * event-loop turn leave in one message, each stream's in the order they happened; flush() ships
 * at once (before a stream's summary); a turn with many records is cut into several messages,
 * never inside a stream's records; and the main process's replay puts them into the trace.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { StreamTrace } from '../src/probes/streamTrace.js';
import { UpstreamRecord } from '../src/probes/upstreamRecord.js';
import { applyProducerRecords, MAX_RECORDS_PER_MESSAGE, RecordOutbox, type StreamRecords } from '../src/run/producer/producerRecords.js';

function outboxShippingTo(messages: StreamRecords[][]): RecordOutbox {
  return new RecordOutbox((streams) => messages.push(streams));
}

describe('RecordOutbox', () => {
  it('ships every stream of a turn in one message, each stream whole and in order', async () => {
    const messages: StreamRecords[][] = [];
    const outbox = outboxShippingTo(messages);
    const first = outbox.recorder('a');
    const second = outbox.recorder('b');
    first.emit({ index: 0, text: 'Hel', tokens: 1 }, 10);
    second.emit({ index: 0, text: 'Hi', tokens: 1 }, 11);
    first.assign(0, 0, 1);
    first.stamp('batched', 0, 12);
    expect(messages).toEqual([]); // nothing leaves within the turn

    await nextTurn();
    expect(messages).toEqual([
      [
        {
          streamId: 'a',
          records: [
            { kind: 'emit', text: 'Hel', tokens: 1, atMs: 10 },
            { kind: 'assign', seq: 0, firstChunk: 0, chunkCount: 1 },
            { kind: 'stamp', stage: 'batched', seq: 0, atMs: 12 },
          ],
        },
        { streamId: 'b', records: [{ kind: 'emit', text: 'Hi', tokens: 1, atMs: 11 }] },
      ],
    ]);

    // The next turn's records go in a message of their own; a stream without any is not named.
    second.stamp('brokerWrite', 0, 13);
    await nextTurn();
    expect(messages).toHaveLength(2);
    expect(messages[1]).toEqual([{ streamId: 'b', records: [{ kind: 'stamp', stage: 'brokerWrite', seq: 0, atMs: 13 }] }]);
    await nextTurn();
    expect(messages).toHaveLength(2);
  });

  it('flush ships what is pending at once, and the turn then has nothing left to send', async () => {
    const messages: StreamRecords[][] = [];
    const outbox = outboxShippingTo(messages);
    outbox.recorder('a').firstByte(5);
    outbox.flush();
    expect(messages).toEqual([[{ streamId: 'a', records: [{ kind: 'firstByte', atMs: 5 }] }]]);
    outbox.flush();
    await nextTurn();
    expect(messages).toHaveLength(1);
  });

  it('cuts a large turn into several messages between streams, never inside one', async () => {
    const messages: StreamRecords[][] = [];
    const outbox = outboxShippingTo(messages);
    const perStream = Math.ceil((MAX_RECORDS_PER_MESSAGE * 3) / 4);
    for (const streamId of ['a', 'b', 'c']) {
      const recorder = outbox.recorder(streamId);
      for (let seq = 0; seq < perStream; seq++) recorder.stamp('processed', seq, seq);
    }
    await nextTurn();
    // a alone stays under the limit, a and b reach it: one message; c goes in the next.
    expect(messages.map((message) => message.map((stream) => [stream.streamId, stream.records.length]))).toEqual([
      [
        ['a', perStream],
        ['b', perStream],
      ],
      [['c', perStream]],
    ]);
  });

  it("replayed in the main process, a stream's records fill its trace and count its acknowledged writes", async () => {
    const messages: StreamRecords[][] = [];
    const outbox = outboxShippingTo(messages);
    const recorder = outbox.recorder('a');
    recorder.emit({ index: 0, text: 'Hello', tokens: 2 }, 1);
    recorder.assign(0, 0, 1);
    recorder.stamp('brokerWrite', 0, 3);
    recorder.firstEvent(0.5);
    outbox.flush();

    const trace = new StreamTrace(0);
    const upstream = new UpstreamRecord();
    const acknowledged = applyProducerRecords(messages[0]![0]!.records, trace, upstream);
    expect(acknowledged).toBe(1);
    expect(trace.tokenCount()).toBe(2);
    expect([...trace.stampsOf('brokerWrite')]).toEqual([3]);
    expect(upstream.firstEventAtMs).toBe(0.5);
  });
});
