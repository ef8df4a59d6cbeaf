import { ITERATIONS_MAX, tooLarge, WARMUP_MAX } from '../input/inputLimits.js';
/**
 * What a scenario file may hold. Every object is strict: an unknown field is an error, so a
 * typo is never silently ignored. `schemas/scenario.schema.json` is generated from this.
 */
import { z } from 'zod';
import { sourceSchema } from '../sources/sourceSettings.js';
import { loadSettingsSchema } from './loadSettings.js';
import { gateSchema } from '../stats/gateSchema.js';
import { deepPartial } from './deepPartial.js';
import { pipelineSchema } from './pipelineSchema.js';
import { PRESET_NAMES } from './presets.js';
import { targetSchema } from './targetSchema.js';

const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" and "-" (it becomes part of a file name)');

/** A pipeline as a scenario writes it: any subset of the fields, optionally from a preset. */
export const pipelineOverrideSchema = (deepPartial(pipelineSchema) as z.ZodObject)
  .extend({
    preset: z.enum(PRESET_NAMES).optional().describe('start from a preset pipeline (field-baseline, seed-proposed, seed-corrected); fields set here win'),
  })
  .describe('Pipeline settings; unset fields come from the preset, then the defaults');

export const variantSchema = z.strictObject({
  name: nameSchema.describe('config name: one row in the tables'),
  description: z.string().optional().describe('what this variant shows'),
  pipeline: pipelineOverrideSchema.optional().describe("overrides of the scenario's base pipeline"),
  load: loadSettingsSchema.optional().describe("this variant's concurrent load, replacing the scenario's `load` (e.g. one variant per concurrency)"),
  target: targetSchema.optional().describe("this variant measures the user's own app instead of a built pipeline (target mode, docs/target.md); `pipeline` does not apply"),
});

/** A grid of pipeline settings for `streambench sweep`: every combination becomes a config. */
export const sweepSchema = z
  .strictObject({
    variant: z.string().optional().describe('start every grid point from this variant (default: the base pipeline)'),
    params: z
      .record(
        z.string().regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)+$/, 'a dotted pipeline field path such as batch.size'),
        z.array(z.union([z.number(), z.string(), z.boolean()])).min(1),
      )
      .describe('pipeline field path → the values to try, e.g. {batch.size: [1, 2, 5, 10], batch.timeoutMs: [10, 25, 50, 100]}'),
    latencyBudget: z
      .union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(%|ms)?$/)])
      .optional()
      .describe(
        'the recommendation takes the cheapest Pareto point whose token latency p99 is within this of the best: ms (default 16.7, one frame at 60 Hz) or a percentage (10%)',
      ),
  })
  .describe('a parameter grid for `streambench sweep`');
export type SweepInput = z.infer<typeof sweepSchema>;

/** Measured streams per config, under its name (`streams`) or its old one (`iterations`). */
function measuredStreamsSchema(field: string) {
  return z
    .number()
    .int()
    .min(1)
    .max(ITERATIONS_MAX, tooLarge(field, ITERATIONS_MAX, 'every measured stream keeps a sample in memory and in the result file'))
    .optional();
}

export const scenarioSchema = z
  .strictObject({
    $schema: z.string().optional().describe('path or URL of this JSON Schema, for editors'),
    name: nameSchema.describe('scenario name (used in result file names)'),
    description: z.string().optional().describe('what the scenario measures'),
    seed: z.number().int().nonnegative().optional().describe('random seed: the same seed gives the same streams (default 1)'),
    streams: measuredStreamsSchema('streams').describe('measured streams per config (default 5)'),
    iterations: measuredStreamsSchema('iterations').describe('the old name of `streams`, still accepted'),
    warmup: z
      .number()
      .int()
      .min(0)
      .max(WARMUP_MAX, tooLarge('warm-up streams', WARMUP_MAX, 'a few warm the caches and JIT; more only cost time'))
      .optional()
      .describe('unmeasured streams per config before the measured ones (default 1)'),
    source: sourceSchema.describe('where the token stream comes from'),
    pipeline: pipelineOverrideSchema.optional().describe('the base pipeline every variant starts from'),
    load: loadSettingsSchema.optional().describe('run streams concurrently: a closed loop (concurrency) or an open loop (rate); without it streams run one after another'),
    variants: z
      .array(variantSchema)
      .min(1)
      .optional()
      .describe('named configs, each overriding parts of the base pipeline; without variants the base pipeline runs as one config named "base"'),
    gates: z.array(gateSchema).optional().describe('regression gates `compare` and `run --baseline` apply to runs of this scenario (see docs/ci.md)'),
    sweep: sweepSchema.optional(),
    columns: z
      .array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'a counter name such as redisCommandsPerToken (see `streambench report` for the names)'))
      .min(1)
      .optional()
      .describe('counters this scenario is about (names under metrics.counters, e.g. redisCommandsPerToken): run and report print them in a table of their own'),
  })
  .superRefine((scenario, context) => {
    if (scenario.streams !== undefined && scenario.iterations !== undefined) {
      context.addIssue({ code: 'custom', path: ['iterations'], message: '"iterations" is the old name of "streams": give only "streams"' });
    }
    const seen = new Set<string>();
    scenario.variants?.forEach((variant, index) => {
      if (seen.has(variant.name)) {
        context.addIssue({ code: 'custom', path: ['variants', index, 'name'], message: `duplicate variant name "${variant.name}": each variant needs its own name` });
      }
      seen.add(variant.name);
      if (variant.target && variant.pipeline) {
        context.addIssue({
          code: 'custom',
          path: ['variants', index, 'pipeline'],
          message: 'a target variant measures the app, not a built pipeline: remove "pipeline" or "target"',
        });
      }
      if (variant.target && ((variant.load ?? scenario.load)?.workers ?? 1) > 1) {
        context.addIssue({
          code: 'custom',
          path: ['variants', index, 'load', 'workers'],
          message: 'target variants run on one thread (the upstream and the client share its clock): set load.workers to 1',
        });
      }
    });
  });
