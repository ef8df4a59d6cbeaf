/**
 * ListWriteScript hands the connection each EVALSHA's size, computed from words counted once:
 * it must equal commandBytes of the command actually sent, for every kind of write (first with
 * a TTL, plain, the end with the control channel, several items, non-ASCII text).
 */
import { describe, expect, it } from 'vitest';
import { ListWriteScript } from '../src/pipeline/brokers/redis/listScript.js';
import { streamKeys } from '../src/pipeline/brokers/redis/keys.js';
import { commandBytes, type RespCommand } from '../src/pipeline/brokers/redis/respBytes.js';
import type { StreamConnection } from '../src/pipeline/brokers/redis/streamConnection.js';

/** A connection that records what it was sent and answers every command with a list length. */
function recordingConnection(sent: { command: RespCommand; sizeBytes: number | undefined }[]): StreamConnection {
  return {
    send: (command: RespCommand, _waitMs?: number, sizeBytes?: number) => {
      sent.push({ command, sizeBytes });
      return Promise.resolve(1);
    },
    sendPipeline: () => Promise.reject(new Error('not used')),
    subscribe: () => Promise.reject(new Error('not used')),
    onUnexpectedClose: () => {},
    bytes: () => ({ written: 0, read: 0 }),
    close: () => Promise.resolve(),
  };
}

describe('ListWriteScript: the size it gives with each EVALSHA', () => {
  it('equals commandBytes of the command sent', async () => {
    const sent: { command: RespCommand; sizeBytes: number | undefined }[] = [];
    const script = new ListWriteScript(recordingConnection(sent), streamKeys('run1', 'stream-7'));
    await script.run(['{"seq":0,"type":"content","text":"Hi"}'], { ttlSeconds: 120, ends: false }); // EVAL: loads the script
    await script.run(['{"seq":1,"type":"content","text":" there"}'], { ttlSeconds: 120, ends: false });
    await script.run(['{"seq":2,"type":"content","text":" — naïve 日本"}', '{"seq":3,"type":"content","text":""}'], { ttlSeconds: 0, ends: false });
    await script.run(['{"seq":4,"type":"end"}'], { ttlSeconds: 0, ends: true });
    const evalshas = sent.filter(({ command }) => command[0] === 'evalsha');
    expect(evalshas).toHaveLength(3);
    for (const { command, sizeBytes } of evalshas) expect(sizeBytes).toBe(commandBytes(command));
  });
});
