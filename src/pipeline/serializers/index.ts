import type { Serializer } from '../types.js';
import { fieldBaselineSerializer } from './fieldBaseline.js';
import { rawTextSerializer } from './rawText.js';
import { createSeedCacheSerializer } from './seedCache.js';
import { singlePassSerializer } from './singlePass.js';

/** Serializer names a scenario may use. */
export const SERIALIZER_NAMES = ['field-baseline', 'seed-cache', 'seed-cache-mutated', 'single-pass', 'raw-text'] as const;
export type SerializerName = (typeof SERIALIZER_NAMES)[number];

const factories: Record<SerializerName, () => Serializer> = {
  'field-baseline': () => fieldBaselineSerializer,
  // The seed's cache lives across streams, so each config gets its own instance.
  'seed-cache': () => createSeedCacheSerializer(false),
  'seed-cache-mutated': () => createSeedCacheSerializer(true),
  'single-pass': () => singlePassSerializer,
  'raw-text': () => rawTextSerializer,
};

/** Returns the serializer called `name`. */
export function createSerializer(name: SerializerName): Serializer {
  return factories[name]();
}
