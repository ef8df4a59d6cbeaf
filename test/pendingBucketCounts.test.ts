import fc from 'fast-check';
import { build } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { Distribution } from '../src/stats/distribution.js';
import { countsIndexOf, lowestValueAt, PENDING_LIMIT_US } from '../src/stats/pendingBucketCounts.js';

/** The library's own bucket arithmetic (not in its typings). */
interface BucketArithmetic {
  countsArrayIndex(value: number): number;
  valueFromIndex(index: number): number;
}

/** The histogram state a Distribution's results come from (not in its public type). */
function histogramState(distribution: Distribution): { totalCount: number; maxValue: number; minNonZeroValue: number; encoded: string } {
  const { histogram } = distribution as unknown as { histogram: { totalCount: number; maxValue: number; minNonZeroValue: number } };
  const encoded = distribution.toEncoded(); // reads the histogram: pending counts handed over
  return { totalCount: histogram.totalCount, maxValue: histogram.maxValue, minNonZeroValue: histogram.minNonZeroValue, encoded };
}

describe('pending bucket counts', () => {
  it('index values as HdrHistogram does (3 significant digits, 1 µs)', () => {
    const histogram = build({
      numberOfSignificantValueDigits: 3,
      lowestDiscernibleValue: 1,
      highestTrackableValue: 2 ** 24,
      bitBucketSize: 32,
      useWebAssembly: false,
    }) as unknown as BucketArithmetic;
    const edges = [0, 1, 2, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 4097, PENDING_LIMIT_US - 1];
    for (let power = 11; power < 24; power++) edges.push(2 ** power - 1, 2 ** power, 2 ** power + 1);
    const check = (value: number): void => {
      const index = countsIndexOf(value);
      expect(index).toBe(histogram.countsArrayIndex(value));
      expect(lowestValueAt(index)).toBe(histogram.valueFromIndex(index));
      expect(countsIndexOf(lowestValueAt(index))).toBe(index);
    };
    edges.forEach(check);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: PENDING_LIMIT_US - 1 }), (value) => check(value)),
      { numRuns: 20_000 },
    );
  });

  it('leave a distribution recorded by recordAll as record() one sample at a time leaves it: histogram counts, total, max, min', () => {
    const sample = fc.record({
      valueMs: fc.oneof(
        fc.double({ min: -1, max: 60, noNaN: true }),
        fc.double({ min: 0, max: 40_000, noNaN: true }),
        fc.constantFrom(0, 0.0004, 2.047, 2.048, 16_777.215, 16_777.216),
      ),
      weight: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(sample, { maxLength: 60 }), { minLength: 1, maxLength: 5 }), fc.boolean(), (batches, readBetween) => {
        const all = new Distribution();
        const one = new Distribution();
        for (const batch of batches) {
          all.recordAll(
            batch.map((s) => s.valueMs),
            batch.map((s) => s.weight),
            batch.length,
          );
          for (const { valueMs, weight } of batch) one.record(valueMs, weight);
          // Reading in between hands pending counts over; recording goes on after.
          if (readBetween && all.count > 0) expect(all.percentile(90)).toBe(one.percentile(90));
        }
        expect(histogramState(all)).toEqual(histogramState(one));
        expect(all.summary()).toEqual(one.summary());
        const merged = new Distribution();
        merged.recordAll([1.5], [1], 1);
        merged.merge(all);
        const mergedOne = new Distribution();
        mergedOne.record(1.5);
        mergedOne.merge(one);
        expect(histogramState(merged)).toEqual(histogramState(mergedOne));
      }),
      { numRuns: 500 },
    );
  });
});
