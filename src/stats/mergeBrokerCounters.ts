/**
 * One stream's broker counters when its two sides counted them apart (producer and consumer
 * in separate processes, `processes: split`): each connection belongs to one side, so the
 * stream's counts are the sums, and a high-water mark is the larger of the two.
 */
import type { BrokerCounters } from '../pipeline/types.js';
import { counterKind } from './counterTotals.js';

/** The consumer side's counters merged with the producer side's (null: the producer shared the consumer's connections' count). */
export function mergeBrokerCounters(consumer: BrokerCounters, producer: BrokerCounters | null): BrokerCounters {
  if (producer === null) return { ...consumer };
  const merged: BrokerCounters = { ...consumer };
  for (const [name, value] of Object.entries(producer)) {
    const own = merged[name];
    merged[name] = own === undefined ? value : counterKind(name) === 'max' ? Math.max(own, value) : own + value;
  }
  return merged;
}
