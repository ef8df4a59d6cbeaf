import { describe, expect, it } from 'vitest';
import { StreamTrace } from '../src/probes/streamTrace.js';
import { createRandom } from '../src/sources/random.js';
import { checkDelivery } from '../src/stats/deliveryCheck.js';

/** The check as it was written with a Set and the joined sent text: the reference for the flag array and the chunk-wise compare. */
function referenceCheck(trace: StreamTrace, clientText: string) {
  const seen = new Set<number>();
  let duplicateEvents = 0;
  let reorderedEvents = 0;
  let highestSeq = -1;
  let endReceived = false;
  for (let index = 0; index < trace.receivedCount; index++) {
    const seq = trace.receivedSeqAt(index);
    if (trace.receivedEndAt(index)) endReceived = true;
    if (seen.has(seq)) {
      duplicateEvents++;
      continue;
    }
    seen.add(seq);
    if (seq < highestSeq) reorderedEvents++;
    highestSeq = Math.max(highestSeq, seq);
  }
  let missingMessages = 0;
  for (let seq = 0; seq < trace.messageCount; seq++) if (!seen.has(seq)) missingMessages++;
  return { missingMessages, duplicateEvents, reorderedEvents, endReceived, textMatches: clientText === trace.sentText() };
}

describe('checkDelivery', () => {
  it('counts missing, duplicate and reordered events and compares the text exactly as the Set-based check did (random traces, foreign seqs too)', () => {
    const random = createRandom(7);
    const pick = (n: number) => Math.floor(random.next() * n);
    for (let round = 0; round < 300; round++) {
      const trace = new StreamTrace(0);
      const messages = pick(12);
      const texts = Array.from({ length: messages }, () => ['', 'a', 'bc', 'é', 'Sure', ' x'][pick(6)]!);
      texts.forEach((text, seq) => {
        trace.emit({ text, tokens: 1 }, seq);
        trace.assign(seq, seq, 1);
      });
      const events = pick(2 * messages + 3);
      for (let index = 0; index < events; index++) {
        // Mostly the stream's own seqs (the end item's is `messages`), sometimes a relay's own or an odd one.
        const kind = pick(10);
        const seq = kind < 8 ? pick(messages + 1) : kind === 8 ? 1000 + pick(3) : [-1, 2.5][pick(2)]!;
        trace.receive(seq, index, seq === messages, true);
      }
      const joined = texts.join('');
      const clientText = [joined, joined.slice(0, -1), `${joined}z`, ''][pick(4)]!;
      const check = checkDelivery(trace, clientText);
      expect({ ...check, problem: undefined }).toEqual({ ...referenceCheck(trace, clientText), problem: undefined });
      expect(check.problem === null).toBe(check.missingMessages === 0 && check.endReceived && check.textMatches);
    }
  });

  describe('names a reconnection as the cause of what it broke', () => {
    // Three messages " a", " b", " c" and the end item (seq 3); the client saw `seqs`, in that order.
    const traceOf = (seqs: number[]) => {
      const trace = new StreamTrace(0);
      [' a', ' b', ' c'].forEach((text, seq) => {
        trace.emit({ text, tokens: 1 }, seq);
        trace.assign(seq, seq, 1);
      });
      seqs.forEach((seq, index) => trace.receive(seq, index, seq === 3, seq < 3));
      return trace;
    };

    it('a replay from the start that the client kept twice: the duplicates and the fix', () => {
      const check = checkDelivery(traceOf([0, 1, 0, 1, 2, 3]), ' a b a b c', 1);
      expect(check.duplicateEvents).toBe(2);
      expect(check.problem).toMatch(/^the client's text differs .*; the client reconnected once mid-stream \(delivery\.reconnect\) and got 2 events again: without resume/);
      expect(check.problem).toMatch(/set delivery\.reconnect\.resume: true/);
    });

    it('a reconnection that lost messages: named, with no replay claimed', () => {
      const check = checkDelivery(traceOf([0, 2, 3]), ' a c', 2);
      expect(check.problem).toMatch(/1 of 3 messages never reached the client; .*; the client reconnected 2 times mid-stream \(delivery\.reconnect\)$/);
    });

    it('nothing said of reconnections when delivery was exact, nor without any', () => {
      expect(checkDelivery(traceOf([0, 1, 2, 3]), ' a b c', 1).problem).toBeNull();
      expect(checkDelivery(traceOf([0, 1, 0, 1, 2, 3]), ' a b a b c').problem).not.toMatch(/reconnect/);
    });
  });
});
