/**
 * Robust statistics over small samples (one value per measured stream): median, median
 * absolute deviation, MAD outliers and the coefficient of variation. Pure functions over
 * plain arrays; none of them mutates its input.
 */

/** Modified z-score above which a sample is an outlier (Iglewicz and Hoaglin's usual cut-off). */
export const OUTLIER_Z = 3.5;

/** MAD × this estimates the standard deviation of normally distributed data. */
const MAD_TO_SIGMA = 1.4826;

/** Ascending copy of `values`. */
export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Median of already sorted values (mean of the middle two for an even count); NaN when empty. */
export function medianOfSorted(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const middle = n >> 1;
  // n > 0, so middle (and, n even, middle - 1) is in range.
  return n % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median of `values`; NaN when empty. */
export function median(values: readonly number[]): number {
  return medianOfSorted(sortedCopy(values));
}

/** Median absolute deviation from the median (unscaled); NaN when empty. */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const center = median(values);
  return median(values.map((value) => Math.abs(value - center)));
}

/** Arithmetic mean; NaN when empty. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function sampleStddev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const center = mean(values);
  let squares = 0;
  for (const value of values) squares += (value - center) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

/** Coefficient of variation: sample stddev ÷ |mean|; null when the mean is 0 or there is no value. */
export function coefficientOfVariation(values: readonly number[]): number | null {
  const center = mean(values);
  if (values.length === 0 || center === 0) return null;
  return sampleStddev(values) / Math.abs(center);
}

/**
 * Indexes of outliers by the modified z-score 0.6745·|x − median| / MAD > 3.5. A MAD of 0 (most
 * values equal) flags every value that differs from the median, since nothing else varies.
 */
export function madOutliers(values: readonly number[]): number[] {
  const center = median(values);
  const mad = medianAbsoluteDeviation(values);
  const outliers: number[] = [];
  values.forEach((value, index) => {
    const deviation = Math.abs(value - center);
    const isOutlier = mad === 0 ? deviation > 0 : deviation / (MAD_TO_SIGMA * mad) > OUTLIER_Z;
    if (isOutlier) outliers.push(index);
  });
  return outliers;
}
