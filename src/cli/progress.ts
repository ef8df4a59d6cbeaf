/**
 * A one-line progress bar on stderr while a run goes: config, stream, elapsed time and ETA.
 * Shown only when stderr is a terminal and the user did not ask for machine output or quiet.
 * `renderProgress` is pure; `ProgressBar` owns the terminal line.
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
  // Streams take about equally long, so the rate so far predicts the rest.
  const eta = state.streamsDone > 0 ? formatDuration((state.elapsedMs / state.streamsDone) * (state.streamsTotal - state.streamsDone)) : '…';
  return `${state.scenario} [${bar}] ${Math.floor(fraction * 100)}% config ${state.config}/${state.configs} ${state.configName}, stream ${state.configStreamsDone}/${state.configStreams} · ${formatDuration(state.elapsedMs)}, ETA ${eta}`;
}

/** A writable terminal stream (process.stderr). */
interface Terminal {
  write(text: string): boolean;
  columns?: number;
}

/** Redraws one line of a terminal in place; `clear` removes it before other output. */
export class ProgressBar {
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
