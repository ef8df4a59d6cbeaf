import { describe, expect, it } from 'vitest';
import { createSerializer, SERIALIZER_NAMES } from '../src/pipeline/serializers/index.js';
import { IdentityJsonCache } from '../src/pipeline/serializers/seedCache.js';
import { JsonCounter } from '../src/probes/jsonCounter.js';
import { itemAt } from './helpers/indexed.js';

/** Runs `messages` content messages and the end item through producer, relay and decoder. */
function roundTrip(name: (typeof SERIALIZER_NAMES)[number], texts: string[]) {
  const json = new JsonCounter();
  const serializer = createSerializer(name);
  const producer = serializer.open(json);
  const relay = serializer.open(json);
  const decoder = serializer.open(json);
  const decoded = texts.map((text, seq) => decoder.decode(relay.relay(producer.encode({ seq, text }))));
  decoded.push(decoder.decode(relay.relay(producer.encodeEnd(texts.length))));
  return { json, decoded, producer };
}

const hundredTexts = Array.from({ length: 100 }, (_, index) => (index % 7 === 0 ? ' ação\n"q"' : ` word${index}`));

describe('serializers', () => {
  it.each(SERIALIZER_NAMES.filter((name) => name !== 'seed-cache-mutated'))('%s carries text and sequence exactly', (name) => {
    const { decoded } = roundTrip(name, hundredTexts);
    expect(decoded.slice(0, -1).map((event) => event.text)).toEqual(hundredTexts);
    expect(decoded.slice(0, -1).map((event) => event.seq)).toEqual(hundredTexts.map((_, seq) => seq));
    expect(decoded.every((event, index) => event.end === (index === 100))).toBe(true);
    expect(itemAt(decoded, 100, 'decoded').seq).toBe(100);
  });

  // Hand counts per content message (producer + relay + decode), plus the end item:
  // field-baseline: producer 3 stringify + 1 parse, relay 1 parse + 1 stringify, decode 3 parse
  //   → 4 S + 5 P per message; end: encode 1 S, relay 1 P + 1 S, decode 1 P.
  // single-pass: encode 1 S, relay 0, decode 1 P; raw-text: none.
  it.each([
    ['field-baseline', 100 * 4 + 2, 100 * 5 + 2],
    ['seed-cache', 100 * 4 + 2, 100 * 5 + 2],
    ['single-pass', 101, 101],
    ['raw-text', 0, 0],
  ] as const)('%s makes the hand-counted JSON calls for 100 messages', (name, stringifyCalls, parseCalls) => {
    const { json } = roundTrip(name, hundredTexts);
    expect(json.stringifyCalls).toBe(stringifyCalls);
    expect(json.parseCalls).toBe(parseCalls);
  });

  it('seed-cache never hits with fresh message objects and keeps every one', () => {
    const { producer } = roundTrip('seed-cache', hundredTexts);
    // content dict, metadata dict and the message itself: three objects per message.
    expect(producer.counters?.()).toMatchObject({ jsonCacheHits: 0, jsonCacheEntries: 300 });
  });

  it('seed-cache-mutated sends stale JSON: every message repeats the first one', () => {
    const { decoded } = roundTrip('seed-cache-mutated', ['Hello', ' world', '!']);
    expect(decoded.slice(0, 3).map((event) => event.text)).toEqual(['Hello', 'Hello', 'Hello']);
    expect(decoded.slice(0, 3).map((event) => event.seq)).toEqual([0, 0, 0]);
  });
});

describe('IdentityJsonCache (the seed proposal as written)', () => {
  it('returns stale JSON for a mutated object', () => {
    const cache = new IdentityJsonCache();
    const json = new JsonCounter();
    const message = { content: 'first' };
    expect(cache.stringify(message, json)).toBe('{"content":"first"}');
    message.content = 'second';
    expect(cache.stringify(message, json)).toBe('{"content":"first"}');
    expect(cache.hits).toBe(1);
  });

  it('grows by one entry per object and never evicts', () => {
    const cache = new IdentityJsonCache();
    const json = new JsonCounter();
    for (let index = 0; index < 1000; index++) cache.stringify({ index }, json);
    expect(cache.size).toBe(1000);
    expect(cache.hits).toBe(0);
  });
});
