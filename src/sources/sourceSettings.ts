/**
 * Every kind of source a scenario can name, as one union on `type`, and the factory that
 * builds the running source. A new source kind adds its schema, its resolved settings and
 * its case here.
 */
import { z } from 'zod';
import { ScenarioError } from '../input/scenarioError.js';
import { loadTraceFileSync, TraceError } from '../traces/parseTrace.js';
import { createHttpSource } from './http/httpSource.js';
import { httpSourceSchema, type ResolvedHttpSettings, resolveHttpSettings } from './http/httpSchema.js';
import { TRACE_OFFSET_MAX_MS } from '../input/inputLimits.js';
import { createReplaySource } from './replay/replaySource.js';
import { replaySourceSchema, type ResolvedReplaySettings, resolveReplaySettings } from './replay/replaySchema.js';
import { createSyntheticSource } from './synthetic.js';
import { type ResolvedSyntheticSettings, resolveSyntheticSettings, syntheticSourceSchema } from './syntheticSchema.js';
import type { TokenSource } from './types.js';

export const sourceSchema = z.discriminatedUnion('type', [syntheticSourceSchema, httpSourceSchema, replaySourceSchema]).describe('where the token stream comes from');
export type SourceInput = z.input<typeof sourceSchema>;

/** A source's settings with every field set. */
export type ResolvedSourceSettings = ResolvedSyntheticSettings | ResolvedHttpSettings | ResolvedReplaySettings;

/** Fills every unset field of a validated source; a replay source's trace is read and validated here (ScenarioError). */
export function resolveSourceSettings(input: SourceInput): ResolvedSourceSettings {
  switch (input.type) {
    case 'synthetic':
      return resolveSyntheticSettings(input);
    case 'http':
      return resolveHttpSettings(input);
    case 'replay': {
      const settings = resolveReplaySettings(input);
      // A broken trace is bad input: report it with the scenario, before anything runs.
      try {
        // Node resolves a relative path from the current directory, as documented.
        const trace = loadTraceFileSync(settings.trace);
        // A slowed-down replay must still fit a timer (Node fires longer ones after 1 ms, in a spin).
        const lastOffsetMs = trace.streams.reduce((latest, stream) => Math.max(latest, stream.chunks.at(-1)?.offsetMs ?? 0), 0);
        if (lastOffsetMs / settings.speed > TRACE_OFFSET_MAX_MS) {
          throw new ScenarioError(
            `source.speed: ${settings.speed} stretches the trace's last chunk (${lastOffsetMs} ms) past ${TRACE_OFFSET_MAX_MS} ms (one day); use a speed of at least ${lastOffsetMs / TRACE_OFFSET_MAX_MS}`,
          );
        }
      } catch (error) {
        if (error instanceof TraceError) throw new ScenarioError(`source.trace: ${error.message}`);
        throw error;
      }
      return settings;
    }
  }
}

/** Builds the running source (it may start servers: call its `close()`); `seed` drives anything random in it. */
export async function createSource(settings: ResolvedSourceSettings, seed: number): Promise<TokenSource> {
  switch (settings.type) {
    case 'synthetic':
      return createSyntheticSource(settings, seed);
    case 'http':
      return createHttpSource(settings, seed);
    case 'replay':
      return createReplaySource(settings);
  }
}
