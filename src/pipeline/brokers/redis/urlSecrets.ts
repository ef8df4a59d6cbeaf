/**
 * Keeping a Redis URL's password out of every text the tool shows: the URL redacted, and any
 * message scrubbed of the secret in all the forms it could take. Knows both `redis://` URLs
 * and the `redis+cluster://` host-list form.
 */
import { clusterUrlSecrets, isClusterUrl, redactClusterUrl } from './clusterUrl.js';

/** The URL with any password replaced by `***` (also a `password=` query parameter). */
export function redactUrl(url: string): string {
  if (isClusterUrl(url)) return redactClusterUrl(url);
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return hideUserInfo(parsed.toString().replace('password=%2A%2A%2A', 'password=***'));
  } catch {
    // Not a parseable URL: still hide anything that looks like user:secret@.
    return hideUserInfo(url.replace(/(password=)[^&]*/i, '$1***'));
  }
}

/**
 * Hides whatever sits between a colon and an @: a URL that parses with its password outside the
 * userinfo ("redis:/:secret@host", one slash short) still shows no secret.
 */
function hideUserInfo(text: string): string {
  return text.replace(/:[^:@]*@/g, ':***@');
}

/** Every form of the URL's password that could show up in a text. */
function secretsOf(url: string): string[] {
  if (isClusterUrl(url)) return clusterUrlSecrets(url);
  const secrets = new Set<string>();
  try {
    const parsed = new URL(url);
    for (const raw of [parsed.password, parsed.searchParams.get('password') ?? '']) {
      if (raw === '') continue;
      secrets.add(raw);
      try {
        secrets.add(decodeURIComponent(raw));
      } catch {
        // A malformed escape: the raw form is all that could leak.
      }
    }
  } catch {
    const match = /\/\/[^:@/]*:([^@/]*)@/.exec(url);
    if (match?.[1]) secrets.add(match[1]);
  }
  return [...secrets].filter((secret) => secret.length > 0);
}

/** `text` with the URL's password replaced by `***`, wherever it appears. */
export function scrubSecrets(text: string, url: string): string {
  let scrubbed = text;
  for (const secret of secretsOf(url)) scrubbed = scrubbed.split(secret).join('***');
  return scrubbed;
}

/** A one-line reason from whatever a connection attempt threw or emitted, scrubbed of the password. */
export function describeCause(error: unknown, url: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const text = typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
  return scrubSecrets(text.split('\n')[0] ?? text, url);
}
