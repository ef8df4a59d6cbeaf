/**
 * The stage boundaries every token is timestamped at, in pipeline order. Per-stage latency
 * is the time between a boundary and the one before it.
 */
export const STAGES = [
  'emit', // the source hands the chunk over (model → worker)
  'batched', // the batcher releases the chunk in a batch
  'processed', // the producer has serialized the message
  'brokerWrite', // the broker acknowledged the write
  'brokerRead', // the consumer has the item in hand
  'clientReceive', // the client received the event
  'render', // the client painted it
] as const;

/** One stage boundary. */
export type StageName = (typeof STAGES)[number];
