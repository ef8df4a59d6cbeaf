import { resolveScenario, type Scenario } from '../../src/scenario/loadScenario.js';

/** A scenario from an inline object, as if read from `test.yaml`. */
export function scenarioFrom(raw: Record<string, unknown>): Scenario {
  return resolveScenario({ name: 'test', source: { type: 'synthetic', profile: 'zero-delay', tokens: 100 }, ...raw }, 'test.yaml', 'hash');
}
