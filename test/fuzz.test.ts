/**
 * Property-based fuzzing of the scenario loader and the CLI's whole-number options. Whatever
 * the input — arbitrary text, arbitrary values, valid scenarios mutated — the loader either
 * returns a scenario whose every config has a complete pipeline, or throws a ScenarioError
 * whose message starts with the file name and carries no stack trace; nothing else (no
 * TypeError, no RangeError). Every property runs with a fixed seed and a bounded number of
 * runs, so a failure replays exactly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { wholeNumber } from '../src/cli/parseOptions.js';
import { parseScenarioText, resolveScenario, type Scenario } from '../src/scenario/loadScenario.js';
import { pipelineSchema } from '../src/scenario/pipelineSchema.js';
import { PRESET_NAMES } from '../src/scenario/presets.js';
import { ScenarioError } from '../src/input/scenarioError.js';
import { parseTrace, TraceError } from '../src/traces/parseTrace.js';

const SEED = 42;

type Outcome = 'scenario' | 'error';

/** Tallies of outcomes, so a property that only ever takes one branch shows up. */
type Tally = Record<Outcome, number>;
const newTally = (): Tally => ({ scenario: 0, error: 0 });

/** Throws unless every config of `scenario` has a complete, valid pipeline. */
function expectCompleteScenario(scenario: Scenario): void {
  expect(scenario.configs.length).toBeGreaterThan(0);
  expect(new Set(scenario.configs.map((config) => config.name)).size).toBe(scenario.configs.length);
  for (const config of scenario.configs) {
    // processes may stay unset: streambench chooses at run time (docs/scenarios.md#processes).
    expect(
      Object.keys(config.pipeline)
        .filter((key) => key !== 'processes')
        .sort(),
    ).toEqual(['batch', 'broker', 'client', 'delivery', 'serializer']);
    expect([undefined, 'single', 'split']).toContain(config.pipeline.processes);
    const reparsed = pipelineSchema.safeParse(config.pipeline);
    if (!reparsed.success) throw new Error(`config "${config.name}" has an incomplete pipeline: ${reparsed.error.message}`);
  }
}

/**
 * Runs the loader on one input: a scenario must be complete; an error must be a ScenarioError
 * naming `where` first, without stack material. Anything else fails the property (rethrown).
 */
// A stack frame ("    at fn (/path/file.js:1:2)"); a quoted YAML line that starts with "at" is not one.
const STACK_FRAME = /\n\s+at (?:.+ \()?(?:\/|file:|node:)\S*:\d+:\d+/;

function loaderOutcome(where: string, load: () => Scenario, tally?: Tally): Outcome {
  let scenario: Scenario;
  try {
    scenario = load();
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    expect(error.name).toBe('ScenarioError');
    if (!error.message.startsWith(where)) throw new Error(`ScenarioError not naming ${where} first: ${error.message}`);
    expect(error.message).not.toMatch(STACK_FRAME);
    expect(error.message).not.toMatch(/node_modules|\.ts:\d+/);
    if (tally) tally.error++;
    return 'error';
  }
  expectCompleteScenario(scenario);
  if (tally) tally.scenario++;
  return 'scenario';
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** Fragments of YAML (and JSON) syntax, scenario words and awkward scalars, glued at random. */
const yamlFragment = fc.constantFrom(
  'name: ',
  'source: ',
  'type: synthetic',
  'type: http',
  'type: replay',
  'trace: missing.jsonl',
  'tokens: ',
  'pipeline: ',
  'variants:',
  '- name: a',
  'preset: ',
  'seed-corrected',
  'field-baseline',
  'broker: ',
  'type: redis-list',
  'delivery: ',
  'batch: ',
  'client: ',
  'render: ',
  'gates: ',
  'sweep: ',
  'params: ',
  'metric: ',
  '__proto__: ',
  'constructor: ',
  '\n',
  '\n  ',
  '  ',
  ' ',
  '- ',
  ': ',
  ', ',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '|',
  '>-',
  '#',
  '? ',
  '&a ',
  '*a',
  '<<: *a',
  '!!str ',
  '!!int ',
  '!!binary ',
  '!tag ',
  '%YAML 1.2\n',
  '---\n',
  '...\n',
  '~',
  'null',
  'true',
  'no',
  '.nan',
  '-.inf',
  '1e309',
  '-1',
  '0x1F',
  '0o17',
  '1_000',
  '9007199254740993',
  '\t',
  '\r\n',
  '\u0000',
  '\uFEFF',
  'é',
  '😀',
);
const yamlSoup = fc.array(yamlFragment, { maxLength: 60 }).map((parts) => parts.join(''));

/** A valid scenario written with YAML anchors and aliases. */
const ANCHORED = `name: anchored
source: &src { type: synthetic, tokens: 20 }
pipeline: &base { batch: &batch { mode: timer, size: 3, timeoutMs: 10 } }
variants:
  - name: a
    pipeline: *base
  - name: b
    pipeline: { batch: *batch, client: { type: field } }
`;

/** Scenario texts shipped with the project and used by the tests: the valid seeds of the mutations. */
function shippedScenarioTexts(): { file: string; text: string }[] {
  const files = [...readdirSync('scenarios').map((name) => join('scenarios', name)), ...readdirSync('test/fixtures').map((name) => join('test/fixtures', name))].filter((file) =>
    /\.(ya?ml|json)$/.test(file),
  );
  return files.map((file) => ({ file, text: readFileSync(file, 'utf8') })).concat({ file: 'anchored.yaml', text: ANCHORED });
}

/** A hand-written scenario touching most fields, so mutations reach them. */
const RICH_SCENARIO = {
  name: 'rich',
  description: 'most fields at once',
  seed: 3,
  iterations: 2,
  warmup: 0,
  source: {
    type: 'synthetic',
    profile: 'fast-hosted',
    tokens: 50,
    text: 'chat',
    granularity: { tokensPerChunk: 2 },
    ttftMs: { dist: 'lognormal', mean: 200, stddev: 50 },
    gapMs: 5,
    bursts: { everyTokens: 10, lengthTokens: 5, gapMs: 0 },
    stalls: [{ afterTokens: 20, ms: { dist: 'constant', value: 30 } }],
  },
  pipeline: {
    preset: 'seed-corrected',
    serializer: 'single-pass',
    batch: { mode: 'timer', size: 4, timeoutMs: 25, merge: false, firstImmediate: true },
    broker: { type: 'redis-list', write: 'eval', read: 'window-catchup', window: 8, ttlSeconds: 60 },
    delivery: { type: 'sse', ids: true, eventName: 'delta', heartbeatMs: 1000, compression: 'gzip', reconnect: { afterEvents: 5, resume: true } },
    client: { type: 'lean', render: { strategy: 'throttle', intervalMs: 50 } },
  },
  variants: [
    { name: 'stream', description: 'a Redis stream', pipeline: { broker: { type: 'redis-stream', maxLen: 1000, blockMs: 500, count: 10 } } },
    { name: 'ws', pipeline: { preset: 'field-baseline', delivery: { type: 'websocket', perMessageDeflate: true } } },
    { name: 'memory', pipeline: { broker: { type: 'memory', read: 'full' }, delivery: { type: 'direct' } } },
    { name: 'pubsub', pipeline: { broker: { type: 'redis-pubsub' } } },
  ],
  gates: [{ metric: 'tokenLatencyP99Ms', maxIncrease: '10%', configs: ['stream'] }],
};

/** A path to a node inside a JSON-like value. */
type Path = (string | number)[];

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => [[...prefix, index], ...pathsOf(item, [...prefix, index])]);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
  }
  return [];
}

/** Values that are wrong, huge, negative, not-a-number or exotic in some field or other. */
const strangeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    1e308,
    -1e308,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 31,
    2 ** 53,
    -1,
    -0,
    0,
    0.5,
    -0.5,
    1e-320,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    '-1',
    '0',
    '',
    ' ',
    '\n',
    '0x10',
    '5ms',
    '10%',
    '-5%',
    'abc%',
    null,
    true,
    false,
    [],
    {},
    [[]],
    { type: 'synthetic' },
    { dist: 'gamma', mean: -1, stddev: 2 },
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'base',
    'a',
    'redis-list',
    'redis-stream',
    'redis-pubsub',
    'memory',
    'sse',
    'websocket',
    'direct',
    'field-baseline',
    'seed-proposed',
    'seed-corrected',
    'seed-cache-mutated',
    'raw-text',
    'timer',
    'seed',
    'none',
    'frame',
    'debounce',
    'every',
    'gzip',
    'char',
    'token',
    'replay',
    'http',
    'tokenLatencyP99Ms',
    'counters.eventsPerToken',
    'scenarios',
    'missing-trace.jsonl',
    'https://example.invalid/v1',
  ),
  fc.double(),
  fc.integer(),
  fc.bigInt().map((big) => Number(big)),
  fc.string({ maxLength: 20 }),
  fc.jsonValue({ maxDepth: 3 }),
  // Deep nesting: objects or arrays hundreds of levels deep.
  fc.tuple(fc.integer({ min: 50, max: 600 }), fc.boolean()).map(([depth, asArray]) => {
    let nested: unknown = 1;
    for (let level = 0; level < depth; level++) nested = asArray ? [nested] : { type: nested };
    return nested;
  }),
);

/** Field names of the scenario format (and a few that are not), for renames and additions. */
const fieldName = fc.constantFrom(
  'name',
  'description',
  'seed',
  'iterations',
  'warmup',
  'source',
  'pipeline',
  'variants',
  'gates',
  'sweep',
  'preset',
  'serializer',
  'batch',
  'mode',
  'size',
  'timeoutMs',
  'merge',
  'firstImmediate',
  'broker',
  'type',
  'read',
  'window',
  'write',
  'ttlSeconds',
  'maxLen',
  'blockMs',
  'count',
  'delivery',
  'ids',
  'eventName',
  'heartbeatMs',
  'compression',
  'reconnect',
  'afterEvents',
  'resume',
  'perMessageDeflate',
  'client',
  'render',
  'strategy',
  'intervalMs',
  'tokens',
  'profile',
  'text',
  'granularity',
  'ttftMs',
  'gapMs',
  'dist',
  'mean',
  'stddev',
  'value',
  'bursts',
  'stalls',
  'trace',
  'speed',
  'metric',
  'maxIncrease',
  'configs',
  'params',
  'latencyBudget',
  '$schema',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'Name',
  'sise',
  '',
);

type Mutation =
  | { kind: 'drop'; at: number }
  | { kind: 'rename'; at: number; to: string }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'add'; at: number; key: string; value: unknown }
  | { kind: 'duplicate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), to: fieldName }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: strangeValue }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: fieldName, value: strangeValue }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
);

/** The container holding `path`'s last step, and that step. */
function parentOf(root: unknown, path: Path): { parent: Record<string | number, unknown>; key: string | number } {
  let parent = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  return { parent, key: path[path.length - 1]! };
}

/** Applies `mutations` to a copy of `value` (each picks its node among the copy's current paths). */
function mutate(value: unknown, mutations: readonly Mutation[]): unknown {
  const root = structuredClone(value) as Record<string, unknown>;
  for (const change of mutations) {
    const paths = pathsOf(root);
    if (paths.length === 0) break;
    const path = paths[change.at % paths.length]!;
    const { parent, key } = parentOf(root, path);
    switch (change.kind) {
      case 'drop':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
        break;
      case 'rename':
        if (!Array.isArray(parent)) {
          const moved = parent[key];
          delete parent[key];
          // defineProperty: an own "__proto__" key, as JSON.parse and YAML produce it.
          Object.defineProperty(parent, change.to, { value: moved, enumerable: true, writable: true, configurable: true });
        }
        break;
      case 'replace':
        parent[key] = change.value;
        break;
      case 'add': {
        const target = parent[key];
        if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
          Object.defineProperty(target, change.key, { value: change.value, enumerable: true, writable: true, configurable: true });
        } else if (Array.isArray(target)) {
          target.push(change.value);
        }
        break;
      }
      case 'duplicate':
        if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(parent[key]));
        break;
    }
  }
  return root;
}

function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/**
 * YAML text of `value`, or null when deeply nested (the yaml library's output grows with the
 * square of the depth; deep YAML text has its own property below) or when the library cannot
 * write it. The object and JSON forms are always tried.
 */
function yamlOf(value: unknown): string | null {
  if (depthOf(value) > 40) return null;
  try {
    return stringifyYaml(value);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Properties

describe('the scenario loader under fuzzing', () => {
  it('arbitrary text, as YAML and as JSON, gives a scenario or a ScenarioError naming the file, and no process warning', async () => {
    const tally = newTally();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      fc.assert(
        fc.property(
          fc.oneof(yamlSoup, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })),
          fc.constantFrom('fuzz.yaml', 'dir/fuzz.yml', 'fuzz.json'),
          (text, where) => {
            loaderOutcome(where, () => parseScenarioText(text, where), tally);
          },
        ),
        { seed: SEED, numRuns: 300 },
      );
      // Process warnings are emitted on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(tally.error).toBeGreaterThan(0);
    // The yaml library reports unknown tags and bad directives as warnings, which Node would
    // print on the CLI's stderr; the loader turns them into ScenarioErrors instead.
    expect(warnings).toEqual([]);
  });

  it('arbitrary JSON values, as text and as objects, give a scenario or a ScenarioError naming the file', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        loaderOutcome('value.json', () => parseScenarioText(text, 'value.json'));
        loaderOutcome('value.yaml', () => parseScenarioText(text, 'value.yaml'));
        loaderOutcome('value.yaml', () => resolveScenario(value, 'value.yaml', 'hash'));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('arbitrary JavaScript values (dates, maps, typed arrays, null prototypes, sparse arrays) give a ScenarioError', () => {
    const anything = fc.anything({
      maxDepth: 4,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
      withBoxedValues: true,
      withObjectString: true,
    });
    fc.assert(
      fc.property(anything, (value) => {
        loaderOutcome('value.yaml', () => resolveScenario(value, 'value.yaml', 'hash'));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('a scenario top level with arbitrary values in every field gives a scenario or a ScenarioError', () => {
    /** Mostly `valid`, sometimes something strange. */
    const mostly = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: strangeValue, weight: 1 });
    const source = mostly(
      fc.oneof(
        fc.record({ type: fc.constant('synthetic'), tokens: fc.integer({ min: 1, max: 100 }) }),
        // Replay reads its trace while the scenario loads: missing files, directories and
        // files that are not traces must all be scenario errors.
        fc.record({
          type: fc.constant('replay'),
          trace: fc.constantFrom('traces/sample-synthetic.jsonl', 'missing-trace.jsonl', 'traces', 'package.json', 'scenarios/default.yaml', ''),
          speed: mostly(fc.double({ min: 0.1, max: 10, noNaN: true })),
        }),
        fc.record({ type: fc.constant('http'), mockServer: mostly(fc.record({ tokens: fc.integer({ min: 1, max: 50 }) })) }),
        fc.record({ type: fc.constant('http'), baseUrl: fc.constantFrom('https://example.invalid/v1', 'ftp://x', 'not a url'), model: fc.constantFrom('m', '') }),
      ),
    );
    const topLevel = fc.record(
      {
        name: mostly(fc.constantFrom('ok', 'a.b_c-1')),
        source,
        seed: mostly(fc.nat()),
        iterations: mostly(fc.integer({ min: 1, max: 10 })),
        warmup: mostly(fc.nat({ max: 3 })),
        pipeline: mostly(fc.record({ preset: fc.constantFrom(...PRESET_NAMES) })),
        variants: mostly(fc.constant([{ name: 'a' }, { name: 'b', pipeline: { serializer: 'raw-text' } }])),
        gates: mostly(fc.constant([{ metric: 'counters.eventsPerToken' }])),
      },
      { requiredKeys: ['name', 'source'] },
    );
    const tally = newTally();
    fc.assert(
      fc.property(topLevel, (value) => {
        loaderOutcome('top.yaml', () => resolveScenario(value, 'top.yaml', 'hash'), tally);
      }),
      { seed: SEED, numRuns: 500 },
    );
    expect(tally.scenario).toBeGreaterThan(0);
    expect(tally.error).toBeGreaterThan(0);
  });

  const seeds = shippedScenarioTexts()
    .map(({ file, text }) => ({ file, text, value: /\.json$/.test(file) ? JSON.parse(text) : parseYaml(text) }))
    .concat({ file: 'rich', text: stringifyYaml(RICH_SCENARIO), value: RICH_SCENARIO });

  it('every seed of the mutations is itself a valid scenario', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(10);
    for (const { file, text } of seeds) expect(loaderOutcome(file, () => parseScenarioText(text, `${file}.yaml`))).toBe('scenario');
  });

  it('valid scenarios mutated (fields dropped, renamed, added, retyped, huge, negative, NaN, deeply nested) give a scenario or a ScenarioError', () => {
    const tally = newTally();
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), ({ value }, mutations) => {
        const mutant = mutate(value, mutations);
        loaderOutcome('mutant.yaml', () => resolveScenario(mutant, 'mutant.yaml', 'hash'), tally);
        const yaml = yamlOf(mutant);
        if (yaml !== null) loaderOutcome('mutant.yaml', () => parseScenarioText(yaml, 'mutant.yaml'), tally);
        loaderOutcome('mutant.json', () => parseScenarioText(JSON.stringify(mutant), 'mutant.json'), tally);
      }),
      { seed: SEED, numRuns: 250 },
    );
    // Both branches are taken: mutations that keep a scenario valid, and ones that break it.
    expect(tally.scenario).toBeGreaterThan(50);
    expect(tally.error).toBeGreaterThan(50);
  });

  it('deeply nested YAML and JSON text (up to 3,000 levels, in any field) gives a ScenarioError', () => {
    const nestedText = fc.record({
      depth: fc.integer({ min: 1, max: 3000 }),
      shape: fc.constantFrom('[', '{a: ', '{"a": ', '- '),
      field: fc.constantFrom('pipeline', 'source', 'variants', 'gates', 'name'),
      where: fc.constantFrom('deep.yaml', 'deep.json'),
    });
    fc.assert(
      fc.property(nestedText, ({ depth, shape, field, where }) => {
        const close = { '[': ']', '{a: ': '}', '{"a": ': '}', '- ': '' }[shape];
        const nested =
          shape === '- ' ? Array.from({ length: depth }, (_, level) => `${' '.repeat(2 * level)}- `).join('\n') + '1' : shape.repeat(depth) + '1' + close.repeat(depth);
        const text = where === 'deep.json' ? `{"name": "deep", "${field}": ${nested}}` : `name: deep\n${field}:\n${nested.replace(/^/gm, '  ')}\n`;
        expect(loaderOutcome(where, () => parseScenarioText(text, where))).toBe('error');
      }),
      { seed: SEED, numRuns: 25 },
    );
  });

  it('scenario text cut or spliced anywhere gives a scenario or a ScenarioError', () => {
    const texts = seeds.map((seed) => seed.text);
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.nat(), fc.nat(), yamlSoup, (text, from, to, insert) => {
        const [start, end] = [from % (text.length + 1), to % (text.length + 1)].sort((a, b) => a - b);
        const spliced = text.slice(0, start) + insert + text.slice(end!);
        loaderOutcome('cut.yaml', () => parseScenarioText(spliced, 'cut.yaml'));
        loaderOutcome('cut.yaml', () => parseScenarioText(text.slice(0, start), 'cut.yaml'));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('valid variants resolve to complete pipelines in which every field a variant sets wins', () => {
    const override = fc.record(
      {
        preset: fc.constantFrom(...PRESET_NAMES),
        serializer: fc.constantFrom('field-baseline', 'seed-cache', 'single-pass', 'raw-text'),
        batch: fc.record(
          { mode: fc.constantFrom('none', 'seed', 'timer'), size: fc.integer({ min: 1, max: 50 }), timeoutMs: fc.double({ min: 0.5, max: 500, noNaN: true }) },
          { requiredKeys: [] },
        ),
        broker: fc.oneof(
          fc.record(
            { type: fc.constant('memory'), read: fc.constantFrom('full', 'from-index', 'window', 'window-catchup'), window: fc.integer({ min: 1, max: 64 }) },
            { requiredKeys: ['type'] },
          ),
          fc.record({ type: fc.constant('redis-list'), write: fc.constantFrom('fire-and-forget', 'awaited', 'pipelined', 'eval') }, { requiredKeys: ['type'] }),
          fc.record({ type: fc.constant('redis-stream'), count: fc.integer({ min: 1, max: 500 }) }, { requiredKeys: ['type'] }),
          fc.constant({ type: 'redis-pubsub' }),
        ),
        delivery: fc.oneof(
          fc.constant({ type: 'direct' }),
          fc.record({ type: fc.constant('sse'), ids: fc.boolean() }, { requiredKeys: ['type'] }),
          fc.record({ type: fc.constant('websocket'), perMessageDeflate: fc.boolean() }, { requiredKeys: ['type'] }),
        ),
        client: fc.record({ type: fc.constantFrom('field', 'lean') }),
      },
      { requiredKeys: [] },
    );
    const scenarioInput = fc.record({
      base: override,
      variants: fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), pipeline: override }), {
        minLength: 1,
        maxLength: 4,
        selector: (variant) => variant.name,
      }),
    });
    fc.assert(
      fc.property(scenarioInput, ({ base, variants }) => {
        const raw = { name: 'valid', source: { type: 'synthetic', tokens: 10 }, pipeline: base, variants };
        const scenario = resolveScenario(raw, 'valid.yaml', 'hash');
        expectCompleteScenario(scenario);
        expect(scenario.configs.map((config) => config.name)).toEqual(variants.map((variant) => variant.name));
        scenario.configs.forEach((config, index) => {
          const { preset, ...fields } = variants[index]!.pipeline as Record<string, unknown>;
          expect(config.preset).toBe(preset ?? base.preset ?? null);
          // Every leaf the variant wrote is in its resolved pipeline unchanged.
          for (const path of pathsOf(fields)) {
            const written = path.reduce<unknown>((node, step) => (node as Record<string | number, unknown>)[step], fields);
            if (written !== null && typeof written === 'object') continue;
            const resolved = path.reduce<unknown>((node, step) => (node as Record<string | number, unknown>)[step], config.pipeline);
            expect(resolved).toEqual(written);
          }
        });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('inputs the fuzzers found, pinned', () => {
  it('a replay trace that cannot be read is a ScenarioError naming the scenario file, then the field', () => {
    expect(() => resolveScenario({ name: 'r', source: { type: 'replay', trace: 'missing-trace.jsonl' } }, 'replay.yaml', 'hash')).toThrow(
      new ScenarioError('replay.yaml: source.trace: missing-trace.jsonl: cannot read the trace (no such file); relative paths resolve from the current directory'),
    );
  });

  it('a YAML tag the core schema does not know is a ScenarioError, not a process warning and a silently kept string', () => {
    expect(() => parseScenarioText('name: t\nsource: { type: synthetic, text: !prose chat }\n', 't.yaml')).toThrow(
      /^t\.yaml: not valid YAML: Unresolved tag: !prose at line 2, column 34/,
    );
  });
});

describe('the trace loader under fuzzing', () => {
  const sampleLines = readFileSync('traces/sample-synthetic.jsonl', 'utf8').split('\n');

  type LineChange =
    | { kind: 'drop' | 'duplicate'; at: number }
    | { kind: 'swap'; at: number; with: number }
    | { kind: 'edit'; at: number; mutations: Mutation[] }
    | { kind: 'garbage'; at: number; text: string };
  const lineChange: fc.Arbitrary<LineChange> = fc.oneof(
    fc.record({ kind: fc.constantFrom('drop' as const, 'duplicate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
    fc.record({ kind: fc.constant('edit' as const), at: fc.nat(), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('garbage' as const), at: fc.nat(), text: fc.oneof(yamlSoup, fc.string({ maxLength: 40 })) }),
  );

  function changeLines(lines: readonly string[], changes: readonly LineChange[]): string[] {
    const result = [...lines];
    for (const change of changes) {
      const at = change.at % result.length;
      switch (change.kind) {
        case 'drop':
          result.splice(at, 1);
          break;
        case 'duplicate':
          result.splice(at, 0, result[at]!);
          break;
        case 'swap': {
          const other = change.with % result.length;
          [result[at], result[other]] = [result[other]!, result[at]!];
          break;
        }
        case 'edit': {
          let value: unknown;
          try {
            value = JSON.parse(result[at]!);
          } catch {
            break;
          }
          result[at] = JSON.stringify(mutate(value, change.mutations)) ?? 'null';
          break;
        }
        case 'garbage':
          result.splice(at, 0, change.text);
          break;
      }
      if (result.length === 0) break;
    }
    return result;
  }

  it('the sample trace with lines dropped, duplicated, swapped, edited or garbled gives a trace or a TraceError naming the file', () => {
    const tally = newTally();
    fc.assert(
      fc.property(fc.array(lineChange, { minLength: 1, maxLength: 4 }), (changes) => {
        const text = changeLines(sampleLines, changes).join('\n');
        let trace;
        try {
          trace = parseTrace(text, 'fuzz.jsonl');
        } catch (error) {
          if (!(error instanceof TraceError)) throw error;
          if (!error.message.startsWith('fuzz.jsonl')) throw new Error(`TraceError not naming the file first: ${error.message}`);
          expect(error.message).not.toMatch(STACK_FRAME);
          tally.error++;
          return;
        }
        tally.scenario++;
        expect(trace.streams.length).toBeGreaterThan(0);
        for (const stream of trace.streams) {
          const offsets = stream.chunks.map((chunk) => chunk.offsetMs);
          expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(tally.scenario).toBeGreaterThan(0);
    expect(tally.error).toBeGreaterThan(0);
  });

  it('arbitrary text gives a trace or a TraceError naming the file', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          yamlSoup,
          fc.string({ maxLength: 300 }),
          fc.jsonValue().map((value) => JSON.stringify(value)),
        ),
        (text) => {
          try {
            parseTrace(text, 'text.jsonl');
          } catch (error) {
            if (!(error instanceof TraceError) || !error.message.startsWith('text.jsonl')) throw error;
          }
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('the CLI whole-number options (--iterations, --warmup, --seed) under fuzzing', () => {
  it('accept exactly the decimal digit strings of safe integers ≥ min, and name the value otherwise', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.stringMatching(/^\s?[+-]?\d{0,20}(\.\d{0,3})?(e\d)?\s?$/),
      fc.integer().map(String),
      fc.double().map(String),
      fc.constantFrom('', ' ', '0', '00', '007', '-0', '+1', '1e3', '0x10', '1_000', '١٢', 'Infinity', 'NaN', '9007199254740991', '9007199254740992'),
    );
    fc.assert(
      fc.property(value, fc.constantFrom(0, 1), (text, min) => {
        let parsed: number;
        try {
          parsed = wholeNumber(min)(text);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidArgumentError);
          expect((error as Error).message).toBe(`expected a whole number ≥ ${min}, got "${text}"`);
          const digits = text.trim();
          // Refused only when it is not all ASCII digits, not safe, or below min.
          expect(/^[0-9]+$/.test(digits) && Number.isSafeInteger(Number(digits)) && Number(digits) >= min).toBe(false);
          return;
        }
        expect(Number.isSafeInteger(parsed)).toBe(true);
        expect(parsed).toBeGreaterThanOrEqual(min);
        expect(/^[0-9]+$/.test(text.trim())).toBe(true);
        expect(parsed).toBe(Number(text.trim()));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('round-trips every safe integer ≥ min', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (number) => {
        expect(wholeNumber(1)(String(number))).toBe(number);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
