/**
 * Exact RESP2 sizes of what crosses a connection, computed from the command and its reply.
 * A connection that several streams share cannot read one stream's bytes off its socket; the
 * encoding is deterministic, so each stream's share is computed instead (test/sharedConnections
 * checks that the shares add up to the socket's byte counters).
 */

/** One Redis command: name first (lower case, as INFO commandstats names it), then its arguments. */
export type RespCommand = readonly [name: string, ...args: (string | number)[]];

/** A reply as ioredis returns it (RESP2, strings decoded as UTF-8). */
export type RespReply = string | number | null | Error | readonly RespReply[];

const CRLF_BYTES = 2;

/** Decimal digits of a length (a non-negative integer), without formatting it: this runs for every part of every command. */
function lengthDigits(length: number): number {
  if (length < 10) return 1;
  if (length < 100) return 2;
  if (length < 1000) return 3;
  if (length < 10000) return 4;
  return String(length).length;
}

/** Bytes of one bulk string (`$5\r\nhello\r\n`): a command's word or a string reply. */
export function bulkStringBytes(text: string): number {
  const length = Buffer.byteLength(text);
  return 1 + lengthDigits(length) + CRLF_BYTES + length + CRLF_BYTES;
}

function integerBytes(value: number): number {
  return 1 + String(value).length + CRLF_BYTES;
}

/** Bytes of an array header (`*3\r\n`): a command of `length` words, or an array reply. */
export function arrayHeaderBytes(length: number): number {
  return 1 + lengthDigits(length) + CRLF_BYTES;
}

/** Bytes of a command as a client sends it: an array of bulk strings (`*3\r\n$6\r\nLRANGE\r\n…`). */
export function commandBytes(command: RespCommand): number {
  let total = arrayHeaderBytes(command.length);
  for (const part of command) total += bulkStringBytes(typeof part === 'string' ? part : String(part));
  return total;
}

/**
 * Bytes of a reply: integers as `:n`, strings as bulk strings (every reply the brokers read is
 * one: no status replies), null as `$-1`, errors as `-message`, arrays recursively.
 */
export function replyBytes(reply: RespReply): number {
  if (reply === null) return 5; // $-1\r\n
  if (typeof reply === 'number') return integerBytes(reply);
  if (typeof reply === 'string') return bulkStringBytes(reply);
  if (reply instanceof Error) return 1 + Buffer.byteLength(reply.message) + CRLF_BYTES;
  let total = arrayHeaderBytes(reply.length);
  for (const item of reply) total += replyBytes(item);
  return total;
}

/** Bytes of one (un)subscribe confirmation: `[kind, channel, channels subscribed now]`. */
export function subscriptionReplyBytes(kind: 'subscribe' | 'unsubscribe', channel: string, subscribedCount: number): number {
  return replyBytes([kind, channel, subscribedCount]);
}

/** `*3\r\n$7\r\nmessage\r\n`: the part of every pushed message that does not vary. */
const MESSAGE_PUSH_PREFIX_BYTES = arrayHeaderBytes(3) + bulkStringBytes('message');

/** Bytes of one pushed pub/sub message: `[message, channel, payload]`. */
export function pushedMessageBytes(channel: string, message: string): number {
  // replyBytes(['message', channel, message]) without building the array, once per message.
  return MESSAGE_PUSH_PREFIX_BYTES + bulkStringBytes(channel) + bulkStringBytes(message);
}
