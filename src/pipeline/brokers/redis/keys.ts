/**
 * Key and channel names. Everything streambench writes lives under `streambench:<runId>:`,
 * so a run can only ever touch its own keys (never FLUSHDB/FLUSHALL).
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
  return `streambench:${runId}:`;
}

/** The key and channel names of one stream of a run. */
export function streamKeys(runId: string, streamId: string): StreamKeys {
  const base = `${runKeyPrefix(runId)}${streamId}:`;
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
