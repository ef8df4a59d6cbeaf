/**
 * The seed's "fewer JSON operations" proposal as written: json.dumps behind a cache keyed
 * by object identity (`id(obj)`). In the field every message is a fresh object, so the
 * cache never hits and only grows; if a producer reuses one mutable object, it returns
 * stale JSON. Both are what the benchmark shows.
 */
import type { JsonCounter } from '../../probes/jsonCounter.js';
import type { Serializer } from '../types.js';
import { type FieldMessage, freshMessage, openFieldFormat } from './fieldBaseline.js';

/** The seed's identity-keyed cache: one entry per object ever stringified, never evicted. */
export class IdentityJsonCache {
  private readonly entries = new Map<object, string>();
  hits = 0;
  misses = 0;

  /** Returns the cached JSON of `value` if this very object was stringified before; counts misses on `json`. */
  stringify(value: object, json: JsonCounter): string {
    const cached = this.entries.get(value);
    if (cached !== undefined) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const text = json.stringify(value);
    this.entries.set(value, text);
    return text;
  }

  /** Objects held by the cache (it never forgets one). */
  get size(): number {
    return this.entries.size;
  }
}

/**
 * The seed's cache in front of the field format. `reuseMessageObject` models a producer that
 * mutates one message object instead of building a new one per chunk.
 */
export function createSeedCacheSerializer(reuseMessageObject: boolean): Serializer {
  const name = reuseMessageObject ? 'seed-cache-mutated' : 'seed-cache';
  // One cache per serializer instance, like the module-level dict in the seed: it lives as
  // long as the process, across streams.
  let cache: IdentityJsonCache | undefined;
  return {
    name,
    open(json) {
      cache ??= new IdentityJsonCache();
      const streamCache = cache;
      let reused: FieldMessage | undefined;
      const buildMessage = reuseMessageObject
        ? (seq: number, threadId: string, now: string) => {
            reused ??= freshMessage(seq, threadId, now);
            reused.sequence = seq;
            return reused;
          }
        : freshMessage;
      const stream = openFieldFormat(json, (value) => streamCache.stringify(value, json), buildMessage);
      return {
        ...stream,
        counters: () => ({
          ...stream.counters?.(),
          jsonCacheHits: streamCache.hits,
          jsonCacheEntries: streamCache.size,
        }),
      };
    },
  };
}
