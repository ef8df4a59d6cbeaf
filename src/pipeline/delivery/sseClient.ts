import type { Socket } from 'node:net';
import { finished, pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { createParser } from 'eventsource-parser';
import { Client, buildConnector } from 'undici';
import type { RelayClientHandle } from './relayDelivery.js';
import { RelayClientState, type ConnectionOutcome, type RelayClientOptions } from './relayClientState.js';

/** TextDecoder options for a chunk of a longer stream, made once rather than per chunk. */
const STREAMING = { stream: true } as const;

/** Where and how an SSE client reads one stream. */
export interface SseClientOptions extends RelayClientOptions {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `/streams/<streamId>` */
  path: string;
}

/** undici's plain TCP connector, built once: built per stream, its TLS session cache and finalization registry were a cost per stream start. */
const connectDefault = buildConnector({});

/** Connects to the stream and reads it until it ends, reconnecting once if told to. */
export function startSseClient(options: SseClientOptions): RelayClientHandle {
  const state = new RelayClientState(options.clock, options.reconnect);
  const meter = state.meter;
  // One undici Client per stream: its sockets carry this stream only, so their byte counts are this stream's.
  const client = new Client(options.origin, {
    connect(connectOptions, callback) {
      connectDefault(connectOptions, (error, socket) => {
        if (socket) {
          meter.add(socket as Socket);
          // undici reads on 'readable'; a second 'readable' listener only observes (a 'data' one would steal the bytes).
          socket.once('readable', () => meter.noteFirstByte());
          callback(null, socket);
        } else {
          callback(error!, null);
        }
      });
    },
  });

  let lastEventId: string | undefined;

  const readConnection = async (): Promise<ConnectionOutcome> => {
    // What EventSource sends; like a browser it always accepts gzip, and the relay decides.
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      'cache-control': 'no-cache',
      'accept-encoding': 'gzip',
    };
    if (state.resumes() && lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const response = await client.request({ path: options.path, method: 'GET', headers });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`SSE client: GET ${options.path} answered ${response.statusCode}, expected 200`);
    }
    state.markConnected();
    const source: Readable = response.headers['content-encoding'] === 'gzip' ? pipeline(response.body, createGunzip(), () => {}) : response.body;

    let dropped = false;
    const parser = createParser({
      onEvent(message) {
        // Events parsed after the drop point were on the wire but the client had already hung up.
        if (dropped) return;
        state.noteEvent();
        if (message.id !== undefined) lastEventId = message.id;
        options.onEvent(message.data);
        if (state.dropsHere()) dropped = true;
      },
      onComment() {
        if (!dropped) state.heartbeats++;
      },
    });
    const decoder = new TextDecoder();
    // Read on 'data' events, not with `for await`: the async iterator costs a promise and a
    // microtask turn per chunk, and every stream's client reads a chunk per event.
    return new Promise<ConnectionOutcome>((resolve, reject) => {
      let settled = false;
      const onData = (chunk: Buffer) => {
        if (settled) return;
        try {
          parser.feed(decoder.decode(chunk, STREAMING));
        } catch (error) {
          settled = true;
          source.destroy();
          reject(error as Error);
          return;
        }
        if (!dropped) return;
        // Close the TCP connection: when the whole response was already buffered, undici would
        // otherwise keep the socket alive and reuse it, which is not a drop.
        settled = true;
        source.off('data', onData);
        source.pause();
        meter.closeAll().then(() => {
          source.destroy();
          resolve('dropped');
        }, reject);
      };
      source.on('data', onData);
      // An error or a close before the end rejects, as the iterator would have thrown.
      finished(source, (error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve('ended');
      });
    });
  };

  const run = async (): Promise<void> => {
    try {
      await state.readUntilEnded(readConnection);
      await client.close();
    } finally {
      await client.destroy();
      await meter.closeAll();
    }
  };

  const done = run();
  done.catch(() => {}); // observed by whoever awaits `done`; never an unhandled rejection
  return {
    connected: state.connected,
    done,
    counters: () => state.counters(),
    async abort() {
      await client.destroy();
      await meter.closeAll();
    },
  };
}
