/**
 * Key and channel names. Everything streambench writes lives under `streambench:<runId>:`,
 * so a run can only ever touch its own keys (never FLUSHDB/FLUSHALL).
 *
 * The stream id sits in a hash tag, `streambench:<runId>:{<streamId>}:responses`, so that in
 * a Redis Cluster every name of one stream hashes to the same slot: a pipeline or script that
 * touches the list stays on one node, and so do its signals (see docs/redis.md). Braces in
 * the run or stream id would move or empty the tag, so they are refused.
 */

/** The names one stream uses, mirroring the field's `run:{id}:responses|new_response|control`. */
export interface StreamKeys {
  /** The list or stream holding the items. */
  responses: string;
  /** Pub/sub channel: "new" signals (list), or the payloads themselves (pubsub). */
  signalChannel: string;
  /** Pub/sub channel carrying END_STREAM. */
  controlChannel: string;
}

/** The prefix every key of a run starts with. */
export function runKeyPrefix(runId: string): string {
  if (runId === '') throw new Error('runId must not be empty: keys are scoped by it');
  if (/[{}]/.test(runId)) throw new Error(`runId must not contain { or }: they would change the keys' hash tag (got "${runId}")`);
  return `streambench:${runId}:`;
}

/** The key and channel names of one stream of a run. */
export function streamKeys(runId: string, streamId: string): StreamKeys {
  // An empty tag `{}` hashes the whole name instead, which would split the stream over slots.
  if (streamId === '' || /[{}]/.test(streamId)) {
    throw new Error(`streamId must be non-empty and without { or }: it is the hash tag of the stream's keys (got "${streamId}")`);
  }
  const base = `${runKeyPrefix(runId)}{${streamId}}:`;
  return {
    responses: `${base}responses`,
    signalChannel: `${base}new_response`,
    controlChannel: `${base}control`,
  };
}

/** The message the producer publishes on the control channel after the last item. */
export const END_STREAM = 'END_STREAM';

/** The message the list producer publishes on the signal channel after each write. */
export const NEW_SIGNAL = 'new';
