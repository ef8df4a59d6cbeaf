/** Reads one streamed answer from the app in the format it speaks (see types.ts and docs/target-apps.md). */
import { readHttpAppStream } from './httpAppStream.js';
import type { ReadAppStream } from './types.js';
import { readWebSocketAppStream } from './websocketAppStream.js';

/** Reads one streamed answer from the app: over WebSocket for 'websocket', else over HTTP. */
export const readAppStream: ReadAppStream = (request, clock, observer, signal) =>
  request.format === 'websocket' ? readWebSocketAppStream(request, clock, observer, signal) : readHttpAppStream(request, clock, observer, signal);
