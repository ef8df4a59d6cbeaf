/**
 * A run's warnings (stats/runWarnings.ts) as a grouped block for the terminal: one line per kind
 * with its count and worst instance.
 */
import type { RunWarning } from '../stats/runWarnings.js';
import { wrapWords } from './fitTable.js';

/** A headline longer than this is cut at a word (a result file written before the stall warning was shortened lists every stream). */
const HEADLINE_MAX = 160;

/** A warning's finding without its explanation and advice (cut at the first ": " or "; " past 30 characters, and to HEADLINE_MAX); --verbose prints it whole. */
export function headline(message: string): string {
  const cut = /[:;] /g;
  let finding = message;
  for (let match = cut.exec(message); match !== null; match = cut.exec(message)) {
    if (match.index >= 30) {
      finding = message.slice(0, match.index);
      break;
    }
  }
  if (finding.length > HEADLINE_MAX) {
    const space = finding.lastIndexOf(' ', HEADLINE_MAX);
    return `${finding.slice(0, space > 30 ? space : HEADLINE_MAX).replace(/,$/, '')} …`;
  }
  return finding === message ? message : `${finding} …`;
}

/**
 * The terminal block: with `verbose` every warning on its own line; else one line per kind, its
 * count and its worst instance. Empty string when there are none.
 */
export function renderWarningBlock(warnings: readonly RunWarning[], options: { verbose?: boolean; width: number }): string {
  if (warnings.length === 0) return '';
  const wrap = (text: string) => wrapWords(text, options.width - 4).replace(/\n/g, '\n    ');
  if (options.verbose) return [`warnings (${warnings.length}):`, ...warnings.map((warning) => `  ! ${wrap(`${warning.config}: ${warning.message}`)}`)].join('\n');
  const kinds = new Map<string, RunWarning[]>();
  for (const warning of warnings) kinds.set(warning.kind, [...(kinds.get(warning.kind) ?? []), warning]);
  const lines = [
    wrapWords(`warnings: ${warnings.length} in ${kinds.size} kind${kinds.size === 1 ? '' : 's'} (--verbose lists each; all are in the result file's "warnings")`, options.width),
  ];
  for (const [kind, group] of kinds) {
    const worst = group.reduce((a, b) => (b.severity > a.severity ? b : a));
    const configs = new Set(group.map((warning) => warning.config)).size;
    const count = group.length === 1 ? '' : ` ×${group.length} (${configs} config${configs === 1 ? '' : 's'}), worst`;
    lines.push(`  ! ${wrap(`${kind}${count}: ${worst.config} ${headline(worst.message)}`)}`);
  }
  return lines.join('\n');
}
