/**
 * `streambench merge` of target-mode shard runs: the `target` block is rebuilt from every
 * shard's streams (sums, merged histograms, the verdict decided again), the target counters
 * come back into the merged metrics, and what cannot be exact is said.
 */
import { describe, expect, it } from 'vitest';
import { resultDocumentSchema } from '../src/result/resultSchema.js';
import { runScenario } from '../src/run/runScenario.js';
import { mergeShardResults } from '../src/stats/mergeResults.js';
import { Distribution } from '../src/stats/distribution.js';
import { TargetMeasurements } from '../src/stats/targetMeasurements.js';
import type { TargetStreamSample } from '../src/stats/targetSample.js';
import { targetScenario } from './helpers/targetRun.js';
import { firstOf } from './helpers/indexed.js';

const OPENAI_BODY = { model: 'm', stream: true, messages: [{ role: 'user', content: '{{prompt}}' }] };
const scenario = () =>
  targetScenario([{ name: 'direct', target: { url: '{upstreamUrl}/v1/chat/completions', format: 'openai-sse', body: OPENAI_BODY } }], {
    seed: 5,
    streams: 4,
    source: { type: 'synthetic', profile: 'fast-hosted', tokens: 20, ttftMs: 5, gapMs: 3 },
  });

const sample = (overrides: Partial<TargetStreamSample> = {}): TargetStreamSample => ({
  matchedBy: 'marker',
  appUpstreamRequestMs: 2,
  ttftAddedMs: 1,
  lastTenthTextShare: 0.1,
  upstreamSpanMs: 100,
  upstreamChunks: 10,
  clientContentEvents: 5,
  contentBytes: 50,
  wireBytes: 500,
  integrity: { missingChars: 0, duplicatedChars: 0, reorderedEvents: 0, foreignChars: 0, exact: true },
  endMarkerSeen: true,
  ...overrides,
});

describe('merging target shard runs', () => {
  it('rebuilds the target block from both shards exactly, with the counters and a recomputed verdict', async () => {
    const shards = [await runScenario(scenario(), { shard: { index: 0, count: 2 } }), await runScenario(scenario(), { shard: { index: 1, count: 2 } })];
    for (const shard of shards) {
      const shardConfig = firstOf(shard.configs, 'shard.configs');
      expect(shardConfig.state).toBe('completed');
      expect(shardConfig.target?.snapshot?.streams).toHaveLength(2);
    }
    const merged = mergeShardResults(shards, ['a.json', 'b.json']);
    const config = firstOf(merged.configs, 'merged.configs');
    const target = config.target!;
    expect(target.integrity).toMatchObject({ streams: 4, exactStreams: 4, missingChars: 0 });
    expect(target.matching).toMatchObject({ byMarker: 4, byArrivalOrder: 0, unmatchedUpstreamRequests: 0 });
    expect(target.ttftAddedMs?.n).toBe(4);
    expect(target.appUpstreamRequestMs?.n).toBe(4);
    expect(target.verdict.evidence[0]).toMatch(/median of 4 streams/);
    expect(target.merged?.shards).toBe(2);
    // Each shard ran its own upstream: the merged block says whose it shows.
    expect(target.merged?.notes.join(' ')).toMatch(/upstreamUrl and app are the first shard's/);
    // Straight at the upstream: one chunk per event in every shard, so in the merge too.
    expect(config.metrics?.counters.upstreamChunksPerClientEvent).toBe(1);
    expect(config.metrics?.counters.missingCharsPerStream).toBe(0);
    expect(config.metrics?.tokenLatencyMs?.n).toBe(80);
    // Shards and the merge are valid result documents (what `merge` writes and `report` reads).
    for (const document of [...shards, merged]) expect(() => resultDocumentSchema.parse(JSON.parse(JSON.stringify(document)))).not.toThrow();
  }, 30000);

  it('adds Redis counts, sent and executed, and says when a shard did not count what was sent', () => {
    const shard = (sent: Record<string, number> | null, executed: Record<string, number>) => {
      const part = new TargetMeasurements();
      part.add(sample(), 10);
      part.add(sample({ lastTenthTextShare: 0.9, clientContentEvents: 1 }), 10);
      part.setRedis({ url: 'redis://127.0.0.1:1', executed, sent, ...(sent === null && { sentNote: 'not counted (redis.countSent: false)' }) }, null);
      return part.toSnapshot();
    };
    const whole = new TargetMeasurements();
    whole.mergeSnapshot(shard({ evalsha: 4, lrange: 1 }, { evalsha: 4, lrange: 1, rpush: 20, publish: 4 }));
    whole.mergeSnapshot(shard({ evalsha: 6 }, { evalsha: 6, rpush: 20, publish: 6 }));
    const added = new Distribution();
    added.record(1, 40);
    const result = whole.toResult({ url: 'u', format: 'f', upstreamUrl: 'x', app: null, thresholds: { delayThresholdMs: 3, bufferShare: 0.8 }, addedLatency: added });
    expect(result.redis?.commandsSentPerToken).toBe(11 / 40);
    expect(result.redis?.commandsSentByType).toEqual({ evalsha: 10 / 40, lrange: 1 / 40 });
    expect(result.redis?.commandsExecutedPerToken).toBe(61 / 40);
    expect(result.redis?.scriptCallsPerToken).toBe(10 / 40);
    expect(whole.counters()).toMatchObject({
      appRedisCommandsPerToken: 11 / 40,
      appRedisCommandsExecutedPerToken: 61 / 40,
      appRedis_evalshaPerToken: 10 / 40,
      upstreamChunksPerClientEvent: 40 / 12,
    });
    expect(result.integrity.streams).toBe(4);
    // Median of 0.1, 0.1, 0.9, 0.9.
    expect(result.lastTenthTextShare).toEqual({ median: 0.5, max: 0.9 });

    const partial = new TargetMeasurements();
    partial.mergeSnapshot(shard({ evalsha: 4 }, { evalsha: 4, rpush: 8 }));
    partial.mergeSnapshot(shard(null, { evalsha: 5, rpush: 9 }));
    const partialResult = partial.toResult({ url: 'u', format: 'f', upstreamUrl: 'x', app: null, thresholds: { delayThresholdMs: 3, bufferShare: 0.8 }, addedLatency: added });
    expect(partialResult.redis?.commandsSentPerToken).toBeNull();
    expect(partialResult.redis?.sentNote).toMatch(/countSent: false/);
    expect(partialResult.redis?.commandsExecutedPerToken).toBe(26 / 40);
    expect(partial.counters().appRedisCommandsPerToken).toBeUndefined();

    // No token measured (a run interrupted before its first stream ended): no per-token Redis figure, not "0 per token".
    const none = new TargetMeasurements();
    none.setRedis({ url: 'redis://127.0.0.1:1', executed: { evalsha: 3 }, sent: { evalsha: 3 } }, null);
    expect(none.toResult({ url: 'u', format: 'f', upstreamUrl: 'x', app: null, thresholds: { delayThresholdMs: 3, bufferShare: 0.8 }, addedLatency: added }).redis).toBeUndefined();
  });
});
