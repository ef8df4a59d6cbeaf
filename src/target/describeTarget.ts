/**
 * A target config's settings as the result document shows them: header and environment
 * values are replaced (they may hold API keys or tokens), and URLs lose their passwords.
 */
import { redactUrl } from '../pipeline/brokers/redis/urlSecrets.js';
import type { TargetSettings } from '../scenario/targetSchema.js';

const HIDDEN = '<hidden>';

/**
 * A shell command with secret-looking values hidden: variable assignments (`API_KEY=sk-…`),
 * options (`--api-key sk-…`, `--token=…`), bearer tokens and OpenAI-style `sk-` keys. Pure.
 */
export function hideCommandSecrets(command: string): string {
  return command
    .replace(/\b([A-Za-z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASS|AUTH)[A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/gi, `$1=${HIDDEN}`)
    .replace(/(^|\s)(--?[A-Za-z0-9-]*(?:key|token|secret|password|auth)[A-Za-z0-9-]*)(\s+)(?!-)("[^"]*"|'[^']*'|\S+)/gi, `$1$2$3${HIDDEN}`)
    .replace(/\b(Bearer\s+)[^\s"']+/gi, `$1${HIDDEN}`)
    .replace(/\bsk-[A-Za-z0-9_-]{8,}/g, HIDDEN);
}

/** The settings with every possible secret hidden. Pure. */
export function describeTarget(target: TargetSettings): Record<string, unknown> {
  const hideValues = (record: Record<string, string> | undefined) => record && Object.fromEntries(Object.keys(record).map((name) => [name, HIDDEN]));
  return {
    ...target,
    url: redactUrl(target.url),
    ...(target.headers && { headers: hideValues(target.headers) }),
    ...(target.app && { app: { ...target.app, command: hideCommandSecrets(target.app.command), ...(target.app.env && { env: hideValues(target.app.env) }) } }),
    ...(target.redis && { redis: { ...target.redis, url: target.redis.url === 'auto' ? 'auto' : redactUrl(target.redis.url) } }),
  };
}
