/** The line that says which Redis a run used, or that it ran on the memory broker instead. Pure. */
import type { ResultDocument } from '../result/resultSchema.js';

const ORIGIN_TEXT: Record<string, string> = {
  '--redis': 'from --redis',
  REDIS_URL: 'from REDIS_URL',
  default: 'found at the default address',
  private: 'a private redis-server started for this run and stopped after it',
};

/** One line for the terminal, or null when no config needed Redis. */
export function redisNote(document: ResultDocument): string | null {
  const redis = document.context.redis;
  if (!redis) return null;
  if (redis.broker === 'memory') {
    const how = redis.note?.startsWith('--broker memory')
      ? ''
      : ' To measure Redis too: start one on 127.0.0.1:6379, set REDIS_URL or pass --redis URL, or install redis-server (e.g. `apt-get install redis-server`, `brew install redis`) and run again.';
    return `broker: ${redis.note ?? 'the in-process memory broker in place of Redis'}.${how}`;
  }
  const origin = redis.origin ? ` (${ORIGIN_TEXT[redis.origin]})` : '';
  const version = redis.version ? `, Redis ${redis.version}` : '';
  const note = redis.note ? `; ${redis.note}` : '';
  return `Redis: ${redis.url ?? 'unknown'}${origin}${version}${note}`;
}
