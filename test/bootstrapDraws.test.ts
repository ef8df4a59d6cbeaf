import { describe, expect, it } from 'vitest';
import { bootstrapMedianDifference } from '../src/stats/bootstrap.js';
import { createRandom, deriveSeed, seededWords } from '../src/sources/random.js';
import { drawDifferences, type DrawSamples } from '../src/stats/medianDraws.js';
import { drawDifferencesWasm } from '../src/stats/medianDrawsWasm.js';

/** The bootstrap as first written: values drawn with random.int, sorted with Array#sort, medians of the draws. */
function referenceInterval(base: number[], head: number[], paired: boolean, seed: number, resamples: number): { low: number; high: number } {
  const random = createRandom(deriveSeed(seed, 'bootstrap-median-difference'));
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b || (Object.is(a, -0) ? -1 : Object.is(b, -0) ? 1 : 0));
    const middle = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  const differences: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let baseDraw: number[];
    let headDraw: number[];
    if (paired) {
      const indexes = base.map(() => random.int(0, base.length - 1));
      baseDraw = indexes.map((index) => base[index]!);
      headDraw = indexes.map((index) => head[index]!);
    } else {
      baseDraw = base.map(() => base[random.int(0, base.length - 1)]!);
      headDraw = head.map(() => head[random.int(0, head.length - 1)]!);
    }
    differences.push(median(headDraw) - median(baseDraw));
  }
  differences.sort((a, b) => a - b);
  const quantile = (q: number) => {
    const position = q * (differences.length - 1);
    const lower = Math.floor(position);
    const upper = Math.min(lower + 1, differences.length - 1);
    return differences[lower]! + (differences[upper]! - differences[lower]!) * (position - lower);
  };
  return { low: quantile(0.025), high: quantile(0.975) };
}

describe('the bootstrap draws', () => {
  it('give the interval the plain value-drawing bootstrap gives: ties, short and long samples, paired and not', () => {
    const random = createRandom(11);
    for (const [baseLength, headLength, paired] of [
      [1, 1, true],
      [2, 3, false],
      [5, 5, true],
      [6, 9, false],
      [60, 60, true],
      [70, 49, false],
    ] as const) {
      // Few distinct values, so draws hold many ties.
      const sample = (length: number) => Array.from({ length }, () => random.pick([0, 1.5, 2.25, 2.25, 7, 10.125, 3]) + random.int(0, 2) * 0.5);
      const base = sample(baseLength);
      const head = sample(headLength);
      const interval = bootstrapMedianDifference(base, head, { paired, seed: baseLength * 100 + headLength, resamples: 500 });
      const reference = referenceInterval(base, head, paired, baseLength * 100 + headLength, 500);
      expect({ low: interval.low, high: interval.high }).toEqual(reference);
    }
  });
});

describe('the bootstrap draws of long samples', () => {
  it('give the same interval when the indexes come in several blocks: paired, equal and unequal lengths', () => {
    const random = createRandom(13);
    for (const [baseLength, headLength, paired] of [
      [300, 300, true],
      [400, 400, false],
      [400, 301, false],
    ] as const) {
      const sample = (length: number) => Array.from({ length }, () => random.int(0, 40) * 0.25);
      const base = sample(baseLength);
      const head = sample(headLength);
      const seed = baseLength * 1000 + headLength;
      const interval = bootstrapMedianDifference(base, head, { paired, seed, resamples: 500 });
      expect({ low: interval.low, high: interval.high }).toEqual(referenceInterval(base, head, paired, seed, 500));
    }
  });
});

describe('random indexes in bulk', () => {
  it('are the values and the order random.int gives', () => {
    const one = createRandom(5);
    const other = createRandom(5);
    const indexes = new Int32Array(1000);
    one.fillIndexes(indexes, 7);
    expect([...indexes]).toEqual(Array.from({ length: 1000 }, () => other.int(0, 6)));
    expect(one.next()).toBe(other.next());
  });
});

describe('the WebAssembly draws', () => {
  /** The samples of drawDifferences: sorted values and the index of each, in TypedArray#sort's order (-0 before +0). */
  function drawSamples(base: number[], head: number[], paired: boolean): DrawSamples {
    const order = (values: number[]) =>
      Int32Array.from(
        values
          .map((value, index) => [value, index] as const)
          .sort(([a, i], [b, j]) => (Object.is(a, b) ? i - j : a < b || (a === 0 && Object.is(a, -0)) ? -1 : 1))
          .map(([, index]) => index),
      );
    return { paired, baseSorted: Float64Array.from(base).sort(), headSorted: Float64Array.from(head).sort(), baseOrder: order(base), headOrder: order(head) };
  }

  it('give the differences the JavaScript loop gives, draw for draw: paired and not, odd and even, ties, -0, long samples', () => {
    const random = createRandom(17);
    for (const [baseLength, headLength, paired, resamples] of [
      [1, 1, true, 50],
      [1, 4, false, 50],
      [5, 5, true, 2000],
      [5, 5, false, 2000],
      [6, 9, false, 700],
      [8, 8, true, 700],
      [70, 49, false, 300],
      [3000, 3000, true, 40],
      [2500, 1700, false, 40],
    ] as const) {
      const sample = (length: number) => Array.from({ length }, () => random.pick([0, -0, 1.5, 2.25, 7, 10.125, 3, 1e-300, 123456.789]) + random.int(0, 2) * 0.5);
      const samples = drawSamples(sample(baseLength), sample(headLength), paired);
      const seed = deriveSeed(baseLength, headLength, resamples);
      const fromJavaScript = new Float64Array(resamples);
      drawDifferences(fromJavaScript, createRandom(seed), samples);
      const fromWasm = new Float64Array(resamples);
      expect(drawDifferencesWasm(fromWasm, seededWords(seed), samples)).toBe(true);
      expect(fromWasm).toEqual(fromJavaScript);
    }
  });

  it('start from the state createRandom starts from', () => {
    const words = seededWords(42);
    const random = createRandom(42);
    // sfc32's first output from those words, as random.next() gives it.
    const [a, b, , d] = words;
    expect(random.next()).toBe(((((a + b) | 0) + d) >>> 0) / 4294967296);
  });
});
