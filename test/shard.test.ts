import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResultDocument } from '../src/result/resultSchema.js';
import { runScenario } from '../src/run/runScenario.js';
import { mergeShardResults, MergeError } from '../src/stats/mergeResults.js';
import { runCliInProcess } from './helpers/cli.js';
import { scenarioFrom } from './helpers/scenario.js';
import { firstOf } from './helpers/indexed.js';

const scenario = () =>
  scenarioFrom({
    seed: 3,
    iterations: 9,
    warmup: 0,
    source: { type: 'synthetic', profile: 'zero-delay', tokens: 30 },
    pipeline: { preset: 'field-baseline', broker: { type: 'memory' }, client: { render: { strategy: 'every' } } },
    load: { concurrency: 3 },
  });

describe('--shard and merge', () => {
  it('three shards run disjoint thirds and merge into the counts of one whole run', async () => {
    const whole = await runScenario(scenario(), { shard: { index: 0, count: 1 } });
    const shards: ResultDocument[] = [];
    for (let index = 0; index < 3; index++) shards.push(await runScenario(scenario(), { shard: { index, count: 3 } }));
    expect(shards.map((shard) => firstOf(shard.configs, 'shard.configs').iterations.length)).toEqual([3, 3, 3]);

    const merged = mergeShardResults(shards, ['a', 'b', 'c']);
    const config = firstOf(merged.configs, 'merged.configs');
    const wholeConfig = firstOf(whole.configs, 'whole.configs');
    expect(config.state).toBe('completed');
    expect(config.iterations).toHaveLength(9);
    expect(merged.shards?.map((shard) => shard.shard)).toEqual(['1/3', '2/3', '3/3']);
    // Counters are exact and the streams are the same nine: they must match to the last digit.
    for (const name of ['tokensPerStream', 'eventsPerToken', 'bytesPerToken', 'jsonOpsPerToken', 'rendersPerStream']) {
      expect(config.metrics!.counters[name]).toBe(wholeConfig.metrics!.counters[name]);
    }
    expect(config.metrics!.tokenLatencyMs!.n).toBe(wholeConfig.metrics!.tokenLatencyMs!.n);
    expect(config.load).toMatchObject({ streamsStarted: 9, streamsFailed: 0 });
  });

  it('refuses documents that are not shards of one scenario', async () => {
    const plain = await runScenario(scenario());
    expect(() => mergeShardResults([plain], ['plain.json'])).toThrow(MergeError);
    const shard = await runScenario(scenario(), { shard: { index: 0, count: 2 } });
    expect(() => mergeShardResults([shard, shard], ['x.json', 'y.json'])).toThrow(/y\.json repeats shard 1\/2/);
    // One shard of two is part of the load: refused unless asked for.
    expect(() => mergeShardResults([shard], ['x.json'])).toThrow("shard 2/2 of the run is missing: give every shard's result (--allow-partial merges these alone)");
    expect(mergeShardResults([shard], ['x.json'], { allowMissing: true }).shards).toHaveLength(1);
  });

  it('CLI: --shard validates its value, and merge writes the combined file', async () => {
    const bad = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--shard', '4/3', '--no-save']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--shard <i\/n>.*expected i\/n with 1 ≤ i ≤ n/);
    const folder = mkdtempSync(join(tmpdir(), 'streambench-shard-'));
    for (const shard of ['1/2', '2/2']) {
      const result = await runCliInProcess(['run', 'test/fixtures/tiny.yaml', '--shard', shard, '--out', join(folder, `s${shard[0]}.json`), '-q']);
      expect(result.code).toBe(0);
    }
    const merged = await runCliInProcess(['merge', join(folder, 's1.json'), join(folder, 's2.json'), '--out', join(folder, 'merged.json'), '-q']);
    expect(merged.code).toBe(0);
    const document = JSON.parse(readFileSync(join(folder, 'merged.json'), 'utf8'));
    expect(document.configs[0].iterations).toHaveLength(2);
    const notShards = await runCliInProcess(['merge', join(folder, 'merged.json'), '--out', join(folder, 'again.json')]);
    expect(notShards.code).toBe(2);
    expect(notShards.stderr).toMatch(/is not a shard result/);
  });
});
