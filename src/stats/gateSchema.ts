/**
 * The zod schema of one entry of a scenario's `gates:` list, apart from src/stats/gates.ts so
 * that `compare` (which needs gates but no zod) does not load zod at start-up.
 */
import { z } from 'zod';
import { type GateInput, GATE_METRIC_MESSAGE, INFORMATIONAL_MESSAGE, isGateMetric, ITERATION_METRICS, THRESHOLD_MESSAGE, THRESHOLD_TEXT } from './gates.js';

/** One entry of a scenario's `gates:` list. */
export const gateSchema = z
  .strictObject({
    metric: z
      .string()
      .refine(isGateMetric, { message: GATE_METRIC_MESSAGE })
      .describe(`what to decide on: ${ITERATION_METRICS.join(', ')} (per-stream time metrics, compared with statistics) or counters.<name> (compared exactly)`),
    maxIncrease: z
      .union([z.number().nonnegative(), z.string().regex(THRESHOLD_TEXT, THRESHOLD_MESSAGE)])
      .optional()
      .describe('largest increase that still passes: a percentage of the base value (10%) or an amount in the metric unit; default 10% for time metrics, 0 for counters'),
    configs: z.array(z.string()).min(1).optional().describe('config names the gate applies to (default: every config)'),
    informational: z
      .string()
      .min(1, INFORMATIONAL_MESSAGE)
      .optional()
      .describe(
        'why this metric cannot be gated for these configs: its verdict is still computed and shown, apart and with this reason, but never passes or fails the comparison. Informational entries replace no other gate (with only informational entries, the default gates still apply to everything else)',
      ),
  })
  .describe('a regression gate for `streambench compare` and `run --baseline`');

// GateInput is written by hand in gates.ts (no zod there): it must stay what this schema accepts.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const gateInputMatchesSchema: Same<GateInput, z.infer<typeof gateSchema>> = true;
void gateInputMatchesSchema;
