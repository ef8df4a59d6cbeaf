/**
 * Keeps credentials out of everything streambench prints or writes: error messages, result
 * documents, trace headers. Pure string functions.
 */

const REDACTED = '[REDACTED]';

// Shapes of credentials that can turn up in a server's error text or a header value.
const SECRET_PATTERNS: readonly [RegExp, RegExp, RegExp] = [
  /\bBearer\s+[^\s"',;]+/gi,
  /\bsk-[A-Za-z0-9_-]{6,}/g,
  /\b(x-api-key|api-key|api_key|apikey|access_token|token|key)(["']?\s*[:=]\s*["']?)[^\s"'&,;]+/gi,
];

/** Header names whose values are credentials (shown redacted). */
const SECRET_HEADER = /auth|key|token|secret|cookie|session|signature|password/i;

/**
 * `text` with every given secret value and every credential-shaped substring (`Bearer …`,
 * `sk-…`, `api_key=…`) replaced by [REDACTED].
 */
export function redactSecrets(text: string, secrets: readonly (string | null | undefined)[] = []): string {
  let redacted = text;
  for (const secret of secrets) {
    // Very short values would redact ordinary words; keys are never that short.
    if (secret && secret.length >= 4) redacted = redacted.split(secret).join(REDACTED);
  }
  redacted = redacted.replace(SECRET_PATTERNS[0], `Bearer ${REDACTED}`);
  redacted = redacted.replace(SECRET_PATTERNS[1], REDACTED);
  redacted = redacted.replace(SECRET_PATTERNS[2], (_match, name: string, separator: string) => `${name}${separator}${REDACTED}`);
  return redacted;
}

/** A URL safe to show and store: no user name or password, no query string, no fragment. */
export function publicUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return REDACTED;
  }
}

/** Headers safe to show: values of credential-like headers replaced by [REDACTED]. */
export function publicHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, SECRET_HEADER.test(name) ? REDACTED : value]));
}

/** The values of credential-like headers, to redact wherever they might be echoed. */
export function secretHeaderValues(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([name]) => SECRET_HEADER.test(name))
    .map(([, value]) => value);
}
