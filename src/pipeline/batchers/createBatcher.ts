import type { Clock } from '../../clock.js';
import type { Batcher } from '../types.js';
import { createNoBatcher } from './noBatcher.js';
import { createSeedBatcher } from './seedBatcher.js';
import type { BatchSettings } from './settings.js';
import { createTimerBatcher } from './timerBatcher.js';

/** Builds the batcher that `settings` names; `isContent` tells which items carry content. */
export function createBatcher<T>(settings: BatchSettings, clock: Clock, isContent: (item: T) => boolean, flush: (items: T[]) => void): Batcher<T> {
  switch (settings.mode) {
    case 'none':
      return createNoBatcher(flush);
    case 'seed':
      return createSeedBatcher(settings.size, settings.timeoutMs, clock, flush);
    case 'timer':
      return createTimerBatcher({ ...settings, isContent }, clock, flush);
  }
}
