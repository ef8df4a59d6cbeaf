/**
 * The field's message format and JSON churn, reproduced step by step (DESIGN.md §2 steps
 * 1–3 and 5–7). Per content message: producer 3 stringify + 1 parse, relay 1 parse +
 * 1 stringify, client decode 3 parse.
 */
import type { JsonCounter } from '../../probes/jsonCounter.js';
import type { DecodedEvent, OutgoingMessage, Serializer, SerializerStream } from '../types.js';

/** The field's message dict: JSON strings inside JSON. */
export interface FieldMessage {
  sequence: number;
  message_id: string;
  thread_id: string;
  type: 'assistant' | 'status';
  is_llm_message: boolean;
  content: string;
  metadata: string;
  created_at: string;
  updated_at: string;
}

// Substrings the field's agent loop searches the growing full text for on every chunk.
const AGENT_LOOP_MARKERS = ['</function_calls>', '<ask>', '<complete>', '</invoke>'];

/** How a field-format stream stringifies objects: plainly, or through a cache (the seed's proposal). */
export type StringifyObject = (value: object) => string;

/** Opens the field format for one stream; `stringifyObject` lets the seed's cache stand in for json.dumps. */
export function openFieldFormat(json: JsonCounter, stringifyObject: StringifyObject, buildMessage = freshMessage): SerializerStream {
  let fullText = '';
  let markerHits = 0;
  const threadId = 'thread-0001';
  return {
    encode({ seq, text }: OutgoingMessage): string {
      // Step 1: the delta becomes a message dict whose content and metadata are JSON strings.
      const now = new Date().toISOString(); // content of the message, never used for timing
      const message = buildMessage(seq, threadId, now);
      message.content = stringifyObject({ role: 'assistant', content: text });
      message.metadata = stringifyObject({ stream_status: 'chunk', thread_run_id: threadId });
      // Step 2: the agent loop parses the content again and scans the growing full text.
      const parsed = json.parse<{ content: string }>(message.content);
      fullText += parsed.content;
      for (const marker of AGENT_LOOP_MARKERS) if (fullText.includes(marker)) markerHits++;
      // Step 3: the whole message is stringified a third time for RPUSH.
      return stringifyObject(message);
    },
    encodeEnd(seq: number): string {
      return json.stringify({ sequence: seq, type: 'status', status: 'completed' });
    },
    relay(item: string): string {
      // Steps 5–6: the API server loads and dumps every item it reads.
      return json.stringify(json.parse(item));
    },
    decode(data: string): DecodedEvent {
      const message = json.parse<FieldMessage & { status?: string }>(data);
      if (message.type === 'status') return { seq: message.sequence, text: '', end: true };
      const content = json.parse<{ content: string }>(message.content);
      json.parse(message.metadata); // the client reads stream_status from it
      return { seq: message.sequence, text: content.content, end: false };
    },
    counters: () => ({ agentLoopMarkerHits: markerHits }),
  };
}

/** A new message dict per chunk, as the field builds it. */
export function freshMessage(seq: number, threadId: string, now: string): FieldMessage {
  return {
    sequence: seq,
    message_id: `msg-${seq}`,
    thread_id: threadId,
    type: 'assistant',
    is_llm_message: true,
    content: '',
    metadata: '',
    created_at: now,
    updated_at: now,
  };
}

/** `field-baseline`: the field's pipeline exactly as it runs. */
export const fieldBaselineSerializer: Serializer = {
  name: 'field-baseline',
  open: (json) => openFieldFormat(json, (value) => json.stringify(value)),
};
