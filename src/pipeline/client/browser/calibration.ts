/**
 * Maps the page's clock (performance.now()) to the tool's (src/clock.ts) from round trips:
 * the tool stamps a ping when it sends it and when the answer arrives, the page stamps its
 * own clock in between. The page's reading was taken somewhere inside the round trip, so the
 * tightest round trip bounds the error best: offset = page − midpoint, error = half of it.
 */

/** One round trip: tool clock at send and at receipt, page clock as the page answered. */
export interface CalibrationSample {
  sentAtMs: number;
  pageMs: number;
  receivedAtMs: number;
}

/** The mapping and its bound: tool time = page time − offsetMs, within ± errorMs. */
export interface ClockCalibration {
  offsetMs: number;
  errorMs: number;
  /** Round trips made. */
  samples: number;
}

/** The calibration from the tightest round trip of `samples` (pure). */
export function calibrate(samples: readonly CalibrationSample[]): ClockCalibration {
  let best = samples[0];
  if (best === undefined) throw new Error('clock calibration needs at least one round trip');
  for (const sample of samples) {
    if (sample.receivedAtMs - sample.sentAtMs < best.receivedAtMs - best.sentAtMs) best = sample;
  }
  const roundTripMs = best.receivedAtMs - best.sentAtMs;
  return { offsetMs: best.pageMs - (best.sentAtMs + roundTripMs / 2), errorMs: roundTripMs / 2, samples: samples.length };
}

/** The page time `pageMs` on the tool's clock. */
export function toToolMs(calibration: ClockCalibration, pageMs: number): number {
  return pageMs - calibration.offsetMs;
}
