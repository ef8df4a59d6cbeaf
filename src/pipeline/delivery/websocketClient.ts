import { connect, type NetConnectOpts, type Socket } from 'node:net';
import { WebSocket, type ClientOptions } from 'ws';
import type { RelayClientHandle } from './relayDelivery.js';
import { RelayClientState, type ConnectionOutcome, type RelayClientOptions } from './relayClientState.js';
import { RESUME_FROM_PARAM, perMessageDeflateOption } from './websocketServer.js';

/** Where and how a WebSocket client reads one stream. */
export interface WebSocketClientOptions extends RelayClientOptions {
  /** `ws://127.0.0.1:<port>/streams/<streamId>` */
  url: string;
  perMessageDeflate: boolean;
}

/** Connects to the stream and reads it until the server closes it, reconnecting once if told to. */
export function startWebSocketClient(options: WebSocketClientOptions): RelayClientHandle {
  const state = new RelayClientState(options.clock, options.reconnect);
  const meter = state.meter;
  // Position in the stream of the next message on the current connection: what a resume asks for.
  let position = 0;
  let current: WebSocket | null = null;
  let aborted = false;

  const createConnection = (connectOptions: NetConnectOpts): Socket => {
    // ws's own connector does the same, minus the metering (path is for Unix sockets only).
    const socket = connect({ ...connectOptions, path: undefined } as NetConnectOpts);
    meter.add(socket);
    // The HTTP client makes the socket flowing anyway; this listener only notes the first chunk's time.
    socket.once('data', () => meter.noteFirstByte());
    return socket;
  };
  const clientOptions: ClientOptions = {
    perMessageDeflate: perMessageDeflateOption(options.perMessageDeflate),
    // Typed as net.createConnection with all its overloads; ws only ever calls it with an options object.
    createConnection: createConnection as ClientOptions['createConnection'],
  };

  const readConnection = (fromPosition: number): Promise<ConnectionOutcome> =>
    new Promise((resolve, reject) => {
      const url = fromPosition > 0 ? `${options.url}?${RESUME_FROM_PARAM}=${fromPosition}` : options.url;
      const ws = new WebSocket(url, clientOptions);
      current = ws;
      position = fromPosition;
      let dropped = false;
      let failure: Error | null = null;
      ws.on('open', () => state.markConnected());
      ws.on('message', (data, isBinary) => {
        // Frames parsed after the drop point were on the wire but the client had already hung up.
        if (dropped) return;
        if (isBinary) {
          failure = new Error('WebSocket client: binary message received, the relay sends text');
          ws.terminate();
          return;
        }
        state.noteEvent();
        position++;
        options.onEvent((data as Buffer).toString('utf8'));
        if (state.dropsHere()) {
          dropped = true;
          ws.terminate(); // a network drop: no close handshake
        }
      });
      ws.on('error', (error) => (failure ??= error));
      ws.on('close', (code) => {
        current = null;
        if (failure) reject(failure);
        else if (dropped) resolve('dropped');
        else if (aborted) reject(new Error('WebSocket client: aborted by delivery close()'));
        else if (code !== 1000) reject(new Error(`WebSocket client: connection closed with code ${code}, expected 1000`));
        else resolve('ended');
      });
    });

  const run = async (): Promise<void> => {
    try {
      // Without resume the relay replays from the start, as the field's does.
      await state.readUntilEnded(() => readConnection(state.resumes() ? position : 0));
    } finally {
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
      aborted = true;
      current?.terminate();
      await meter.closeAll();
    },
  };
}
