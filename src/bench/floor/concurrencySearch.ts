/**
 * The concurrency search `npm run bench:floor` runs for both tools alike: double the streams
 * while the plan holds, then bisect between the last level that held and the first that did
 * not, down to a step of `resolution` streams. A level's verdict is the majority of a few
 * tries there (one probe on a 2-core machine can miss by a hiccup, or hold by luck). Pure: it
 * only says which level to try next and what the tries decided.
 */
import { median } from '../../stats/sampleStats.js';
import { targetAgreement } from '../targetVerdict.js';

/** Whether the tries at one level decide it: true when most of `maxTries` (or of all tries, if more were made) held, false when most missed, null while neither (try again). */
export function levelVerdict(outcomes: readonly boolean[], maxTries: number): boolean | null {
  const majority = Math.floor(Math.max(maxTries, outcomes.length) / 2) + 1;
  const held = outcomes.filter(Boolean).length;
  if (held >= majority) return true;
  if (outcomes.length - held >= majority) return false;
  return null;
}

/** One level tried, and whether the plan held there. */
export interface SearchStep {
  streams: number;
  held: boolean;
}

/** Bounds of the search. */
export interface SearchBounds {
  /** Never try more streams than this. */
  maxStreams: number;
  /** Stop bisecting when the bracket is this narrow (streams). */
  resolution: number;
  /** Try at most this many levels in all (the search is bounded in time). */
  maxSteps: number;
}

/** The next level to try after `steps` (in the order tried), or null when the search is done. */
export function nextSearchLevel(steps: readonly SearchStep[], bounds: SearchBounds): number | null {
  if (steps.length === 0) return Math.min(100, bounds.maxStreams);
  if (steps.length >= bounds.maxSteps) return null;
  const { held, missed } = bracket(steps);
  const round = (streams: number) => Math.max(1, Math.round(streams / bounds.resolution) * bounds.resolution);
  if (missed === null) {
    // Still on plan everywhere tried: double, up to the bound.
    if (held! >= bounds.maxStreams) return null;
    return Math.min(bounds.maxStreams, held! * 2);
  }
  const low = held ?? 0;
  if (missed - low <= bounds.resolution) return null;
  const middle = round((low + missed) / 2);
  if (middle <= low || middle >= missed) return null;
  return middle;
}

/** The most streams that held on plan below the fewest that missed (null if none held). */
export function mostHeld(steps: readonly SearchStep[]): number | null {
  return bracket(steps).held;
}

/** The most streams held below the fewest that missed, and that fewest (null: none). */
function bracket(steps: readonly SearchStep[]): { held: number | null; missed: number | null } {
  let missed: number | null = null;
  for (const step of steps) if (!step.held && (missed === null || step.streams < missed)) missed = step.streams;
  let held: number | null = null;
  for (const step of steps) if (step.held && (missed === null || step.streams < missed) && (held === null || step.streams > held)) held = step.streams;
  return { held, missed };
}

/** The held-on-plan target: streambench holds at least this share of the streams the yardstick holds. */
export const HELD_TARGET_RATIO = 0.8;

/**
 * One line over several searches' held-on-plan ratios (streambench's most streams held over
 * the yardstick's; null where a tool held no level): the median, the range, and in how many
 * searches the target was met. Where the searches disagree it says the machine cannot decide,
 * rather than a verdict from the median alone.
 */
export function heldSummary(ratios: readonly (number | null)[]): string {
  const decided = ratios.filter((ratio): ratio is number => ratio !== null).sort((a, b) => a - b);
  const searches = `${ratios.length} searches`;
  if (decided.length === 0) return `Most concurrent streams held on plan over ${searches}: n/a (in every search a tool held no level)`;
  const met = decided.filter((ratio) => ratio >= HELD_TARGET_RATIO).length;
  const withoutRatio = ratios.length - decided.length;
  const verdict = targetAgreement(met, ratios.length, ['search', 'searches'], withoutRatio > 0 ? ' with a ratio' : '');
  return (
    `Most concurrent streams held on plan over ${searches}: median ${median(decided).toFixed(2)}× the floor ` +
    `(${decided[0]!.toFixed(2)}–${decided.at(-1)!.toFixed(2)}×${withoutRatio > 0 ? `; ${withoutRatio} without a ratio` : ''}; target ≥ ${HELD_TARGET_RATIO}×) — ${verdict}`
  );
}
