import { describe, expect, it } from 'vitest';
import { streamsRatioSummary, targetAgreement } from '../src/bench/targetVerdict.js';

describe('targetAgreement', () => {
  it('says met or missed only when every repetition agrees', () => {
    expect(targetAgreement(3, 3, ['round', 'rounds'])).toBe('target met in every round');
    expect(targetAgreement(0, 3, ['search', 'searches'], ' with a ratio')).toBe('target missed in every search with a ratio');
    expect(targetAgreement(2, 3, ['search', 'searches'])).toBe('target met in 2 of 3 searches: they disagree, so this machine cannot decide it');
  });
});

describe('streamsRatioSummary', () => {
  it('gives the median, each round and no verdict when the rounds disagree', () => {
    expect(streamsRatioSummary([0.87, 0.63, 1.06])).toBe(
      "Streams per second against the mock: median 0.87× autocannon's requests per second on the same endpoint (by round 0.87×, 0.63×, 1.06×; target ≥ 0.8×) — target met in 2 of 3 rounds: they disagree, so this machine cannot decide it",
    );
  });

  it('says met or missed when every round agrees, the median of an even count halfway', () => {
    expect(streamsRatioSummary([0.8, 0.9])).toMatch(/median 0\.85× .* — target met in every round$/);
    expect(streamsRatioSummary([0.61, 0.75, 0.57])).toMatch(/median 0\.61× .* — target missed in every round$/);
  });

  it('gives no verdict for one round, a round without a yardstick never meets the target, and says n/a for none', () => {
    expect(streamsRatioSummary([0.72])).toBe(
      "Streams per second against the mock: median 0.72× autocannon's requests per second on the same endpoint (target ≥ 0.8×) — missed in its one round, which decides nothing on a machine whose speed drifts: run --rounds 3 or more",
    );
    expect(streamsRatioSummary([0.9])).toMatch(/— met in its one round, which decides nothing/);
    expect(streamsRatioSummary([Infinity, 0.9, 0.85])).toMatch(/— target met in 2 of 3 rounds: they disagree/);
    expect(streamsRatioSummary([])).toBe('Streams per second against the mock: n/a (no round finished)');
  });
});
