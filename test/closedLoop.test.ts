import { describe, expect, it } from 'vitest';
import { runClosedLoop } from '../src/bench/closedLoop.js';

describe("bench:streams' closed loop", () => {
  it('counts every stream and its deltas exactly, however many loops await at once, and failures apart', async () => {
    let calls = 0;
    const outcome = await runClosedLoop(8, 0.2, async () => {
      const call = calls++;
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (call % 5 === 4) throw new Error('failed stream');
      return 3;
    });
    const completed = Math.round(outcome.perSecond * outcome.seconds);
    expect(completed + outcome.failures).toBe(calls);
    expect(outcome.failures).toBe(Math.floor(calls / 5));
    expect(outcome.deltasPerStream).toBe(3);
    expect(outcome.seconds).toBeGreaterThanOrEqual(0.2);
  });
});
