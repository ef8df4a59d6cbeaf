/** The `--format` choices of `run` and `compare`, and how `--json` maps onto them. */
import { Option } from './commander.js';

export const OUTPUT_FORMATS = ['table', 'markdown', 'json', 'csv'] as const;
/** One output format. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The commander option for `--format` (`target` names it `--output-format`: its `--format` is the app's wire format). */
export function formatOption(flags = '--format <format>'): Option {
  return new Option(flags, 'what to print on stdout: table, markdown (PR comments, $GITHUB_STEP_SUMMARY), json or csv').choices(OUTPUT_FORMATS);
}

/** The format asked for: `--format` wins, `--json` means json, else table. */
export function chosenFormat(options: { format?: OutputFormat; json?: boolean }): OutputFormat {
  return options.format ?? (options.json ? 'json' : 'table');
}
