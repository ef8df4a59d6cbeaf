/** Request bodies and JSON answers of the model endpoints streambench serves (the mock server and target mode's upstream). */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reads the request body as text; throws past `maxBytes` (a client that sends without end must not fill memory). */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const part of request) {
    bytes += (part as Buffer).length;
    if (bytes > maxBytes) throw new Error(`request body over ${maxBytes} bytes`);
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Answers with `body` as JSON, its length set, plus any extra `headers`. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
