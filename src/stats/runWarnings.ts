/**
 * Everything a run warns about — noisy metrics, outliers, the tool's own stalls and load limits,
 * too few streams for `compare` — as one list (kept whole in the result's `warnings`). The
 * grouped block for the terminal is report/warningBlock.ts.
 */
import type { ResultDocument } from '../result/resultSchema.js';
import { NOISY_CV, runNoise } from './runNoise.js';
import { DEFAULT_GATE_OPTIONS } from './gateVerdicts.js';

/** One warning: its kind (for grouping), the config, the message, and how bad it is (to pick the worst). */
export interface RunWarning {
  kind: string;
  config: string;
  message: string;
  severity: number;
}

/** The kind of a harness warning (src/load/harnessWarnings.ts, the stall probe), from its wording. */
function harnessKind(message: string): string {
  if (message.startsWith("the tool's event loop stalled")) return 'tool stall';
  if (message.startsWith('event-loop delay')) return 'event-loop delay';
  if (message.startsWith('the source emitted')) return 'source behind plan';
  if (message.startsWith('the tool used')) return 'tool CPU';
  if (message.startsWith('streams started')) return 'start delay';
  return 'tool';
}

/** The first number in a message (its severity for picking the worst), 0 when none. */
function firstNumber(message: string): number {
  return Number(/(\d+(?:\.\d+)?)/.exec(message)?.[1] ?? 0);
}

/** Every warning of a run, worst first within each kind. */
export function collectWarnings(doc: ResultDocument): RunWarning[] {
  const warnings: RunWarning[] = [];
  for (const config of doc.configs) {
    for (const message of config.warnings ?? []) warnings.push({ kind: harnessKind(message), config: config.name, message, severity: firstNumber(message) });
  }
  for (const entry of runNoise(doc)) {
    const cv = entry.cv ?? 0;
    if (cv > NOISY_CV) {
      warnings.push({
        kind: 'noisy metric',
        config: entry.config,
        message: `${entry.metric}: CV ${Math.round(cv * 100)}% over ${entry.streams} streams; a gate on it needs paired streams (same seed) and more streams, or a wider allowance`,
        severity: cv,
      });
    } else if (entry.outliers > 0) {
      warnings.push({
        kind: 'outliers',
        config: entry.config,
        message: `${entry.metric}: ${entry.outliers} of ${entry.streams} streams more than 3.5 MADs from the median; a busy machine? re-run on a quiet one`,
        severity: entry.outliers / entry.streams,
      });
    }
  }
  const needed = DEFAULT_GATE_OPTIONS.minSamples;
  for (const config of doc.configs) {
    const sequential = !config.load || config.load.mode === 'sequential';
    if (config.state === 'completed' && sequential && config.iterations.length < needed) {
      warnings.push({
        kind: 'too few streams for compare',
        config: config.name,
        message: `${config.iterations.length} measured streams; compare decides time metrics from ${needed} or more (--streams ${Math.max(10, needed)})`,
        severity: needed - config.iterations.length,
      });
    }
  }
  for (const config of doc.configs) {
    // A done path that no stream's events held is most often misspelt: every stream then ended on the close alone.
    const donePath = (config.settings.target as { donePath?: unknown } | undefined)?.donePath;
    const integrity = config.target?.integrity;
    if (typeof donePath === 'string' && donePath !== '' && integrity && integrity.streams > 0 && integrity.streamsWithoutEndMarker === integrity.streams) {
      warnings.push({
        kind: 'end marker never seen',
        config: config.name,
        message: `done path \`${donePath}\` (--done-path, target.donePath) was in none of the ${integrity.streams} streams' events: each ended when the app closed the connection; check the path against the app's last event`,
        severity: integrity.streams,
      });
    }
  }
  return warnings;
}

/** The warnings as the result stores them. */
export function warningsForResult(warnings: readonly RunWarning[]): { kind: string; config: string; message: string }[] {
  return warnings.map(({ kind, config, message }) => ({ kind, config, message }));
}
