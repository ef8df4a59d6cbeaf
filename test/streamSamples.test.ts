import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Distribution } from '../src/stats/distribution.js';
import { StreamSamples } from '../src/stats/streamSamples.js';

const PERCENTILES = [0, 1, 25, 50, 90, 99, 99.9, 100];

describe('StreamSamples', () => {
  it('gives exactly the percentiles a Distribution gives for the same records, reused across streams', () => {
    const samples = new StreamSamples();
    const value = fc.oneof(fc.double({ min: -5, max: 50, noNaN: true }), fc.double({ min: 0, max: 60_000, noNaN: true }), fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(value, fc.integer({ min: 0, max: 40 })), { minLength: 1, maxLength: 600 }), (records) => {
        const distribution = new Distribution();
        samples.reset();
        for (const [valueMs, count] of records) {
          distribution.record(valueMs, count);
          samples.record(valueMs, count);
        }
        expect(samples.count).toBe(distribution.count);
        if (distribution.count === 0) return;
        for (const p of PERCENTILES) expect(samples.percentile(p)).toBe(distribution.percentile(p));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same percentiles for values too large for its exact sort keys (sorted by comparison then)', () => {
    const samples = new StreamSamples();
    const distribution = new Distribution();
    // 2^33 ms is 2^43 µs: times 2^10 slots (600 samples) that passes 2^53.
    for (let index = 0; index < 600; index++) {
      const valueMs = index % 7 === 0 ? 2 ** 33 - index : (index * 37) % 500;
      samples.record(valueMs, 1 + (index % 3));
      distribution.record(valueMs, 1 + (index % 3));
    }
    for (const p of PERCENTILES) expect(samples.percentile(p)).toBe(distribution.percentile(p));
  });

  it('rejects what a Distribution rejects', () => {
    const samples = new StreamSamples();
    expect(() => samples.record(Number.NaN)).toThrow(RangeError);
    expect(() => samples.record(1, 1.5)).toThrow(RangeError);
    expect(() => samples.percentile(50)).toThrow(/no samples/);
    samples.record(1);
    expect(() => samples.percentile(101)).toThrow(RangeError);
  });
});
