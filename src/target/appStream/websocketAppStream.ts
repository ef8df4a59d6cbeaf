/**
 * Reads an app's streamed answer over WebSocket (ws): sends the request body as the first
 * message, then reads text messages, the text at `textPath` in each (the whole message without
 * one), until `donePath` appears or the app closes. Each message's wire bytes are its frame's:
 * the 2–10-byte header plus the payload (the client offers no compression, so this is exact
 * for unfragmented messages); the total is counted on the socket.
 */
import { connect, isIP, type NetConnectOpts, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsConnectOptions } from 'node:tls';
import { WebSocket, type ClientOptions } from 'ws';
import type { Clock } from '../../clock.js';
import { ClientSocketMeter } from '../../pipeline/delivery/clientSocketMeter.js';
import { Deadline, timeoutError } from './deadline.js';
import { EventLedger } from './eventLedger.js';
import { interpretByPaths, parsePaths } from './formats/jsonPathFormats.js';
import { FirstBytes, describeCause, escapedFirstBytes, safeUrl, textlessAnswerMessage } from './messages.js';
import { AppStreamError, type AppRequest, type AppStreamObserver, type AppStreamSummary } from './types.js';

/** Bytes of a server-to-client (unmasked) frame header for a payload of `length` bytes (RFC 6455 §5.2). */
export function webSocketFrameHeaderBytes(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

/** Reads one streamed answer over WebSocket; see ReadAppStream. */
export async function readWebSocketAppStream(request: AppRequest, clock: Clock, observer: AppStreamObserver, signal: AbortSignal): Promise<AppStreamSummary> {
  if (request.resume.mode !== 'none') {
    throw new AppStreamError('resume is supported for the HTTP formats only; set resume.mode none for format websocket', 'format');
  }
  if (!/^wss?:$/.test(URL.canParse(request.url) ? new URL(request.url).protocol : '')) {
    throw new AppStreamError(`url ${safeUrl(request.url)}: format websocket needs a ws:// or wss:// URL`, 'unreachable');
  }
  const [textPath, donePath] = parsePaths(request.textPath, request.donePath);
  const ledger = new EventLedger(request, observer);
  const meter = new ClientSocketMeter(clock);
  const firstBytes = new FirstBytes();
  const url = safeUrl(request.url);
  const { timeouts } = request;
  let socket: WebSocket | null = null;
  let handshakeDone = false;
  let tcpConnected = false;
  const deadline = new Deadline(clock, () => socket?.terminate());
  const timedOut = (expired: NonNullable<Deadline['expired']>) =>
    timeoutError(expired, {
      connect: `no connection to ${url}`,
      firstByte: `${url} accepted the connection but did not complete the WebSocket handshake`,
      idle: `${url} sent no message after ${ledger.contentEvents} content events`,
    });
  const onAbort = () => socket?.terminate();
  signal.addEventListener('abort', onAbort, { once: true });

  const secure = request.url.startsWith('wss:');
  // ws' own connectors, plus the metering (path is for Unix sockets only; TLS needs the server name).
  const createConnection = (connectOptions: NetConnectOpts & TlsConnectOptions): Socket => {
    const options = { ...connectOptions, path: undefined };
    const host = (options as { host?: string }).host ?? '';
    // As ws does: SNI with the host name, none for an IP address.
    const socket = secure ? tlsConnect({ ...options, servername: options.servername ?? (isIP(host) ? '' : host) }) : connect(options as NetConnectOpts);
    meter.add(socket);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      tcpConnected = true;
      if (!handshakeDone) deadline.arm('firstByte', timeouts.firstByteMs);
    });
    return socket;
  };

  try {
    if (signal.aborted) throw new AppStreamError(`the read of ${url} was aborted`, 'aborted');
    deadline.arm('connect', timeouts.connectMs);
    const closeCode = await new Promise<number>((resolve, reject) => {
      let failure: AppStreamError | null = null;
      const options: ClientOptions = {
        perMessageDeflate: false,
        headers: request.headers,
        createConnection: createConnection as ClientOptions['createConnection'],
      };
      const ws = new WebSocket(request.url, options);
      socket = ws;
      ws.on('upgrade', (response) => {
        handshakeDone = true;
        const atMs = clock.nowMs();
        observer.connected(atMs);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        observer.responseHead(atMs, response.statusCode ?? 101, headers);
        deadline.arm('idle', timeouts.idleMs);
      });
      ws.on('open', () => {
        if (request.body !== undefined) ws.send(request.body);
      });
      ws.on('unexpected-response', (_req, response) => {
        const status = response.statusCode ?? 0;
        const body = new FirstBytes();
        response.on('data', (chunk: Buffer) => body.add(chunk));
        const done = () => {
          failure ??= new AppStreamError(
            `the app answered ${status} to the WebSocket upgrade at ${url}, expected 101; the body begins: ${escapedFirstBytes(body.bytes())}`,
            'status',
          );
          ws.terminate();
        };
        response.once('end', done);
        response.once('error', done);
      });
      ws.on('message', (data: Buffer, isBinary) => {
        const atMs = clock.nowMs();
        deadline.arm('idle', timeouts.idleMs);
        firstBytes.add(data);
        const wireBytes = webSocketFrameHeaderBytes(data.length) + data.length;
        const meaning = isBinary ? { text: '', malformed: true } : interpretByPaths(data.toString('utf8'), textPath, donePath);
        ledger.record(meaning, wireBytes, atMs);
        if (ledger.ended) ws.close(1000);
      });
      ws.on('error', (error) => {
        if (failure) return;
        if (signal.aborted) failure = new AppStreamError(`the read of ${url} was aborted`, 'aborted');
        else if (deadline.expired) failure = timedOut(deadline.expired);
        else if (!tcpConnected) failure = new AppStreamError(`cannot reach the app at ${url}: ${describeCause(error)}`, 'unreachable');
        else failure = new AppStreamError(`the WebSocket to ${url} failed: ${describeCause(error)}`, 'closed');
      });
      ws.on('close', (code) => {
        socket = null;
        if (!failure && signal.aborted) failure = new AppStreamError(`the read of ${url} was aborted`, 'aborted');
        if (!failure && deadline.expired) failure = timedOut(deadline.expired);
        if (failure) reject(failure);
        else resolve(code);
      });
    });
    if (ledger.parsedEvents === 0 && ledger.malformedEvents > 0) {
      const expected = textPath ? `JSON messages with the text at \`${textPath.source}\`` : 'text messages';
      throw new AppStreamError(
        `the messages from ${url} do not parse as format websocket: expected ${expected}; the first bytes received: ${escapedFirstBytes(firstBytes.bytes())}`,
        'format',
      );
    }
    if (ledger.parsedEvents > 0 && ledger.textChars === 0 && ledger.appError === undefined) {
      throw new AppStreamError(textlessAnswerMessage(`the messages from ${url}`, request, ledger.parsedEvents, firstBytes.bytes()), 'format');
    }
    const clean = closeCode === 1000 || closeCode === 1005;
    if (!clean && !ledger.ended) {
      throw new AppStreamError(`the app closed the WebSocket at ${url} with code ${closeCode} after ${ledger.contentEvents} content events`, 'closed');
    }
    return {
      ending: ledger.ended || donePath === null ? 'done' : 'closed-without-end-marker',
      status: 101,
      wireBytes: meter.bytes(),
      malformedEvents: ledger.malformedEvents,
      resumes: 0,
      ...(ledger.appError !== undefined && { appError: ledger.appError }),
    };
  } finally {
    deadline.disarm();
    signal.removeEventListener('abort', onAbort);
    (socket as WebSocket | null)?.terminate();
    await meter.closeAll();
  }
}
