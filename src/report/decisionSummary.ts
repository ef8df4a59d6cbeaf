/**
 * What a comparison decided, in words: the outcome line (a check mark only when every verdict
 * was decided), the undecided verdicts grouped by cause — one line per cause, not one per metric
 * — and the noise warnings grouped by kind. Pure; shared by the text and markdown forms.
 */
import type { GateReport } from '../stats/gateVerdicts.js';
import type { MetricVerdict, WordedDecision } from './gateWording.js';

/** Why a verdict could not be decided, from its reason. */
export function undecidedCause(verdict: MetricVerdict): string {
  const reason = verdict.reason;
  if (reason.includes('too few samples') && reason.includes('stalled')) return "too few streams undisturbed by the tool's stalls";
  if (reason.includes('too few samples')) return 'too few streams';
  if (/the (base|head) run was disturbed/.test(reason)) return 'a disturbed run';
  // A count that timers decide (how many chunks a batch takes) is compared like a time metric;
  // its spread is that of the batching, not of the machine: its own cause, with its own fix.
  if (reason.includes('too noisy to tell') && reason.startsWith('moves with timing')) return 'counts that move with timing';
  if (reason.includes('too noisy to tell')) return 'too noisy';
  if (reason.startsWith('not measured in')) return 'measured in one run only';
  if (verdict.metric === 'state') return 'a config did not complete';
  return 'other';
}

/** The streams each verdict of a group compared (`base 4, head 5; …`) and how many it needed. */
function streamCounts(group: readonly MetricVerdict[]): { counts: string; needed: string } {
  const counts = [...new Set(group.map((verdict) => `base ${verdict.samples.base}, head ${verdict.samples.head}`))].join('; ');
  return { counts, needed: /at least (\d+) needed/.exec(group[0]?.reason ?? '')?.[1] ?? '5' };
}

/** Advice per cause, after the affected verdicts. */
function causeDetail(cause: string, group: readonly MetricVerdict[]): string {
  switch (cause) {
    case 'too few streams': {
      const { counts, needed } = streamCounts(group);
      return `${counts} streams per config, at least ${needed} needed: run both with --streams 10`;
    }
    case "too few streams undisturbed by the tool's stalls": {
      // Even one stalled stream can leave a 5-stream run short: say how many were left, not "most".
      const { counts, needed } = streamCounts(group);
      return `streams during which the tool's own event loop stalled are left out (iterations[].toolStallMs), leaving ${counts}, at least ${needed} needed: run both with more --streams, on a quieter machine`;
    }
    case 'a disturbed run':
      return `${/\((event-loop delay[^)]*)\)/.exec(group[0]?.reason ?? '')?.[1] ?? 'the machine was busy'}: re-run on a quiet machine`;
    case 'too noisy':
      return 'the confidence interval straddles the allowance: more streams (--streams) or a wider allowance';
    case 'counts that move with timing':
      return (
        'the same streams gave different counts in the two runs (batches closed by timers), more than the default 5 % ' +
        'allowance can tell apart: more streams (--streams) or a wider allowance (--gate counters.<name>:10%)'
      );
    case 'measured in one run only':
      return 'the runs measured different things (a changed pipeline, another broker, an older result file)';
    case 'a config did not complete':
      return group.map((verdict) => `${verdict.config}: ${verdict.reason}`).join('; ');
    default:
      return group[0]?.reason ?? cause;
  }
}

/** `field-baseline, seed-corrected × ttftMs, e2eMs` (or the pairs, when they do not form a grid). */
function affected(group: readonly MetricVerdict[]): string {
  const configs = [...new Set(group.map((verdict) => verdict.config))];
  const metrics = [...new Set(group.map((verdict) => verdict.metric))];
  if (configs.length * metrics.length === group.length) {
    const list = (items: string[]) => (items.length > 4 ? `${items.slice(0, 3).join(', ')} and ${items.length - 3} more` : items.join(', '));
    return `${list(configs)} × ${list(metrics)}`;
  }
  const pairs = group.map((verdict) => `${verdict.config} ${verdict.metric}`);
  return pairs.length > 4 ? `${pairs.slice(0, 3).join(', ')} and ${pairs.length - 3} more` : pairs.join(', ');
}

/** One line per cause of the inconclusive verdicts: `undecided (too few streams): 21 verdicts — … — advice`. */
export function undecidedLines(verdicts: readonly MetricVerdict[]): string[] {
  const byCause = new Map<string, MetricVerdict[]>();
  for (const verdict of verdicts) {
    if (verdict.verdict !== 'inconclusive') continue;
    const cause = undecidedCause(verdict);
    byCause.set(cause, [...(byCause.get(cause) ?? []), verdict]);
  }
  return [...byCause].map(([cause, group]) => `undecided (${cause}): ${group.length} verdict${group.length === 1 ? '' : 's'} — ${affected(group)} — ${causeDetail(cause, group)}`);
}

/** The kind of a noise warning, from its wording. */
function warningKind(warning: string): string {
  if (warning.startsWith('outliers')) return 'outliers';
  if (warning.startsWith('likely to flap')) return 'likely to flap';
  if (/run was disturbed/.test(warning)) return 'a disturbed run';
  return 'other';
}

/** One line per kind of noise warning: its count and its first instance. */
export function groupedWarningLines(verdicts: readonly MetricVerdict[]): string[] {
  const byKind = new Map<string, { verdict: MetricVerdict; warning: string }[]>();
  for (const verdict of verdicts) {
    for (const warning of verdict.warnings) {
      const kind = warningKind(warning);
      byKind.set(kind, [...(byKind.get(kind) ?? []), { verdict, warning }]);
    }
  }
  return [...byKind].map(([kind, [first, ...rest]]) => {
    if (first === undefined) return kind; // a kind is added with its first warning
    const group = [first, ...rest];
    const more = group.length === 1 ? '' : ` ×${group.length}, e.g.`;
    return `${kind}${more}: ${first.verdict.config} ${first.verdict.metric}: ${first.warning}`;
  });
}

/** Plural helper: `1 rule`, `2 rules`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * The outcome: mark and words. A check mark only when no verdict was left undecided. When only
 * some are undecided, `text` already counts the decided ones (`decidedCounted`), so a total of
 * every verdict appended after it cannot read as if the undecided were among the decided.
 */
export function outcomeOf(decision: WordedDecision): { mark: string; text: string; decidedCounted?: true } {
  if (decision.regressed) return { mark: '✗', text: 'regression' };
  const verdicts = decision.report.verdicts;
  const undecided = verdicts.filter((verdict) => verdict.verdict === 'inconclusive');
  if (verdicts.length === 0) {
    // Rules alone (--fail-on with --no-default-gates) decide by threshold: every one checked and none breached is a pass.
    const { checked, unchecked } = decision.rules;
    const notComparedHere = decision.comparison.onlyInBase.length + decision.comparison.onlyInHead.length + decision.comparison.notCompared.length;
    if (checked > 0 && unchecked.length === 0 && notComparedHere === 0)
      return { mark: '✓', text: `no rule breached (${plural(checked, 'rule check')}; no statistical gate ran)`, decidedCounted: true };
    return { mark: '?', text: 'undecided: nothing was compared', decidedCounted: true };
  }
  const decided = verdicts.length - undecided.length;
  const improved = verdicts.filter((verdict) => verdict.verdict === 'improved').length;
  const kinds = [improved > 0 && `${improved} improved`, decided - improved > 0 && `${decided - improved} unchanged`].filter(Boolean).join(', ');
  // Configs only one run has (a partial run, with --allow-partial) were not compared: no check mark over them.
  const notCompared = decision.comparison.onlyInBase.length + decision.comparison.onlyInHead.length;
  if (undecided.length === 0 && notCompared > 0) {
    return {
      mark: '?',
      text: `undecided: ${plural(notCompared, 'config')} not compared (in one run only); decided: ${decided} (${kinds}), no regression among them`,
      decidedCounted: true,
    };
  }
  if (undecided.length === 0) return { mark: '✓', text: 'no regression' };
  const causes = [...new Set(undecided.map(undecidedCause))].join(', ');
  if (decided === 0) return { mark: '?', text: `undecided: nothing was decided (${causes})` };
  return {
    mark: '?',
    text: `undecided: ${undecided.length} of ${verdicts.length} verdicts (${causes}); decided: ${decided} (${kinds}), no regression among them`,
    decidedCounted: true,
  };
}

/**
 * The informational verdicts, one line per reason: `informational, not gated: field-baseline
 * renderLatencyP99Ms inconclusive, … — reason`. Shown with every outcome, so a check mark never
 * stands for metrics the scenario declared it cannot gate.
 */
export function informationalLines(informational: GateReport['informational']): string[] {
  const byReason = new Map<string, string[]>();
  for (const verdict of informational) {
    const group = byReason.get(verdict.informational) ?? [];
    group.push(`${verdict.config} ${verdict.metric} ${verdict.verdict}`);
    byReason.set(verdict.informational, group);
  }
  return [...byReason].map(([reason, entries]) => `informational, not gated: ${entries.join(', ')} — ${reason}`);
}

/** A line per side naming configs the other run lacks (a partial run, with --allow-partial): they were not compared. */
export function unmatchedConfigLines(comparison: { onlyInBase: readonly string[]; onlyInHead: readonly string[] }): string[] {
  return [
    ...(comparison.onlyInBase.length > 0 ? [`not compared, only in base: ${comparison.onlyInBase.join(', ')}`] : []),
    ...(comparison.onlyInHead.length > 0 ? [`not compared, only in head: ${comparison.onlyInHead.join(', ')}`] : []),
  ];
}
