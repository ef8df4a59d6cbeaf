import { randomUUID } from 'node:crypto';
import { systemClock } from '../../src/clock.js';
import { createRedisBroker, type RedisBroker } from '../../src/pipeline/brokers/redis/broker.js';
import type { RedisBrokerSettings } from '../../src/pipeline/brokers/redis/settings.js';

/** A fresh run id, so every test's keys live under a prefix of their own. */
export function newRunId(): string {
  return `test-${randomUUID()}`;
}

/** Opens a broker on `url` for one test body and guarantees close() afterwards. */
export async function withRedisBroker<T>(settings: RedisBrokerSettings, url: string, body: (broker: RedisBroker, runId: string) => Promise<T>): Promise<T> {
  const runId = newRunId();
  const broker = await createRedisBroker(settings, { url, runId, clock: systemClock });
  try {
    return await body(broker, runId);
  } finally {
    await broker.close();
  }
}
