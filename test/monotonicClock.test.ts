import { describe, expect, it } from 'vitest';
import { monotonicNowMs } from '../src/clock.js';

describe('monotonicNowMs', () => {
  it("reads hrtime's clock (so timestamps compare across processes) and never goes back", () => {
    let previous = -Infinity;
    for (let read = 0; read < 10_000; read++) {
      const beforeMs = Number(process.hrtime.bigint()) / 1e6;
      const nowMs = monotonicNowMs();
      const afterMs = Number(process.hrtime.bigint()) / 1e6;
      // Within the two hrtime reads, give or take a microsecond (the offset's error bound).
      expect(nowMs).toBeGreaterThanOrEqual(beforeMs - 0.001);
      expect(nowMs).toBeLessThanOrEqual(afterMs + 0.001);
      expect(nowMs).toBeGreaterThanOrEqual(previous);
      previous = nowMs;
    }
  });
});
