/**
 * A benchmark target judged over repeated measurements (bench:floor's searches, bench:streams'
 * rounds): met only when every repetition meets it, missed only when none does, and otherwise
 * "this machine cannot decide it" — a median alone would hide that the repetitions disagree.
 */
import { median } from '../stats/sampleStats.js';

/** bench:streams' target: streambench's streams per second at least this share of autocannon's requests per second. */
export const STREAMS_TARGET_RATIO = 0.8;

/** Whether `met` of `total` repetitions (named `[singular, plural]`, e.g. `['search', 'searches']`) met the target, in words; `missedNote` qualifies "missed in every …". */
export function targetAgreement(met: number, total: number, [singular, plural]: readonly [string, string], missedNote = ''): string {
  if (met === total) return `target met in every ${singular}`;
  if (met === 0) return `target missed in every ${singular}${missedNote}`;
  return `target met in ${met} of ${total} ${plural}: they disagree, so this machine cannot decide it`;
}

/** bench:streams' last line: the median ratio, each round's, and whether the rounds agree on the target. */
export function streamsRatioSummary(ratios: readonly number[]): string {
  if (ratios.length === 0) return 'Streams per second against the mock: n/a (no round finished)';
  // A round whose autocannon side completed nothing has no ratio to meet the target with.
  const met = ratios.filter((ratio) => Number.isFinite(ratio) && ratio >= STREAMS_TARGET_RATIO).length;
  const byRound = ratios.length > 1 ? `by round ${ratios.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')}; ` : '';
  const verdict =
    ratios.length === 1
      ? `${met === 1 ? 'met' : 'missed'} in its one round, which decides nothing on a machine whose speed drifts: run --rounds 3 or more`
      : targetAgreement(met, ratios.length, ['round', 'rounds']);
  return (
    `Streams per second against the mock: median ${median(ratios).toFixed(2)}× autocannon's requests per second on the same endpoint ` +
    `(${byRound}target ≥ ${STREAMS_TARGET_RATIO}×) — ${verdict}`
  );
}
