/**
 * The loopback HTTP server the browser pages are loaded from: `GET /page?session=<id>` is a
 * small HTML page with marked's browser build and the page script inline (no other request),
 * and `/control?session=<id>` is the WebSocket each page opens back to streambench for its
 * commands, the clock calibration and its report.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeServer, listenOnLoopback } from '../../../net/loopbackServer.js';
import { PAGE_SCRIPT } from './pageScript.js';

/** Where a page served on an app's own origin lives (intercepted in the browser; the app never sees the request). */
export const PAGE_PATH_ON_TARGET = '/__streambench/page';

/**
 * Headers that make the page cross-origin isolated: Chromium then coarsens performance.now()
 * to 5 µs instead of 100 µs, which would otherwise add up to 0.1 ms to every page timestamp.
 * The stream requests stay allowed: EventSource and fetch are CORS requests, WebSocket is exempt.
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/** A started page server. */
export interface PageServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /**
   * The URL of a page for session `id`; its control socket is handed to `awaitControl(id)`.
   * With `onOrigin`, the page's address on that origin (the caller serves it there, see `html`).
   */
  pageUrl(id: string, onOrigin?: string): string;
  /** The page itself, for a caller that serves it on another origin. */
  readonly html: string;
  /** Resolves with the page's control socket once the page for session `id` connected (rejects after `timeoutMs`). */
  awaitControl(id: string, timeoutMs: number): Promise<WebSocket>;
  close(): Promise<void>;
}

/** marked's browser (UMD) build, read from the installed package: the page defines `window.marked` with it. */
export function markedBrowserBuild(): string {
  // The package exports only its ESM entry; the UMD build sits beside it in lib/.
  const esmPath = fileURLToPath(import.meta.resolve('marked'));
  const source = readFileSync(esmPath.replace(/marked\.esm\.js$/, 'marked.umd.js'), 'utf8');
  // Inline in a <script>: a closing tag inside the source would end the element early.
  return source.replace(/<\/script/gi, '<\\/script');
}

/** The whole page, self-contained. */
export function pageHtml(): string {
  return [
    // An icon of its own: Chromium asks the page's origin for /favicon.ico otherwise, and on an app's origin the app would see a request no user sent.
    '<!doctype html><html><head><meta charset="utf-8"><title>streambench</title><link rel="icon" href="data:,">',
    '<style>body{font:16px/1.5 sans-serif;margin:16px;max-width:760px}pre{background:#f4f4f4;padding:8px}</style>',
    '</head><body><div id="out"></div>',
    `<script>${markedBrowserBuild()}</script>`,
    `<script>${PAGE_SCRIPT}</script>`,
    '</body></html>',
  ].join('\n');
}

/** Starts the page server on 127.0.0.1, on an ephemeral port. */
export async function startPageServer(): Promise<PageServer> {
  const html = pageHtml();
  const waiting = new Map<string, (socket: WebSocket) => void>();
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://page');
    if (request.method === 'GET' && url.pathname === '/page') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...CROSS_ORIGIN_ISOLATION_HEADERS }).end(html);
      return;
    }
    // The page asks for nothing else; a favicon request gets an empty answer, not an error.
    response.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://page');
    const deliver = url.pathname === '/control' ? waiting.get(url.searchParams.get('session') ?? '') : undefined;
    if (!deliver) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => deliver(ws));
  });
  const port = await listenOnLoopback(server);
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    html,
    pageUrl: (id, onOrigin) =>
      `${onOrigin ?? origin}${onOrigin ? PAGE_PATH_ON_TARGET : '/page'}?session=${encodeURIComponent(id)}&control=${encodeURIComponent(`ws://127.0.0.1:${port}/control`)}`,
    awaitControl(id, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`the browser page did not connect back within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, (ws) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(ws);
        });
      });
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await closeServer(server);
    },
  };
}
