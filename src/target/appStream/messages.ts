/** Pieces of the reader's error messages: safe URLs, escaped first bytes, causes. */

/** How many bytes of an unexpected answer an error message shows. */
export const FIRST_BYTES_SHOWN = 200;

/** The URL without credentials or query values (they may hold keys): scheme, host, port, path. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return '(an invalid URL)';
  }
}

/** The first bytes of a body as an escaped, quoted string (control characters visible). */
export function escapedFirstBytes(bytes: Buffer): string {
  if (bytes.length === 0) return '(nothing)';
  const shown = bytes.subarray(0, FIRST_BYTES_SHOWN).toString('utf8');
  return `${JSON.stringify(shown)}${bytes.length > FIRST_BYTES_SHOWN ? ' …' : ''}`;
}

/** A network error's code and message (undici and node:net errors keep the code on the error or its cause). */
export function describeCause(error: unknown): string {
  const seen = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = seen?.code ?? seen?.cause?.code;
  const message = seen?.cause?.message ?? seen?.message ?? String(error);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}

/** Keeps the first FIRST_BYTES_SHOWN bytes of a body for error messages. */
export class FirstBytes {
  private parts: Buffer[] = [];
  private length = 0;

  /** Adds a chunk (only its head is kept once enough is held). */
  add(chunk: Buffer): void {
    if (this.length > FIRST_BYTES_SHOWN) return;
    this.parts.push(chunk.subarray(0, FIRST_BYTES_SHOWN + 1 - this.length));
    this.length += Math.min(chunk.length, FIRST_BYTES_SHOWN + 1 - this.length);
  }

  /** The bytes kept. */
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/**
 * Why an answer whose events parsed but held no text at all fails: most often a format or text
 * path that does not match what the app sends (events of another API, a misspelt path), which
 * the text check would otherwise blame on the app as lost text.
 */
export function textlessAnswerMessage(what: string, request: { format: string; textPath?: string }, events: number, firstBytes: Buffer): string {
  const where = request.textPath ? ` at text path \`${request.textPath}\`` : '';
  return (
    `${what} parsed as format ${request.format}, but none of its ${events} events held text${where}: check --format and --text-path ` +
    `(target.format, target.textPath) against what the app sends; the first bytes received: ${escapedFirstBytes(firstBytes)}`
  );
}
