import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../src/clock.js';
import { chunkTokens, granularitySchema, type Granularity } from '../src/sources/chunking.js';
import { corpusStyles, generateText } from '../src/sources/corpus.js';
import { distributionSchema, sampleMs, type DistributionSetting } from '../src/sources/distributions.js';
import { PROFILES, profileNames } from '../src/sources/profiles.js';
import { createRandom, deriveSeed } from '../src/sources/random.js';
import { createSyntheticSource, planSyntheticStream } from '../src/sources/synthetic.js';
import { resolveSyntheticSettings, syntheticSourceSchema, type ResolvedSyntheticSettings, type SyntheticSourceInput } from '../src/sources/syntheticSchema.js';
import { tokenize } from '../src/sources/tokenize.js';
import type { SourceChunk } from '../src/sources/types.js';
import { itemAt } from './helpers/indexed.js';

/** Settings with constant timing, so offsets can be asserted exactly. */
function constantSettings(overrides: Partial<SyntheticSourceInput> = {}): ResolvedSyntheticSettings {
  return resolveSyntheticSettings({ type: 'synthetic', tokens: 30, ttftMs: 100, gapMs: 10, ...overrides });
}

/** Gaps between consecutive offsets (the first entry is the first offset itself). */
function gapsOf(offsetsMs: number[]): number[] {
  return offsetsMs.map((offset, i) => (i === 0 ? offset : offset - itemAt(offsetsMs, i - 1, 'offsetsMs')));
}

/** Lets pending promise callbacks and one macrotask turn run. */
function flushEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function stddev(values: number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1));
}

describe('random', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 20 }, () => random.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(2 ** 40)).not.toEqual(draw(0)); // the high word of the seed counts
  });

  it('keeps next() in [0, 1) and int() within its inclusive bounds, reaching both ends', () => {
    const random = createRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = random.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      seen.add(random.int(3, 6));
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('picks from the array and rejects bad arguments', () => {
    const random = createRandom(5);
    expect(['a', 'b', 'c']).toContain(random.pick(['a', 'b', 'c']));
    expect(() => random.pick([])).toThrow(RangeError);
    expect(() => random.int(5, 4)).toThrow(RangeError);
    expect(() => createRandom(1.5)).toThrow(/safe integer/);
  });

  it('draws standard normals with mean 0 and stddev 1', () => {
    const random = createRandom(9);
    const samples = Array.from({ length: 20000 }, () => random.normal());
    expect(Math.abs(mean(samples))).toBeLessThan(0.05);
    expect(stddev(samples)).toBeCloseTo(1, 1);
  });

  it('derives distinct seeds per label, deterministically', () => {
    expect(deriveSeed(7, 'text', 0)).toBe(deriveSeed(7, 'text', 0));
    const derived = [deriveSeed(7, 'text', 0), deriveSeed(7, 'text', 1), deriveSeed(7, 'timing', 0), deriveSeed(8, 'text', 0), deriveSeed(7, 'text', '0'), deriveSeed(7)];
    expect(new Set(derived).size).toBe(derived.length);
    for (const seed of derived) expect(Number.isSafeInteger(seed) && seed >= 0).toBe(true);
  });
});

describe('distributions', () => {
  const sampleMany = (distribution: DistributionSetting, n = 20000) => {
    const random = createRandom(123);
    return Array.from({ length: n }, () => sampleMs(distribution, random));
  };

  it.each([
    { dist: 'normal', mean: 100, stddev: 20 },
    { dist: 'lognormal', mean: 350, stddev: 120 },
    { dist: 'gamma', mean: 12, stddev: 6 },
    { dist: 'gamma', mean: 2, stddev: 4 }, // shape 0.25: the shape < 1 path
  ] as const)('matches the mean and stddev of $dist($mean, $stddev)', (distribution) => {
    const samples = sampleMany(distribution);
    expect(Math.abs(mean(samples) - distribution.mean) / distribution.mean).toBeLessThan(0.03);
    expect(Math.abs(stddev(samples) - distribution.stddev) / distribution.stddev).toBeLessThan(0.1);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
  });

  it('treats a number and {dist: constant} as constants', () => {
    const random = createRandom(1);
    expect(sampleMs(25, random)).toBe(25);
    expect(sampleMs({ dist: 'constant', value: 7.5 }, random)).toBe(7.5);
    expect(sampleMs({ dist: 'gamma', mean: 40, stddev: 0 }, random)).toBe(40);
    expect(sampleMs({ dist: 'lognormal', mean: 0, stddev: 5 }, random)).toBe(0);
  });

  it('clamps normal samples at 0', () => {
    const samples = sampleMany({ dist: 'normal', mean: 0, stddev: 10 }, 1000);
    expect(Math.min(...samples)).toBe(0);
    expect(Math.max(...samples)).toBeGreaterThan(0);
  });

  it('validates settings: negative values, unknown fields and unknown kinds are errors', () => {
    expect(distributionSchema.safeParse(12).success).toBe(true);
    expect(distributionSchema.safeParse({ dist: 'gamma', mean: 12, stddev: 6 }).success).toBe(true);
    expect(distributionSchema.safeParse(-1).success).toBe(false);
    expect(distributionSchema.safeParse({ dist: 'normal', mean: 10, stddev: -1 }).success).toBe(false);
    expect(distributionSchema.safeParse({ dist: 'normal', mean: 10, stddev: 1, median: 3 }).success).toBe(false);
    expect(distributionSchema.safeParse({ dist: 'weibull', mean: 10, stddev: 1 }).success).toBe(false);
  });
});

describe('corpus and tokenize', () => {
  it('splits like the GPT-2 pre-tokenizer', () => {
    expect(tokenize("Hello  world, it's 2024!\n\n- ação 🚀⚠️ x")).toEqual(['Hello', ' ', ' world', ',', ' it', "'s", ' 2024', '!', '\n', '\n', '-', ' ação', ' 🚀⚠️', ' x']);
    expect(tokenize('')).toEqual([]);
  });

  it.each(corpusStyles)('generates %s text that round-trips through tokenize', (style) => {
    for (const seed of [1, 2, 3]) {
      const text = generateText(createRandom(seed), style, 3000);
      expect(text.length).toBeGreaterThanOrEqual(3000);
      expect(tokenize(text).join('')).toBe(text);
      // Non-ASCII content: UTF-8 bytes outnumber UTF-16 code units.
      expect(Buffer.byteLength(text, 'utf8')).toBeGreaterThan(text.length);
    }
  });

  it('is deterministic for the random and differs across seeds', () => {
    expect(generateText(createRandom(4), 'chat', 1000)).toBe(generateText(createRandom(4), 'chat', 1000));
    expect(generateText(createRandom(4), 'chat', 1000)).not.toBe(generateText(createRandom(5), 'chat', 1000));
  });

  it('produces the markdown features of assistant output', () => {
    const chat = generateText(createRandom(11), 'chat', 8000);
    expect(chat).toMatch(/^#{2,3} /m);
    expect(chat).toMatch(/^- /m);
    expect(chat).toMatch(/^1\. /m);
    expect(chat).toMatch(/\*\*[^*]+\*\*/);
    expect(chat).toMatch(/`[a-z]+`/);
    expect(chat).toMatch(/^```(ts|python)$/m);
    expect(generateText(createRandom(11), 'markdown', 8000)).toMatch(/^\| setting \|/m);
    expect(generateText(createRandom(11), 'prose', 8000)).not.toMatch(/```|^#|^- /m);
  });
});

describe('chunking', () => {
  it('groups tokens one per chunk, N per chunk (last one short), or one code point per chunk', () => {
    const tokens = ['Hi', ' 🚀', '!'];
    expect(chunkTokens(tokens, 'token')).toEqual([
      { text: 'Hi', tokens: 1 },
      { text: ' 🚀', tokens: 1 },
      { text: '!', tokens: 1 },
    ]);
    expect(chunkTokens(tokens, { tokensPerChunk: 2 })).toEqual([
      { text: 'Hi 🚀', tokens: 2 },
      { text: '!', tokens: 1 },
    ]);
    // The emoji is a surrogate pair: it stays whole in one chunk.
    expect(chunkTokens(tokens, 'char')).toEqual([
      { text: 'H', tokens: 0 },
      { text: 'i', tokens: 1 },
      { text: ' ', tokens: 0 },
      { text: '🚀', tokens: 1 },
      { text: '!', tokens: 1 },
    ]);
  });

  it.each<Granularity>(['char', 'token', { tokensPerChunk: 1 }, { tokensPerChunk: 4 }, { tokensPerChunk: 20 }])(
    'keeps the token sum and the text for granularity %j',
    (granularity) => {
      const text = generateText(createRandom(3), 'chat', 4000);
      const tokens = tokenize(text);
      const chunks = chunkTokens(tokens, granularity);
      expect(chunks.reduce((sum, chunk) => sum + chunk.tokens, 0)).toBe(tokens.length);
      expect(chunks.map((chunk) => chunk.text).join('')).toBe(text);
      // No chunk ends in half a surrogate pair.
      for (const chunk of chunks) expect(chunk.text).not.toMatch(/[\uD800-\uDBFF]$/);
    },
  );

  it('validates the granularity setting', () => {
    expect(granularitySchema.safeParse('token').success).toBe(true);
    expect(granularitySchema.safeParse({ tokensPerChunk: 4 }).success).toBe(true);
    expect(granularitySchema.safeParse('word').success).toBe(false);
    expect(granularitySchema.safeParse({ tokensPerChunk: 0 }).success).toBe(false);
    expect(granularitySchema.safeParse({ tokensPerChunk: 4, chars: 2 }).success).toBe(false);
  });
});

describe('synthetic settings', () => {
  it('accepts {type: synthetic} alone and fills it from fast-hosted', () => {
    expect(resolveSyntheticSettings({ type: 'synthetic' })).toEqual({
      type: 'synthetic',
      profile: 'fast-hosted',
      tokens: 200,
      text: 'chat',
      granularity: 'token',
      ttftMs: PROFILES['fast-hosted'].ttftMs,
      gapMs: PROFILES['fast-hosted'].gapMs,
      bursts: null,
      stalls: [],
    });
  });

  it('applies the profile first, then explicit fields', () => {
    const resolved = resolveSyntheticSettings({ type: 'synthetic', profile: 'multi-token', gapMs: 5, tokens: 12 });
    expect(resolved.granularity).toEqual({ tokensPerChunk: 4 });
    expect(resolved.ttftMs).toEqual(PROFILES['multi-token'].ttftMs);
    expect(resolved.gapMs).toBe(5);
    expect(resolved.tokens).toBe(12);
    expect(resolveSyntheticSettings({ type: 'synthetic', profile: 'multi-token', granularity: 'char' }).granularity).toBe('char');
  });

  it('rejects unknown fields and bad values', () => {
    const unknownField = syntheticSourceSchema.safeParse({ type: 'synthetic', tokenz: 10 });
    expect(unknownField.success).toBe(false);
    expect(unknownField.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['tokenz'] });
    expect(syntheticSourceSchema.safeParse({ type: 'synthetic', profile: 'turbo' }).success).toBe(false);
    expect(syntheticSourceSchema.safeParse({ type: 'synthetic', tokens: 0 }).success).toBe(false);
    expect(syntheticSourceSchema.safeParse({ type: 'synthetic', stalls: [{ afterTokens: 3, ms: 10, why: 'x' }] }).success).toBe(false);
    expect(() => resolveSyntheticSettings({ type: 'synthetic', bursts: { everyTokens: 0, lengthTokens: 1, gapMs: 0 } })).toThrow();
  });

  it('resolves every profile and converts to a JSON Schema with descriptions', () => {
    expect(Object.keys(PROFILES)).toEqual([...profileNames]);
    for (const profile of profileNames) {
      expect(resolveSyntheticSettings({ type: 'synthetic', profile }).profile).toBe(profile);
    }
    const jsonSchema = z.toJSONSchema(syntheticSourceSchema, { io: 'input' }) as {
      properties: Record<string, { description?: string }>;
      additionalProperties: boolean;
    };
    expect(jsonSchema.additionalProperties).toBe(false);
    for (const [field, property] of Object.entries(jsonSchema.properties)) {
      expect(property.description, field).toBeTruthy();
    }
  });
});

describe('planSyntheticStream', () => {
  const settings = resolveSyntheticSettings({ type: 'synthetic', tokens: 150 });

  it('is identical for the same seed and stream, different otherwise', () => {
    const plan = planSyntheticStream(settings, 42, 0);
    expect(planSyntheticStream(settings, 42, 0)).toEqual(plan);
    for (const other of [planSyntheticStream(settings, 43, 0), planSyntheticStream(settings, 42, 1)]) {
      expect(other.chunks.map((c) => c.text).join('')).not.toBe(plan.chunks.map((c) => c.text).join(''));
      expect(other.offsetsMs).not.toEqual(plan.offsetsMs);
    }
  });

  it('emits exactly `tokens` tokens with non-decreasing offsets', () => {
    for (const granularity of ['char', 'token', { tokensPerChunk: 4 }] as Granularity[]) {
      const plan = planSyntheticStream({ ...settings, granularity }, 1, 0);
      expect(plan.chunks.reduce((sum, chunk) => sum + chunk.tokens, 0)).toBe(150);
      expect(plan.chunks.map((chunk) => chunk.index)).toEqual(plan.chunks.map((_, i) => i));
      expect(plan.offsetsMs).toHaveLength(plan.chunks.length);
      plan.offsetsMs.forEach((offset, i) => expect(offset).toBeGreaterThanOrEqual(i === 0 ? 0 : itemAt(plan.offsetsMs, i - 1, 'plan.offsetsMs')));
    }
  });

  it('keeps the text when only timing changes', () => {
    const text = (s: ResolvedSyntheticSettings) =>
      planSyntheticStream(s, 42, 3)
        .chunks.map((c) => c.text)
        .join('');
    const slow = { ...settings, ttftMs: PROFILES['slow-local'].ttftMs, gapMs: PROFILES['slow-local'].gapMs };
    expect(text(slow)).toBe(text(settings));
    expect(text({ ...settings, granularity: 'char' })).toBe(text(settings));
  });

  it('places the first chunk at TTFT and the rest one gap apart', () => {
    expect(planSyntheticStream(constantSettings({ tokens: 4 }), 1, 0).offsetsMs).toEqual([100, 110, 120, 130]);
  });

  it('adds a stall before the first chunk after `afterTokens` tokens, and nowhere else', () => {
    const base = resolveSyntheticSettings({ type: 'synthetic', tokens: 40 });
    const stalled = { ...base, stalls: [{ afterTokens: 10, ms: 250 }] };
    const withoutStall = planSyntheticStream(base, 5, 0).offsetsMs;
    const withStall = planSyntheticStream(stalled, 5, 0).offsetsMs;
    withStall.forEach((offset, i) => expect(offset - itemAt(withoutStall, i, 'withoutStall')).toBeCloseTo(i < 10 ? 0 : 250, 9));

    expect(planSyntheticStream(constantSettings({ tokens: 3, stalls: [{ afterTokens: 0, ms: 50 }] }), 1, 0).offsetsMs).toEqual([150, 160, 170]);
  });

  it('places a stall by completed tokens under char granularity', () => {
    const charSettings = constantSettings({ tokens: 4, granularity: 'char', gapMs: 1, ttftMs: 0, stalls: [{ afterTokens: 2, ms: 100 }] });
    const plan = planSyntheticStream(charSettings, 8, 0);
    // Tokens completed before each chunk: the stall lands on the first chunk after the second token.
    let completed = 0;
    const firstAfterTwo = plan.chunks.findIndex((chunk) => {
      const before = completed;
      completed += chunk.tokens;
      return before >= 2;
    });
    const gaps = gapsOf(plan.offsetsMs);
    gaps.forEach((gap, i) => expect(gap).toBe(i === 0 ? 0 : i === firstAfterTwo ? 101 : 1));
  });

  it('sends burst tokens with the burst gap, every `everyTokens` tokens', () => {
    const burstSettings = constantSettings({
      tokens: 30,
      ttftMs: 0,
      bursts: { everyTokens: 10, lengthTokens: 3, gapMs: 0.5 },
    });
    const gaps = gapsOf(planSyntheticStream(burstSettings, 1, 0).offsetsMs);
    const expected = Array.from({ length: 30 }, (_, i) => (i === 0 ? 0 : [10, 11, 12, 20, 21, 22].includes(i) ? 0.5 : 10));
    expect(gaps).toEqual(expected);
  });

  it('leaves the gaps outside bursts as they were without bursts', () => {
    const base = resolveSyntheticSettings({ type: 'synthetic', tokens: 60 });
    const withBursts = { ...base, bursts: { everyTokens: 20, lengthTokens: 5, gapMs: 0 } };
    const plain = gapsOf(planSyntheticStream(base, 9, 0).offsetsMs);
    const bursty = gapsOf(planSyntheticStream(withBursts, 9, 0).offsetsMs);
    bursty.forEach((gap, i) => {
      const inBurst = i >= 20 && i % 20 < 5;
      expect(gap).toBeCloseTo(inBurst ? 0 : itemAt(plain, i, 'plain gaps'), 9);
    });
  });
});

describe('createSyntheticSource', () => {
  it('describes itself with the resolved settings and the seed', () => {
    const settings = constantSettings();
    const source = createSyntheticSource(settings, 77);
    expect(source.kind).toBe('synthetic');
    expect(source.describe()).toEqual({ ...settings, seed: 77 });
  });

  it('yields each chunk only once the manual clock reaches its offset', async () => {
    const clock = new ManualClock(1000);
    const settings = constantSettings({ tokens: 3 });
    const expected = planSyntheticStream(settings, 4, 2).chunks;
    const iterator = createSyntheticSource(settings, 4).open({ clock, streamIndex: 2 })[Symbol.asyncIterator]();

    const received: IteratorResult<SourceChunk>[] = [];
    const pull = () => iterator.next().then((result) => received.push(result));

    let pending = pull();
    await flushEventLoop();
    expect(received).toHaveLength(0);
    clock.advance(99);
    await flushEventLoop();
    expect(received).toHaveLength(0);
    clock.advance(1); // t = 100: TTFT
    await pending;
    expect(received).toEqual([{ done: false, value: expected[0] }]);

    pending = pull();
    await flushEventLoop();
    clock.advance(9);
    await flushEventLoop();
    expect(received).toHaveLength(1);
    clock.advance(1); // t = 110
    await pending;
    expect(received[1]).toEqual({ done: false, value: expected[1] });

    clock.advance(10);
    await pull();
    await pull();
    expect(received.slice(2)).toEqual([
      { done: false, value: expected[2] },
      { done: true, value: undefined },
    ]);
  });

  it('measures offsets from the clock time at open, not at the first pull', async () => {
    const clock = new ManualClock(0);
    const stream = createSyntheticSource(constantSettings({ tokens: 1 }), 1).open({ clock, streamIndex: 0 });
    clock.advance(100); // the TTFT passes before anyone pulls
    let first: IteratorResult<SourceChunk> | undefined;
    void stream[Symbol.asyncIterator]()
      .next()
      .then((result) => (first = result));
    await flushEventLoop();
    expect(first?.done).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('plans from startAtMs when given (a split producer gets its request start from the main process): a late start is source lag', async () => {
    const clock = new ManualClock(1000);
    const lags: number[] = [];
    // The request started 250 ms before this process opened the source; the first token was due 100 ms after it.
    const stream = createSyntheticSource(constantSettings({ tokens: 2 }), 1).open({
      clock,
      streamIndex: 0,
      startAtMs: 750,
      observer: { scheduleLag: (lagMs: number) => lags.push(lagMs) } as never,
    });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false); // due at 850: emitted at once, 150 ms late
    expect(lags).toEqual([150]);
  });

  it('reports lag for every chunk of a paced plan, and only for the first of a zero-delay one (no pace after it to fall behind)', async () => {
    const lagsOf = async (settings: ResolvedSyntheticSettings) => {
      const lags: number[] = [];
      const clock = new ManualClock();
      const stream = createSyntheticSource(settings, 1).open({ clock, streamIndex: 0, startAtMs: -500, observer: { scheduleLag: (lagMs: number) => lags.push(lagMs) } as never });
      for await (const _chunk of stream);
      return lags;
    };
    expect(await lagsOf(constantSettings({ tokens: 4 }))).toHaveLength(4);
    // Started 500 ms late: the first chunk says so, the other 199 (all due at once) are not "behind plan".
    expect(await lagsOf(resolveSyntheticSettings({ type: 'synthetic', profile: 'zero-delay', tokens: 200 }))).toEqual([500]);
  });

  it('runs zero-delay streams without timers, yielding to the event loop every 64 chunks', async () => {
    const clock = new ManualClock();
    const settings = resolveSyntheticSettings({ type: 'synthetic', profile: 'zero-delay', tokens: 200 });
    let immediateRan = false;
    setImmediate(() => {
      immediateRan = true;
    });
    const seenImmediate: boolean[] = [];
    for await (const chunk of createSyntheticSource(settings, 3).open({ clock, streamIndex: 0 })) {
      seenImmediate[chunk.index] = immediateRan;
      expect(clock.pendingTimers()).toBe(0);
    }
    expect(seenImmediate).toHaveLength(200);
    expect(seenImmediate.indexOf(true)).toBe(64);
  });

  it('stops when the signal aborts, clearing its timer', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const iterator = createSyntheticSource(constantSettings({ tokens: 5 }), 1)
      .open({ clock, streamIndex: 0, signal: controller.signal })
      [Symbol.asyncIterator]();
    clock.advance(100);
    expect((await iterator.next()).done).toBe(false);
    const next = iterator.next();
    await flushEventLoop();
    expect(clock.pendingTimers()).toBe(1);
    controller.abort();
    expect(await next).toEqual({ done: true, value: undefined });
    expect(clock.pendingTimers()).toBe(0);
  });
});
