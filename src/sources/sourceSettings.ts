/**
 * Every kind of source a scenario can name, as one union on `type`, and the factory that
 * builds the running source. A new source kind adds its schema, its resolved settings and
 * its case here.
 */
import { z } from 'zod';
import { createSyntheticSource } from './synthetic.js';
import { type ResolvedSyntheticSettings, resolveSyntheticSettings, syntheticSourceSchema } from './syntheticSchema.js';
import type { TokenSource } from './types.js';

export const sourceSchema = z.discriminatedUnion('type', [syntheticSourceSchema]).describe('where the token stream comes from');
export type SourceInput = z.input<typeof sourceSchema>;

/** A source's settings with every field set. */
export type ResolvedSourceSettings = ResolvedSyntheticSettings;

/** Fills every unset field of a validated source. */
export function resolveSourceSettings(input: SourceInput): ResolvedSourceSettings {
  switch (input.type) {
    case 'synthetic':
      return resolveSyntheticSettings(input);
  }
}

/** Builds the running source (it may start servers: call its `close()`); `seed` drives anything random in it. */
export async function createSource(settings: ResolvedSourceSettings, seed: number): Promise<TokenSource> {
  switch (settings.type) {
    case 'synthetic':
      return createSyntheticSource(settings, seed);
  }
}
