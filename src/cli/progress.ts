/**
 * Progress on stderr while a run goes: config, stream, elapsed time and ETA. On a terminal a
 * one-line bar redrawn in place (not with machine output); elsewhere — a CI log, a pipe — a
 * plain line every few seconds, so a long run never looks hung. Never with --quiet.
 * `renderProgress` is pure; `ProgressBar` owns the terminal line, `ProgressLog` the log lines.
 */

/** Where the run is. */
export interface ProgressState {
  scenario: string;
  /** 1-based index of the config in progress, and how many there are. */
  config: number;
  configs: number;
  configName: string;
  /** Streams finished (warm-up included) in the whole scenario, and the total (0: unknown, a timed load). */
  streamsDone: number;
  streamsTotal: number;
  /** Streams finished in this config, and its total. */
  configStreamsDone: number;
  configStreams: number;
  elapsedMs: number;
  /**
   * Some config runs its streams concurrently (a load): they end in waves, hundreds at once
   * after seconds of none, so the rate so far predicts nothing and no ETA is shown.
   */
  streamsOverlap?: boolean;
}

/** Whether to show a progress bar. */
export function progressEnabled(options: { isTTY: boolean | undefined; quiet?: boolean; machineOutput: boolean }): boolean {
  return options.isTTY === true && !options.quiet && !options.machineOutput;
}

/** `1m05s`, `42s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

/** The bar line: `default [██████░░░░] 60% config 2/3 seed-proposed, stream 3/4 · 12s, ETA 8s`. */
export function renderProgress(state: ProgressState, barWidth = 20): string {
  if (state.streamsTotal === 0) {
    // A load that runs for a time (durationS) starts as many streams as fit: no fraction to show.
    return `${state.scenario} config ${state.config}/${state.configs} ${state.configName}, ${state.configStreamsDone} streams · ${formatDuration(state.elapsedMs)}`;
  }
  const fraction = state.streamsTotal > 0 ? Math.min(1, state.streamsDone / state.streamsTotal) : 0;
  const filled = Math.round(fraction * barWidth);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}`;
  const head = `${state.scenario} [${bar}] ${Math.floor(fraction * 100)}% config ${state.config}/${state.configs} ${state.configName}, stream ${state.configStreamsDone}/${state.configStreams} · ${formatDuration(state.elapsedMs)}`;
  if (state.streamsOverlap === true) return head;
  // One stream after another, streams take about equally long: the rate so far predicts the rest.
  const eta = state.streamsDone > 0 ? formatDuration((state.elapsedMs / state.streamsDone) * (state.streamsTotal - state.streamsDone)) : '…';
  return `${head}, ETA ${eta}`;
}

/** A writable terminal stream (process.stderr). */
interface Terminal {
  write(text: string): boolean;
  columns?: number;
}

/** Redraws one line of a terminal in place; `clear` removes it before other output. */
export class ProgressBar implements ProgressDisplay {
  private shown = false;
  constructor(private readonly terminal: Terminal) {}

  /** Draws `state`, cut to the terminal width so the line never wraps. */
  update(state: ProgressState): void {
    // A pseudo-terminal may report 0 columns: treat that as unknown.
    const width = Math.max(20, (this.terminal.columns || 100) - 1);
    const line = renderProgress(state);
    this.terminal.write(`\r\u001b[2K${line.length > width ? line.slice(0, width) : line}`);
    this.shown = true;
  }

  /** Erases the line. */
  clear(): void {
    if (this.shown) this.terminal.write('\r\u001b[2K');
    this.shown = false;
  }
}

/** What run and sweep feed with progress: a bar or a log. */
export interface ProgressDisplay {
  update(state: ProgressState): void;
  clear(): void;
}

/** How often a log line is written when stderr is not a terminal. */
export const PROGRESS_LOG_EVERY_MS = 5000;

/** When the first log line is written: a run shorter than this logs nothing. */
export const PROGRESS_LOG_FIRST_MS = 10_000;

/** Writes a whole line once the run is `firstAfterMs` old, then at most every `everyMs`. */
export class ProgressLog implements ProgressDisplay {
  private nextAtMs: number;
  constructor(
    private readonly output: { write(text: string): boolean },
    private readonly everyMs = PROGRESS_LOG_EVERY_MS,
    firstAfterMs = PROGRESS_LOG_FIRST_MS,
  ) {
    this.nextAtMs = firstAfterMs;
  }

  /** Writes `state` when the next line is due. */
  update(state: ProgressState): void {
    if (state.elapsedMs < this.nextAtMs) return;
    this.output.write(`progress: ${renderProgress(state, 10)}\n`);
    // The next line is due a whole period later, however late this one came.
    this.nextAtMs = state.elapsedMs + this.everyMs;
  }

  /** Nothing to erase in a log. */
  clear(): void {}
}

/** The progress display for stderr: a bar on a terminal, a log line every few seconds elsewhere, none when quiet. */
export function createProgress(
  stderr: { isTTY?: boolean; columns?: number; write(text: string): boolean },
  options: { quiet?: boolean; machineOutput: boolean },
): ProgressDisplay | null {
  if (options.quiet) return null;
  if (stderr.isTTY === true) return options.machineOutput ? null : new ProgressBar(stderr);
  return new ProgressLog(stderr);
}
