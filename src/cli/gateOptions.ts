/** The gate options shared by `compare` and `run --baseline`, added to a commander command. */
import { type Command, InvalidArgumentError, Option } from './commander.js';
import { formatOption } from './outputFormat.js';

/** Collects a repeatable option's values. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A positive number of milliseconds. */
function milliseconds(value: string): number {
  const number = Number(value.replace(/ms$/, ''));
  if (!Number.isFinite(number) || number < 0) throw new InvalidArgumentError(`expected a number of milliseconds ≥ 0, got "${value}"`);
  return number;
}

/** Adds --gate, --fail-on, --min-effect(-tail), --fail-on-inconclusive, --no-default-gates, --details, --wide, --verbose, --markdown and --format. */
export function addGateOptions(command: Command, formatFlags = '--format <format>'): Command {
  return command
    .option(
      '--gate <metric[:maxIncrease]>',
      'decide on this metric: a per-stream time metric (ttftMs, tokenLatencyP50Ms, tokenLatencyP99Ms, itlP50Ms, e2eMs, renderLatencyP99Ms, stalenessP99Ms; default allowance 10%) or counters.<name> (default 0: any increase fails), e.g. "tokenLatencyP99Ms:15%"; repeat or comma-separate. Adds to the scenario\'s gates',
      collect,
    )
    .option('--fail-on <rules...>', 'also fail on exact single-number rules over the summaries, e.g. "ttftMs.p50>+10%" or "counters.jsonOpsPerToken>0"; comma-separate or repeat')
    .option('--no-default-gates', 'when neither the scenario nor --gate names a gate, decide on nothing rather than on the default gates')
    .addOption(new Option('--min-effect <ms>', 'smallest change of a time metric that counts, in ms (timer and scheduler jitter)').default(1).argParser(milliseconds))
    .addOption(
      new Option(
        '--min-effect-tail <ms>',
        'the same for the per-stream p99 metrics (tokenLatencyP99Ms, renderLatencyP99Ms, stalenessP99Ms), which GC and scheduler pauses move by several ms',
      )
        .default(5)
        .argParser(milliseconds),
    )
    .option('--fail-on-inconclusive', 'exit 1 when a gate cannot tell (too few samples or too noisy), not only on a regression')
    .option('--details', 'also print every summary statistic of every metric side by side (table format)')
    .option('--wide', 'print every column (default: the columns that fit the terminal, COLUMNS, or 120 when not a terminal)')
    .option('--verbose', 'print every warning and every undecided verdict on its own line, not one line per kind')
    .option('--markdown <file>', 'also append the verdicts as markdown to this file (e.g. "$GITHUB_STEP_SUMMARY")')
    .addOption(formatOption(formatFlags));
}
