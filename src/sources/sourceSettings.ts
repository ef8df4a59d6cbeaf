/**
 * Every kind of source a scenario can name, as one union on `type`, and the factory that
 * builds the running source. A new source kind adds its schema, its resolved settings and
 * its case here.
 */
import { z } from 'zod';
import { ScenarioError } from '../scenario/scenarioError.js';
import { loadTraceFileSync, TraceError } from '../traces/parseTrace.js';
import { createHttpSource } from './http/httpSource.js';
import { httpSourceSchema, type ResolvedHttpSettings, resolveHttpSettings } from './http/httpSchema.js';
import { createReplaySource } from './replay/replaySource.js';
import { replaySourceSchema, type ResolvedReplaySettings, resolveReplaySettings } from './replay/replaySchema.js';
import { createSyntheticSource } from './synthetic.js';
import { type ResolvedSyntheticSettings, resolveSyntheticSettings, syntheticSourceSchema } from './syntheticSchema.js';
import type { TokenSource } from './types.js';

export const sourceSchema = z
  .discriminatedUnion('type', [syntheticSourceSchema, httpSourceSchema, replaySourceSchema])
  .describe('where the token stream comes from');
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
        loadTraceFileSync(settings.trace);
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
