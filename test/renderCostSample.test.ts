import { describe, expect, it } from 'vitest';
import { measuresRenderCost, RENDER_COST_STREAM_SAMPLE, renderCostStride } from '../src/run/renderCostSample.js';

describe('measuresRenderCost', () => {
  it('without overlap every stream measures, warm-up included', () => {
    expect(Array.from({ length: 20 }, (_, index) => measuresRenderCost(index, 2, false)).every(Boolean)).toBe(true);
  });

  it('under load: every warm-up stream, then measured streams 0, 8, 16, … (1 in 8)', () => {
    expect(RENDER_COST_STREAM_SAMPLE).toBe(8);
    const warmup = 1;
    const sampled = Array.from({ length: warmup + 300 }, (_, index) => index).filter((index) => measuresRenderCost(index, warmup, true));
    expect(sampled.slice(0, 4)).toEqual([0, 1, 9, 17]);
    // Of 300 measured streams, ceil(300 / 8) = 38 measure their render cost.
    expect(sampled.filter((index) => index >= warmup)).toHaveLength(38);
    expect(sampled.at(-1)).toBe(warmup + 296);
  });

  it('under load with a single measured stream, that stream measures', () => {
    expect(measuresRenderCost(0, 0, true)).toBe(true);
    expect(measuresRenderCost(1, 0, true)).toBe(false);
  });

  it('the stride grows past 8 with the streams in flight, so about 16 of them lex at once', () => {
    expect([1, 50, 100, 128, 129, 300, 1000].map(renderCostStride)).toEqual([8, 8, 8, 8, 9, 19, 63]);
    const warmup = 1;
    const stride = renderCostStride(300);
    const sampled = Array.from({ length: warmup + 300 }, (_, index) => index).filter((index) => index >= warmup && measuresRenderCost(index, warmup, true, stride));
    // Measured streams 0, 19, …, 285 of 300: ceil(300 / 19) = 16.
    expect(sampled).toHaveLength(16);
    expect(sampled.slice(0, 3)).toEqual([1, 20, 39]);
  });
});
