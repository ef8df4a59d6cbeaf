/**
 * Runs the mock server on its own thread (a worker), so a pipeline that blocks the main
 * event loop (a full-text render, a JSON storm) cannot delay the mock's chunks: every
 * config then gets the same upstream timing. This module is also the worker's entry point.
 *
 * The worker needs the compiled JavaScript; when running from TypeScript sources (tests
 * under vitest) the server runs in-process instead, on the caller's event loop.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startMockServer } from './mockServer.js';
import type { ResolvedMockSettings } from './mockSettings.js';

/** What the worker is started with. */
interface MockWorkerData {
  streambenchMockServer: true;
  settings: ResolvedMockSettings;
  seed: number;
  host: string;
  port: number;
  reportChunks: boolean;
  precise: boolean;
}

/** Messages from the worker. */
type MockWorkerMessage =
  { type: 'listening'; url: string; baseUrl: string } | { type: 'chunk'; streamIndex: number; chunkIndex: number; atMs: number; requestArrivedMs: number } | { type: 'closed' };

/** A mock server on its own thread (or in-process, see `isolated`). */
export interface MockServerThread {
  readonly url: string;
  readonly baseUrl: string;
  /** true: on a worker thread; false: in-process (running from TypeScript sources). */
  readonly isolated: boolean;
  close(): Promise<void>;
}

/** Options of a threaded mock server. */
export interface MockServerThreadOptions {
  settings: ResolvedMockSettings;
  seed: number;
  host?: string;
  port?: number;
  /** Called after each chunk was handed to the socket, with the time on the (process-wide) monotonic clock. */
  onChunkSent?: (sent: { streamIndex: number; chunkIndex: number; atMs: number; requestArrivedMs: number }) => void;
  /** See MockServerOptions.precise. */
  precise?: boolean;
}

/** Starts the mock server on a worker thread (in-process when running from sources). */
export async function startMockServerThread(options: MockServerThreadOptions): Promise<MockServerThread> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!import.meta.url.endsWith('.js')) {
    const server = await startMockServer({ settings: options.settings, seed: options.seed, host, port, onChunkSent: options.onChunkSent, precise: options.precise });
    return { url: server.url, baseUrl: server.baseUrl, isolated: false, close: () => server.close() };
  }
  const data: MockWorkerData = {
    streambenchMockServer: true,
    settings: options.settings,
    seed: options.seed,
    host,
    port,
    reportChunks: options.onChunkSent !== undefined,
    precise: options.precise ?? false,
  };
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const listening = new Promise<{ url: string; baseUrl: string }>((resolve, reject) => {
    worker.on('message', (message: MockWorkerMessage) => {
      if (message.type === 'listening') resolve(message);
      else if (message.type === 'chunk') options.onChunkSent?.(message);
      else markClosed();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      markClosed();
      reject(new Error(`the mock server thread exited (code ${code}) before listening`));
    });
  });
  const { url, baseUrl } = await listening;
  return {
    url,
    baseUrl,
    isolated: true,
    async close() {
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
}

/** The worker side: start the server, report, close on request. */
async function runWorker(data: MockWorkerData): Promise<void> {
  const port = parentPort!;
  const server = await startMockServer({
    settings: data.settings,
    seed: data.seed,
    host: data.host,
    port: data.port,
    precise: data.precise,
    onChunkSent: data.reportChunks ? (sent) => port.postMessage({ type: 'chunk', ...sent } satisfies MockWorkerMessage) : undefined,
  });
  port.postMessage({ type: 'listening', url: server.url, baseUrl: server.baseUrl } satisfies MockWorkerMessage);
  port.on('message', (message) => {
    if (message !== 'close') return;
    void server.close().then(() => port.postMessage({ type: 'closed' } satisfies MockWorkerMessage));
  });
}

if (!isMainThread && (workerData as Partial<MockWorkerData> | null)?.streambenchMockServer === true) {
  await runWorker(workerData as MockWorkerData);
}
