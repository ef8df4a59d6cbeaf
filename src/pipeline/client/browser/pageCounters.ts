/** The per-stream counters of a Chromium page (browser client and target mode's browser client), named once. */

/** What a page's stream measured, on the tool's clock. */
export interface PageMeasurements {
  longTaskDurationsMs: readonly number[];
  frames: { count: number; dropped: number };
  /** Main-thread time of each render (start to DOM updated), in ms. */
  renderDurationsMs: readonly number[];
  calibrationErrorMs: number;
  clockOffsetChangeMs: number;
}

/** The stream's page counters: long tasks, frames, render main-thread time and the clock calibration's error. Pure. */
export function pageCounters(page: PageMeasurements): Record<string, number> {
  const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
  return {
    longTasks: page.longTaskDurationsMs.length,
    longTaskMs: sum(page.longTaskDurationsMs),
    longTaskMaxMs: page.longTaskDurationsMs.length > 0 ? Math.max(...page.longTaskDurationsMs) : 0,
    frames: page.frames.count,
    droppedFrames: page.frames.dropped,
    renderMainThreadMs: sum(page.renderDurationsMs),
    clockCalibrationErrorMaxMs: page.calibrationErrorMs,
    clockOffsetChangeMaxMs: page.clockOffsetChangeMs,
  };
}
