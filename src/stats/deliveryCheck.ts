import { SeenSeqs } from '../pipeline/seenSeqs.js';
import type { StreamTrace } from '../probes/streamTrace.js';

/** What reached the client compared with what the source sent. */
export interface DeliveryCheck {
  /** Content messages sent but never received. */
  missingMessages: number;
  /** Events received for a message already received. */
  duplicateEvents: number;
  /** Events received after an event with a higher sequence number. */
  reorderedEvents: number;
  /** Whether the end-of-stream item arrived. */
  endReceived: boolean;
  /** Whether the client's text equals the text sent. */
  textMatches: boolean;
  /** A sentence describing the problem, or null when delivery was exact. */
  problem: string | null;
}

/**
 * Checks a stream's delivery at the client: exact text, in order, each message once.
 * `reconnects`: the client's reconnections during the stream, named as the cause of what they broke.
 */
export function checkDelivery(trace: StreamTrace, clientText: string, reconnects = 0): DeliveryCheck {
  // The stream's own seqs run from 0 up to the end item's (messageCount).
  const seen = new SeenSeqs(trace.messageCount + 1);
  let duplicateEvents = 0;
  let reorderedEvents = 0;
  let highestSeq = -1;
  let endReceived = false;
  for (let index = 0; index < trace.receivedCount; index++) {
    const seq = trace.receivedSeqAt(index);
    if (trace.receivedEndAt(index)) endReceived = true;
    if (!seen.add(seq)) {
      duplicateEvents++;
      continue;
    }
    if (seq < highestSeq) reorderedEvents++;
    highestSeq = Math.max(highestSeq, seq);
  }
  let missingMessages = 0;
  for (let seq = 0; seq < trace.messageCount; seq++) if (!seen.has(seq)) missingMessages++;
  // Compared chunk by chunk: the sent text is only built to describe a mismatch.
  const textMatches = trace.sentTextEquals(clientText);

  const problems: string[] = [];
  if (missingMessages > 0) problems.push(`${missingMessages} of ${trace.messageCount} messages never reached the client`);
  if (!endReceived) problems.push('the end-of-stream item never reached the client');
  if (!textMatches) problems.push(describeTextMismatch(trace.sentText(), clientText));
  if (problems.length > 0 && reconnects > 0) problems.push(reconnectCause(reconnects, duplicateEvents));
  return {
    missingMessages,
    duplicateEvents,
    reorderedEvents,
    endReceived,
    textMatches,
    problem: problems.length > 0 ? problems.join('; ') : null,
  };
}

/** What the client's reconnections did to the stream: a replay from the start that this client kept twice, or only that they happened. */
function reconnectCause(reconnects: number, duplicateEvents: number): string {
  const reconnected = `the client reconnected ${reconnects === 1 ? 'once' : `${reconnects} times`} mid-stream (delivery.reconnect)`;
  if (duplicateEvents === 0) return reconnected;
  return `${reconnected} and got ${duplicateEvents} events again: without resume the relay replays the stream from its start, and this client keeps every copy (set delivery.reconnect.resume: true — SSE also needs delivery.ids: true — or use client.type lean, which drops what it already has)`;
}

function describeTextMismatch(sent: string, received: string): string {
  let index = 0;
  while (index < sent.length && index < received.length && sent[index] === received[index]) index++;
  const excerpt = (text: string) => JSON.stringify(text.slice(index, index + 24));
  return `the client's text differs from the text sent at character ${index} of ${sent.length} (sent ${excerpt(sent)}, shown ${excerpt(received)}; ${received.length} characters shown)`;
}
