/**
 * The Redis the integration tests run against: REDIS_URL, or the local default. When it does
 * not answer, tests are skipped on a developer machine and fail in CI, where Redis must be up.
 */
import { DEFAULT_REDIS_URL, pingRedis } from '../../src/pipeline/brokers/redis/connection.js';

/** REDIS_URL or redis://127.0.0.1:6379 when it answers; null (skip) when not; throws when CI=true. */
export async function redisUrlForTests(): Promise<string | null> {
  const url = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  const probe = await pingRedis(url);
  if (probe.ok) return url;
  if (process.env.CI === 'true') throw new Error(`CI needs a Redis for the integration tests: ${probe.reason}`);
  console.warn(`Skipping Redis integration tests: ${probe.reason}`);
  return null;
}
