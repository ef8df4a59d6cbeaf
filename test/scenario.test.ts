import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenarioText } from '../src/scenario/loadScenario.js';
import { ScenarioError } from '../src/input/scenarioError.js';
import { firstOf, itemAt, leadingOf } from './helpers/indexed.js';

const messageFor = (yaml: string) => {
  try {
    parseScenarioText(yaml, 'bad.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error('expected a ScenarioError');
};

const minimal = 'name: t\nsource: { type: synthetic }\n';

describe('scenario validation', () => {
  it('names the file, the field path, the unknown field and the fields allowed there', () => {
    expect(messageFor(`${minimal}variants:\n  - name: a\n    pipeline: { batch: { sise: 5 } }\n`)).toBe(
      'bad.yaml: variants[0].pipeline.batch: unknown field "sise" (check the spelling; allowed here: mode, size, timeoutMs, merge, firstImmediate)',
    );
    expect(messageFor(`${minimal}load: { concurrency: 2, concurency: 3 }\n`)).toMatch(
      /^bad\.yaml: load: unknown field "concurency" \(check the spelling; allowed here: concurrency, rate, streams, durationS, rampS, sampleEveryS, workers\)$/m,
    );
    // Where the walk cannot tell (a source is one of several kinds), the docs are named instead.
    expect(messageFor(`name: t\nsource: { type: synthetic, tokenz: 3 }\n`)).toMatch(
      /source: unknown field "tokenz" \(check the spelling; see docs\/scenarios\.md for the fields allowed here\)/,
    );
  });

  it('lists the allowed values of an enum', () => {
    expect(messageFor(`${minimal}pipeline: { batch: { mode: sometimes } }\n`)).toMatch(/^bad\.yaml: pipeline\.batch\.mode: .*"none"\|"seed"\|"timer"/);
  });

  it('rejects a wrong type with the expected one', () => {
    expect(messageFor(`${minimal}iterations: many\n`)).toMatch(/^bad\.yaml: iterations: .*expected number/);
  });

  it('takes the measured streams as `streams`, or under their old name `iterations`, not both', () => {
    expect(parseScenarioText(`${minimal}streams: 3\n`, 'ok.yaml').iterations).toBe(3);
    expect(parseScenarioText(`${minimal}iterations: 4\n`, 'ok.yaml').iterations).toBe(4);
    expect(parseScenarioText(minimal, 'ok.yaml').iterations).toBe(5);
    expect(messageFor(`${minimal}streams: 3\niterations: 4\n`)).toMatch(/bad\.yaml: iterations: "iterations" is the old name of "streams"/);
  });

  it('rejects an unknown top-level field', () => {
    expect(messageFor(`${minimal}iteration: 3\n`)).toMatch(/bad\.yaml: \(top level\): unknown field "iteration"/);
  });

  it('rejects duplicate variant names', () => {
    expect(messageFor(`${minimal}variants: [{ name: a }, { name: a }]\n`)).toMatch(/variants\[1\]\.name: duplicate variant name "a"/);
  });

  it('rejects broken YAML and a missing file with the file name', async () => {
    expect(messageFor('name: [unclosed')).toMatch(/^bad\.yaml: not valid YAML/);
    await expect(loadScenarioFile('missing.yaml')).rejects.toThrow(/missing\.yaml: cannot read the scenario \(no such file\)/);
  });

  it('merges defaults ← preset ← base ← variant, replacing an object whose type changes', () => {
    const scenario = parseScenarioText(
      `${minimal}pipeline: { preset: seed-proposed, batch: { size: 8 } }\nvariants:\n  - name: a\n  - name: b\n    pipeline: { preset: field-baseline, client: { render: { intervalMs: 30 } } }\n`,
      'ok.yaml',
    );
    const [a, b] = leadingOf(scenario.configs, 2, 'scenario.configs');
    expect(a.pipeline.batch).toEqual({ mode: 'seed', size: 8, timeoutMs: 100, merge: true, firstImmediate: false });
    expect(a.pipeline.broker).toEqual({ type: 'redis-list', connections: 'per-stream', write: 'fire-and-forget', read: 'window', window: 10, ttlSeconds: 300 });
    expect(b.preset).toBe('field-baseline');
    expect(b.pipeline.batch).toEqual({ mode: 'none', size: 8, timeoutMs: 100, merge: true, firstImmediate: false });
    expect(b.pipeline.client).toEqual({ type: 'field', render: { strategy: 'debounce', intervalMs: 30 } });
  });

  it('replaces a broker whose type changes instead of merging fields of another type', () => {
    const scenario = parseScenarioText(
      `${minimal}pipeline: { preset: seed-proposed }\nvariants:\n  - name: stream\n    pipeline: { broker: { type: redis-stream } }\n  - name: wider\n    pipeline: { broker: { window: 50 } }\n`,
      'ok.yaml',
    );
    expect(firstOf(scenario.configs, 'scenario.configs').pipeline.broker).toEqual({ type: 'redis-stream', blockMs: 1000, count: 100, ttlSeconds: 300 });
    expect(itemAt(scenario.configs, 1, 'scenario.configs').pipeline.broker).toMatchObject({ type: 'redis-list', read: 'window', window: 50 });
  });

  it('loads every shipped scenario', async () => {
    const files = readdirSync('scenarios').filter((file) => /\.(ya?ml|json)$/.test(file));
    expect(files).toEqual(expect.arrayContaining(['default.yaml', 'batching.yaml', 'serializers.yaml', 'render.yaml']));
    for (const file of files) {
      const scenario = await loadScenarioFile(`scenarios/${file}`);
      expect(scenario.configs.length).toBeGreaterThan(0);
    }
  });
});
