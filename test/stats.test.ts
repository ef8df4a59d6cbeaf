import { describe, expect, it } from 'vitest';
import { resultDocumentSchema } from '../src/result/resultSchema.js';
import { compareResults } from '../src/stats/compareResults.js';
import { Distribution, summarize } from '../src/stats/distribution.js';
import { flattenMetrics, getMetricValue, orderedStageNames } from '../src/stats/metricPaths.js';
import { evaluateRules, isBreached, parseRules, RuleSyntaxError, type Rule } from '../src/stats/rules.js';
import { completedConfig, failedConfig, metricsOf, resultDocument, summaryOf } from './helpers/resultFixtures.js';
import { firstOf } from './helpers/indexed.js';

const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

/** HdrHistogram with 3 significant digits: a percentile is within 0.1 % of the true value. */
function expectWithinHdrPrecision(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 1e-3);
}

describe('Distribution', () => {
  it('summarizes 1..100 ms: exact n/min/max/mean/stddev, percentiles to 3 significant digits', () => {
    const summary = summarize(oneToHundred)!;
    expect(summary.n).toBe(100);
    expect(summary.min).toBe(1);
    expect(summary.max).toBe(100);
    expect(summary.mean).toBe(50.5);
    // Population stddev of 1..N is sqrt((N² − 1) / 12).
    expect(summary.stddev).toBeCloseTo(Math.sqrt((100 * 100 - 1) / 12), 12);
    expectWithinHdrPrecision(summary.p50, 50);
    expectWithinHdrPrecision(summary.p90, 90);
    expectWithinHdrPrecision(summary.p99, 99);
    // HdrHistogram reports the top of the bucket holding the value (µs buckets of 32 / 64 here).
    expect(summary.p50).toBeCloseTo(50.015, 9);
    expect(summary.p90).toBeCloseTo(90.047, 9);
    expect(summary.p99).toBeCloseTo(99.007, 9);
  });

  it('returns null for an empty distribution and refuses percentiles of nothing', () => {
    expect(summarize([])).toBeNull();
    const empty = new Distribution();
    expect(empty.count).toBe(0);
    expect(empty.summary()).toBeNull();
    expect(() => empty.percentile(50)).toThrow(/empty/);
  });

  it('clamps percentiles to the exact min and max', () => {
    const single = summarize([5.5])!;
    expect(single).toEqual({ n: 1, min: 5.5, mean: 5.5, p50: 5.5, p90: 5.5, p99: 5.5, max: 5.5, stddev: 0 });
    const distribution = new Distribution();
    for (const value of oneToHundred) distribution.record(value);
    expect(distribution.percentile(0)).toBe(1);
    expect(distribution.percentile(100)).toBe(100);
    expect(() => distribution.percentile(101)).toThrow(RangeError);
    expect(() => distribution.percentile(-1)).toThrow(RangeError);
  });

  it('treats count as a weight: record(v, 3) equals recording v three times', () => {
    const weighted = new Distribution();
    weighted.record(10, 3);
    weighted.record(20);
    expect(weighted.count).toBe(4);
    expect(weighted.summary()).toEqual(summarize([10, 10, 10, 20]));
    const summary = weighted.summary()!;
    expect(summary.mean).toBe(12.5);
    expect(summary.stddev).toBeCloseTo(Math.sqrt(75 / 4), 12);
    expect(summary.p50).toBeCloseTo(10.007, 9);
    expect(summary.p90).toBe(20);
  });

  it('ignores a zero count and rejects fractional or negative counts and non-finite values', () => {
    const distribution = new Distribution();
    distribution.record(7, 0);
    expect(distribution.count).toBe(0);
    expect(() => distribution.record(7, 1.5)).toThrow(/count must be a non-negative integer/);
    expect(() => distribution.record(7, -1)).toThrow(RangeError);
    expect(() => distribution.record(Number.NaN)).toThrow(/finite/);
    expect(() => distribution.record(Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });

  it('clamps negative values to 0', () => {
    expect(summarize([-3, 4])).toMatchObject({ n: 2, min: 0, mean: 2, max: 4 });
  });

  it('merges exactly: two halves merged equal everything recorded in one', () => {
    const values = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 1000) / 7 + (i % 3) * 250);
    const all = new Distribution();
    const left = new Distribution();
    const right = new Distribution();
    values.forEach((value, index) => {
      all.record(value);
      (index % 2 === 0 ? left : right).record(value);
    });
    left.merge(right);
    const merged = left.summary()!;
    const expected = all.summary()!;
    expect(merged.n).toBe(expected.n);
    expect(merged.min).toBe(expected.min);
    expect(merged.max).toBe(expected.max);
    expect(merged.p50).toBe(expected.p50);
    expect(merged.p90).toBe(expected.p90);
    expect(merged.p99).toBe(expected.p99);
    expect(merged.mean).toBeCloseTo(expected.mean, 9);
    expect(merged.stddev).toBeCloseTo(expected.stddev, 9);
    for (const p of [1, 25, 75, 99.9]) expect(left.percentile(p)).toBe(all.percentile(p));
  });

  it('merges a distribution of much larger values (the histogram resizes) and into an empty one', () => {
    const small = new Distribution();
    small.record(0.5);
    const large = new Distribution();
    large.record(3_600_000); // one hour
    small.merge(large);
    expect(small.summary()).toMatchObject({ n: 2, min: 0.5, max: 3_600_000 });
    const empty = new Distribution();
    empty.merge(small);
    expect(empty.summary()).toEqual(small.summary());
    small.merge(new Distribution());
    expect(small.count).toBe(2);
  });

  it('merging a distribution into itself doubles every count', () => {
    const distribution = new Distribution();
    distribution.record(1);
    distribution.record(3);
    distribution.merge(distribution);
    expect(distribution.summary()).toEqual(summarize([1, 1, 3, 3]));
  });

  it('round-trips through toEncoded / fromEncoded, and the decoded copy can still merge and grow', () => {
    const original = new Distribution();
    for (const value of oneToHundred) original.record(value * 1.5, 2);
    const decoded = Distribution.fromEncoded(original.toEncoded());
    expect(decoded.summary()).toEqual(original.summary());
    decoded.record(10_000_000);
    expect(decoded.summary()!.max).toBe(10_000_000);
    decoded.merge(original);
    expect(decoded.count).toBe(401);
    expect(Distribution.fromEncoded(new Distribution().toEncoded()).summary()).toBeNull();
    expect(() => Distribution.fromEncoded('not json')).toThrow(/not an encoded distribution/);
    expect(() => Distribution.fromEncoded('{"format":"other"}')).toThrow(/not an encoded distribution/);
  });
});

const fullMetrics = metricsOf({
  ttftMs: summaryOf(100),
  tokenLatencyMs: null,
  // Deliberately out of pipeline order: paths must follow STAGES order.
  stages: {
    brokerRead: { ttftMs: summaryOf(90), latencyMs: summaryOf(2) },
    emit: { ttftMs: summaryOf(50), latencyMs: null },
  },
  counters: { jsonOpsPerToken: 3, bytesPerToken: 80 },
  eventLoopDelayMs: summaryOf(1),
});

describe('metric paths', () => {
  it('flattens non-null summaries with the default statistics, stages in pipeline order, counters by name', () => {
    const flat = flattenMetrics(fullMetrics);
    expect([...flat.keys()]).toEqual([
      'ttftMs.mean',
      'ttftMs.p50',
      'ttftMs.p90',
      'ttftMs.p99',
      'stages.emit.ttftMs.mean',
      'stages.emit.ttftMs.p50',
      'stages.emit.ttftMs.p90',
      'stages.emit.ttftMs.p99',
      'stages.brokerRead.ttftMs.mean',
      'stages.brokerRead.ttftMs.p50',
      'stages.brokerRead.ttftMs.p90',
      'stages.brokerRead.ttftMs.p99',
      'stages.brokerRead.latencyMs.mean',
      'stages.brokerRead.latencyMs.p50',
      'stages.brokerRead.latencyMs.p90',
      'stages.brokerRead.latencyMs.p99',
      'counters.bytesPerToken',
      'counters.jsonOpsPerToken',
      'eventLoopDelayMs.mean',
      'eventLoopDelayMs.p50',
      'eventLoopDelayMs.p90',
      'eventLoopDelayMs.p99',
    ]);
    expect(flat.get('ttftMs.p50')).toBe(100);
    expect(flat.get('stages.brokerRead.latencyMs.p99')).toBe(6);
    expect(flat.get('counters.jsonOpsPerToken')).toBe(3);
    expect(flat.get('eventLoopDelayMs.p99')).toBe(3);
  });

  it('flattens with chosen statistics', () => {
    const flat = flattenMetrics(metricsOf({ e2eMs: summaryOf(10) }), ['n', 'max']);
    expect([...flat.entries()]).toEqual([
      ['e2eMs.n', 10],
      ['e2eMs.max', 40],
    ]);
  });

  it('orders known stages by STAGES and appends unknown ones', () => {
    const metrics = metricsOf({
      stages: {
        custom: { ttftMs: null, latencyMs: null },
        render: { ttftMs: null, latencyMs: null },
        emit: { ttftMs: null, latencyMs: null },
      },
    });
    expect(orderedStageNames(metrics)).toEqual(['emit', 'render', 'custom']);
  });

  it('gets any statistic by path and undefined for paths that name nothing', () => {
    expect(getMetricValue(fullMetrics, 'ttftMs.p50')).toBe(100);
    expect(getMetricValue(fullMetrics, 'ttftMs.max')).toBe(400); // not a default statistic
    expect(getMetricValue(fullMetrics, 'stages.brokerRead.latencyMs.p99')).toBe(6);
    expect(getMetricValue(fullMetrics, 'stages.emit.ttftMs.n')).toBe(10);
    expect(getMetricValue(fullMetrics, 'counters.jsonOpsPerToken')).toBe(3);
    expect(getMetricValue(fullMetrics, 'eventLoopDelayMs.p99')).toBe(3);
    for (const path of [
      'tokenLatencyMs.p50', // null summary
      'ttftMs.p95', // unknown statistic
      'ttftMs',
      'ttftMs.p50.extra',
      'stages.emit.latencyMs.p50', // null stage summary
      'stages.render.latencyMs.p50', // stage not present
      'stages.brokerRead.other.p50',
      'stages.brokerRead.latencyMs',
      'counters.redisCommandsPerToken',
      'counters.toString', // inherited property, not a counter
      'counters',
      'stages',
      'settings.batchSize',
      '',
    ]) {
      expect(getMetricValue(fullMetrics, path), path).toBeUndefined();
    }
  });
});

describe('parseRules', () => {
  it('parses relative and absolute thresholds, both operators, several rules and spaces', () => {
    expect(parseRules('ttftMs.p50>+10%, counters.jsonOpsPerToken>0 ,itlMs.p99 < -5%,e2eMs.mean>2.5,x.y<-1,a.b>.5')).toEqual([
      { text: 'ttftMs.p50>+10%', metric: 'ttftMs.p50', op: '>', threshold: 10, relative: true },
      { text: 'counters.jsonOpsPerToken>0', metric: 'counters.jsonOpsPerToken', op: '>', threshold: 0, relative: false },
      { text: 'itlMs.p99 < -5%', metric: 'itlMs.p99', op: '<', threshold: -5, relative: true },
      { text: 'e2eMs.mean>2.5', metric: 'e2eMs.mean', op: '>', threshold: 2.5, relative: false },
      { text: 'x.y<-1', metric: 'x.y', op: '<', threshold: -1, relative: false },
      { text: 'a.b>.5', metric: 'a.b', op: '>', threshold: 0.5, relative: false },
    ]);
    expect(parseRules('stages.brokerRead.latencyMs.p99>5')[0]).toEqual({
      text: 'stages.brokerRead.latencyMs.p99>5',
      metric: 'stages.brokerRead.latencyMs.p99',
      op: '>',
      threshold: 5,
      relative: false,
    });
  });

  it.each([
    ['ttftMs.p50', /Invalid rule "ttftMs\.p50": no comparison operator/],
    ['ttftMs.p50>=10', /Invalid rule "ttftMs\.p50>=10": "=10" is not a threshold/],
    ['ttftMs.p50>ten', /"ten" is not a threshold/],
    ['ttftMs.p50>10%%', /"10%%" is not a threshold/],
    ['ttftMs.p50>', /"" is not a threshold/],
    ['>10', /"" is not a metric path/],
    ['ttftMs>10', /"ttftMs" is not a metric path/],
    ['ttft Ms.p50>10', /"ttft Ms\.p50" is not a metric path/],
    ['', /No rules given/],
    ['  ,  ', /No rules given/],
    ['ttftMs.p50>1,,e2eMs.p50>1', /Empty rule at position 2/],
  ])('rejects %j with a message naming it and showing the format', (text, message) => {
    let error: unknown;
    try {
      parseRules(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RuleSyntaxError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('<metricPath><op><threshold>');
    expect((error as Error).message).toContain('ttftMs.p50>+10%');
    expect((error as Error).message).toContain('counters.jsonOpsPerToken>0');
  });
});

describe('isBreached', () => {
  const rule = (text: string): Rule => firstOf(parseRules(text), `rules parsed from ${text}`);

  it('relative >: breached only when the increase exceeds the percentage of base', () => {
    expect(isBreached(rule('m.p50>+10%'), 100, 110)).toBe(false);
    expect(isBreached(rule('m.p50>+10%'), 100, 110.01)).toBe(true);
    expect(isBreached(rule('m.p50>+10%'), 100, 50)).toBe(false);
    // 0.3 → 0.33 is exactly +10 %; naive floating point says 0.33 > 0.32999999999999996.
    expect(isBreached(rule('m.p50>+10%'), 0.3, 0.33)).toBe(false);
    // A negative threshold demands an improvement: staying equal breaches `>-5%`.
    expect(isBreached(rule('m.p50>-5%'), 100, 100)).toBe(true);
    expect(isBreached(rule('m.p50>-5%'), 100, 95)).toBe(false);
  });

  it('relative <: breached when the change falls below the percentage (lower is worse)', () => {
    expect(isBreached(rule('m.p50<-5%'), 200, 190)).toBe(false);
    expect(isBreached(rule('m.p50<-5%'), 200, 189.9)).toBe(true);
    expect(isBreached(rule('m.p50<-5%'), 200, 400)).toBe(false);
  });

  it('absolute thresholds, both operators', () => {
    expect(isBreached(rule('c.x>0'), 3, 3)).toBe(false);
    expect(isBreached(rule('c.x>0'), 3, 3.001)).toBe(true);
    expect(isBreached(rule('c.x>5'), 10, 15)).toBe(false);
    expect(isBreached(rule('c.x>5'), 10, 15.5)).toBe(true);
    expect(isBreached(rule('c.x<-1'), 10, 9)).toBe(false);
    expect(isBreached(rule('c.x<-1'), 10, 8.5)).toBe(true);
    expect(isBreached(rule('c.x<0'), 10, 10)).toBe(false);
    expect(isBreached(rule('c.x<0'), 10, 9.99)).toBe(true);
  });

  it('a relative rule on a base of 0 has a limit of 0, whatever the percentage', () => {
    expect(isBreached(rule('m.p50>+10%'), 0, 0)).toBe(false);
    expect(isBreached(rule('m.p50>+10%'), 0, 0.001)).toBe(true);
    expect(isBreached(rule('m.p50>+1000%'), 0, 0.001)).toBe(true);
    expect(isBreached(rule('m.p50>-5%'), 0, 0)).toBe(false);
    expect(isBreached(rule('m.p50<-5%'), 0, 0)).toBe(false);
    expect(isBreached(rule('m.p50<-5%'), 0, -1)).toBe(true);
    expect(isBreached(rule('m.p50<-5%'), 0, 1)).toBe(false);
  });
});

describe('evaluateRules and compareResults', () => {
  const base = resultDocument([
    completedConfig('list', metricsOf({ ttftMs: summaryOf(100), counters: { jsonOpsPerToken: 3, bytesPerToken: 0 } })),
    completedConfig('streams', metricsOf({ ttftMs: summaryOf(100), counters: { jsonOpsPerToken: 3 } })),
    completedConfig('broken-later', metricsOf({ ttftMs: summaryOf(100) })),
    completedConfig('gone', metricsOf({ ttftMs: summaryOf(100) })),
  ]);
  const head = resultDocument([
    completedConfig(
      'list',
      metricsOf({
        ttftMs: summaryOf(120),
        counters: { jsonOpsPerToken: 3, bytesPerToken: 5 },
        stages: { render: { ttftMs: summaryOf(130), latencyMs: summaryOf(4) } },
      }),
    ),
    completedConfig('streams', metricsOf({ ttftMs: summaryOf(105), counters: { jsonOpsPerToken: 4 } })),
    failedConfig('broken-later', 'errored', 'ECONNREFUSED 127.0.0.1:6379'),
    completedConfig('new', metricsOf({ ttftMs: summaryOf(1) })),
  ]);

  it('uses fixtures that satisfy the result schema', () => {
    expect(resultDocumentSchema.safeParse(base).success).toBe(true);
    expect(resultDocumentSchema.safeParse(head).success).toBe(true);
  });

  it('reports breaches per config, unknown metrics, and rules that could not be checked', () => {
    const rules = parseRules('ttftMs.p50>+10%,counters.jsonOpsPerToken>0,ttftMs.p95>0,stages.render.latencyMs.p99>0,ttftMs.p95<0');
    const result = evaluateRules(rules, base, head);
    expect(result.breaches).toEqual([
      {
        config: 'list',
        rule: 'ttftMs.p50>+10%',
        metric: 'ttftMs.p50',
        base: 100,
        head: 120,
        change: 20,
        relativeChange: 0.2,
      },
      {
        config: 'streams',
        rule: 'counters.jsonOpsPerToken>0',
        metric: 'counters.jsonOpsPerToken',
        base: 3,
        head: 4,
        change: 1,
        relativeChange: 1 / 3,
      },
    ]);
    expect(result.unknownMetrics).toEqual(['ttftMs.p95']);
    expect(result.unchecked).toEqual([{ config: 'list', rule: 'stages.render.latencyMs.p99>0', metric: 'stages.render.latencyMs.p99', missingIn: 'base' }]);
  });

  it('reports a breach from a base of 0 with relativeChange null', () => {
    const result = evaluateRules(parseRules('counters.bytesPerToken>+50%'), base, head);
    expect(result.breaches).toEqual([
      {
        config: 'list',
        rule: 'counters.bytesPerToken>+50%',
        metric: 'counters.bytesPerToken',
        base: 0,
        head: 5,
        change: 5,
        relativeChange: null,
      },
    ]);
  });

  it('finds no breach when head equals base', () => {
    const result = evaluateRules(parseRules('ttftMs.p50>0,counters.jsonOpsPerToken<0'), base, base);
    // ttftMs.p50 on the 4 configs, jsonOpsPerToken on the 2 that count it (missing on both sides elsewhere: not a check).
    expect(result).toEqual({ breaches: [], unknownMetrics: [], unchecked: [], checked: 6 });
  });

  it('compares configs matched by name, metric by metric', () => {
    const comparison = compareResults(base, head);
    expect(comparison.onlyInBase).toEqual(['gone']);
    expect(comparison.onlyInHead).toEqual(['new']);
    expect(comparison.notCompared).toEqual([{ config: 'broken-later', baseState: 'completed', headState: 'errored', headMessage: 'ECONNREFUSED 127.0.0.1:6379' }]);
    expect(comparison.rows.map((row) => `${row.config} ${row.metric}`)).toEqual([
      'list ttftMs.mean',
      'list ttftMs.p50',
      'list ttftMs.p90',
      'list ttftMs.p99',
      'list counters.bytesPerToken',
      'list counters.jsonOpsPerToken',
      'streams ttftMs.mean',
      'streams ttftMs.p50',
      'streams ttftMs.p90',
      'streams ttftMs.p99',
      'streams counters.jsonOpsPerToken',
    ]);
    expect(comparison.rows[1]).toEqual({
      config: 'list',
      metric: 'ttftMs.p50',
      base: 100,
      head: 120,
      absoluteChange: 20,
      relativeChange: 0.2,
    });
    expect(comparison.rows[4]).toEqual({
      config: 'list',
      metric: 'counters.bytesPerToken',
      base: 0,
      head: 5,
      absoluteChange: 5,
      relativeChange: null,
    });
    expect(comparison.rows[10]).toMatchObject({ absoluteChange: 1, relativeChange: 1 / 3 });
  });

  it('compares with chosen statistics', () => {
    const comparison = compareResults(base, head, ['max']);
    expect(comparison.rows.filter((row) => row.config === 'streams').map((row) => row.metric)).toEqual(['ttftMs.max', 'counters.jsonOpsPerToken']);
  });
});
