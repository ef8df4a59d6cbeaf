import { describe, expect, it } from 'vitest';
import { formatDuration, ProgressBar, progressEnabled, renderProgress, type ProgressState } from '../src/cli/progress.js';

const state: ProgressState = {
  scenario: 'default',
  config: 2,
  configs: 3,
  configName: 'seed-proposed',
  streamsDone: 6,
  streamsTotal: 12,
  configStreamsDone: 2,
  configStreams: 4,
  elapsedMs: 9000,
};

describe('progress', () => {
  it('shows only on a terminal, never with --quiet or machine output', () => {
    expect(progressEnabled({ isTTY: true, machineOutput: false })).toBe(true);
    expect(progressEnabled({ isTTY: undefined, machineOutput: false })).toBe(false);
    expect(progressEnabled({ isTTY: true, quiet: true, machineOutput: false })).toBe(false);
    expect(progressEnabled({ isTTY: true, machineOutput: true })).toBe(false);
  });

  it('renders configs, streams, elapsed time and an ETA from the rate so far', () => {
    expect(renderProgress(state, 10)).toBe('default [█████░░░░░] 50% config 2/3 seed-proposed, stream 2/4 · 9s, ETA 9s');
    expect(renderProgress({ ...state, streamsDone: 0, elapsedMs: 0 }, 4)).toBe('default [░░░░] 0% config 2/3 seed-proposed, stream 2/4 · 0s, ETA …');
    expect(formatDuration(65_000)).toBe('1m05s');
  });

  it('shows no ETA when a config runs its streams concurrently (they end in waves: the rate so far predicts nothing)', () => {
    // Two streams done in 17 s of a 2,406-stream load would have said "ETA 340m…".
    expect(renderProgress({ ...state, streamsDone: 2, streamsTotal: 2406, configStreamsDone: 2, configStreams: 101, elapsedMs: 17_000, streamsOverlap: true }, 10)).toBe(
      'default [░░░░░░░░░░] 0% config 2/3 seed-proposed, stream 2/101 · 17s',
    );
  });

  it('shows streams and elapsed time, no fraction or ETA, when a timed load leaves the total unknown', () => {
    expect(renderProgress({ ...state, streamsTotal: 0, configStreamsDone: 812 })).toBe('default config 2/3 seed-proposed, 812 streams · 9s');
  });

  it('redraws one line in place, cut to the terminal width, and clears it', () => {
    const writes: string[] = [];
    const bar = new ProgressBar({ write: (text) => writes.push(text) > 0, columns: 41 });
    bar.update(state);
    bar.clear();
    bar.clear();
    expect(writes).toEqual(['\r\u001b[2Kdefault [██████████░░░░░░░░░░] 50% confi', '\r\u001b[2K']);
  });
});
