/**
 * Delay distributions for synthetic streams (TTFT, gaps between chunks, stalls). All
 * values are milliseconds. Lognormal and gamma take the mean and standard deviation of the
 * delay itself, the figures people actually quote, rather than the parameters of its log.
 */
import { z } from 'zod';
import { MAX_TIMER_MS } from '../clockLimits.js';
import type { Random } from './random.js';

const nonNegativeMs = z.number().nonnegative().max(MAX_TIMER_MS);

export const distributionSchema = z
  .union([
    nonNegativeMs.describe('a constant delay in milliseconds'),
    z.discriminatedUnion('dist', [
      z.strictObject({
        dist: z.literal('constant').describe('always the same delay'),
        value: nonNegativeMs.describe('the delay in milliseconds'),
      }),
      z.strictObject({
        dist: z.literal('normal').describe('normal distribution, negative samples clamped to 0'),
        mean: nonNegativeMs.describe('mean delay in milliseconds'),
        stddev: nonNegativeMs.describe('standard deviation in milliseconds'),
      }),
      z.strictObject({
        dist: z.literal('lognormal').describe('lognormal distribution: right-skewed, never negative'),
        mean: nonNegativeMs.describe('mean of the delay itself (not of its log), in milliseconds'),
        stddev: nonNegativeMs.describe('standard deviation of the delay itself (not of its log), in milliseconds'),
      }),
      z.strictObject({
        dist: z.literal('gamma').describe('gamma distribution: right-skewed, never negative'),
        mean: nonNegativeMs.describe('mean delay in milliseconds'),
        stddev: nonNegativeMs.describe('standard deviation in milliseconds'),
      }),
    ]),
  ])
  .describe('a delay in milliseconds: a number (constant) or {dist: constant|normal|lognormal|gamma, ...}');

/** A delay distribution as written in a scenario. */
export type DistributionSetting = z.infer<typeof distributionSchema>;

/** Samples the lognormal with the given mean and standard deviation of the variable. */
function sampleLognormal(mean: number, stddev: number, random: Random): number {
  if (mean === 0) return 0;
  // Moment matching: sigma² = ln(1 + sd²/mean²), mu = ln(mean) - sigma²/2.
  const sigmaSquared = Math.log(1 + (stddev * stddev) / (mean * mean));
  const mu = Math.log(mean) - sigmaSquared / 2;
  return Math.exp(mu + Math.sqrt(sigmaSquared) * random.normal());
}

/** Samples Gamma(shape, 1) with Marsaglia–Tsang; shapes below 1 use the U^(1/shape) boost. */
function sampleStandardGamma(shape: number, random: Random): number {
  if (shape < 1) {
    return sampleStandardGamma(shape + 1, random) * Math.pow(1 - random.next(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = random.normal();
    const base = 1 + c * x;
    if (base <= 0) continue;
    const v = base * base * base;
    const u = 1 - random.next();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Samples a gamma variable with the given mean and standard deviation. */
function sampleGamma(mean: number, stddev: number, random: Random): number {
  if (mean === 0) return 0;
  if (stddev === 0) return mean;
  // shape k = mean²/sd², scale θ = sd²/mean, so that kθ = mean and kθ² = sd².
  const shape = (mean * mean) / (stddev * stddev);
  const scale = (stddev * stddev) / mean;
  return sampleStandardGamma(shape, random) * scale;
}

/** Draws one delay in milliseconds from a distribution (never negative). */
export function sampleMs(distribution: DistributionSetting, random: Random): number {
  if (typeof distribution === 'number') return Math.max(0, distribution);
  switch (distribution.dist) {
    case 'constant':
      return Math.max(0, distribution.value);
    case 'normal':
      return Math.max(0, distribution.mean + distribution.stddev * random.normal());
    case 'lognormal':
      return Math.max(0, sampleLognormal(distribution.mean, distribution.stddev, random));
    case 'gamma':
      return Math.max(0, sampleGamma(distribution.mean, distribution.stddev, random));
  }
}
