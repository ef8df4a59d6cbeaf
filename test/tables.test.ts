import { describe, expect, it } from 'vitest';
import { formatCount, formatMs, formatNumber, formatPercent, formatSigned } from '../src/report/format.js';
import { resultDocumentSchema } from '../src/result/resultSchema.js';
import { BREACH_MARK, renderComparisonTable, renderCountersTable, renderStageTable, renderSummaryTable } from '../src/report/tables.js';
import { compareResults } from '../src/stats/compareResults.js';
import { evaluateRules, parseRules } from '../src/stats/rules.js';
import { completedConfig, failedConfig, metricsOf, resultDocument, summaryOf } from './helpers/resultFixtures.js';
import { itemAt } from './helpers/indexed.js';

const ANSI_ESCAPE = /\u001b\[/;

/** The table line that mentions `text` (throws when there is none, so a missing row fails loudly). */
function lineWith(table: string, text: string): string {
  const line = table.split('\n').find((candidate) => candidate.includes(text));
  if (line === undefined) throw new Error(`no line contains ${JSON.stringify(text)} in:\n${table}`);
  return line;
}

/** The cells of one table line, trimmed. */
function cells(line: string): string[] {
  return line
    .split('│')
    .slice(1, -1)
    .map((cell) => cell.trim());
}

const LONG_MESSAGE = 'connect ECONNREFUSED 127.0.0.1:6379: is Redis running? Start one with docker run -p 6379:6379 redis:7 or pass --redis-url';

const doc = resultDocument([
  completedConfig(
    'list-pubsub',
    metricsOf({
      ttftMs: summaryOf(120.5),
      tokenLatencyMs: summaryOf(3.21),
      itlMs: summaryOf(20),
      e2eMs: summaryOf(2345.6),
      stalenessMs: summaryOf(16),
      stages: {
        brokerRead: { ttftMs: summaryOf(110), latencyMs: summaryOf(0.512) },
        emit: { ttftMs: summaryOf(100), latencyMs: null },
      },
      counters: {
        eventsPerToken: 1,
        bytesPerToken: 87.25,
        jsonOpsPerToken: 5,
        cpuUsPerToken: 12.345,
        rendersPerStream: 40,
        redisCommandsPerToken: 2,
      },
    }),
  ),
  completedConfig('streams', metricsOf({ ttftMs: summaryOf(90), counters: { eventsPerToken: 0.2 } })),
  failedConfig('redis-down', 'errored', LONG_MESSAGE),
  failedConfig('ws', 'skipped', 'ws transport not configured'),
]);

describe('format', () => {
  it('formats milliseconds to 3 significant digits without exponents', () => {
    expect(formatMs(1.2345)).toBe('1.23');
    expect(formatMs(0.0123)).toBe('0.0123');
    expect(formatMs(12.34)).toBe('12.3');
    expect(formatMs(50)).toBe('50.0');
    expect(formatMs(123.4)).toBe('123');
    expect(formatMs(999.6)).toBe('1000');
    expect(formatMs(1234.5)).toBe('1235');
    expect(formatMs(-1234.5)).toBe('-1235');
    expect(formatMs(0)).toBe('0');
    expect(formatMs(null)).toBe('—');
    expect(formatMs(undefined)).toBe('—');
    expect(formatNumber(Number.NaN)).toBe('—');
  });

  it('formats counts exactly when integral and without trailing zeros otherwise', () => {
    expect(formatCount(3)).toBe('3');
    expect(formatCount(120000)).toBe('120000');
    expect(formatCount(87.25)).toBe('87.3');
    expect(formatCount(0.2)).toBe('0.2');
    expect(formatCount(0.5006)).toBe('0.501');
    expect(formatCount(1.004)).toBe('1');
    expect(formatCount(undefined)).toBe('—');
  });

  it('formats signed changes and percentages', () => {
    expect(formatSigned(1.5)).toBe('+1.50');
    expect(formatSigned(-0.5)).toBe('-0.500');
    expect(formatSigned(0)).toBe('0');
    expect(formatSigned(2, formatCount)).toBe('+2');
    expect(formatSigned(null)).toBe('—');
    expect(formatPercent(0.1)).toBe('+10.0%');
    expect(formatPercent(-0.053)).toBe('-5.3%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(-0.0001)).toBe('0.0%');
    expect(formatPercent(null)).toBe('—');
  });
});

describe('renderSummaryTable', () => {
  it('uses a fixture that satisfies the result schema', () => {
    expect(resultDocumentSchema.safeParse(doc).success).toBe(true);
  });

  it('renders one plain-text row per config with units in the headers (--wide: every column)', () => {
    const table = renderSummaryTable(doc, { wide: true });
    expect(table).not.toMatch(ANSI_ESCAPE);
    const lines = table.split('\n');
    expect(cells(itemAt(lines, 1, 'table lines'))).toEqual([
      'config',
      'state',
      'TTFT',
      'token lat.',
      'token lat.',
      'ITL',
      'e2e',
      'staleness',
      'events',
      'bytes',
      'JSON ops',
      'CPU µs',
      'renders',
    ]);
    expect(cells(itemAt(lines, 2, 'table lines'))).toEqual([
      '',
      '',
      'p50 (ms)',
      'p50 (ms)',
      'p99 (ms)',
      'p50 (ms)',
      'p50 (ms)',
      'p99 (ms)',
      '/token',
      '/token',
      '/token',
      '/token',
      '/stream',
    ]);
    expect(cells(lineWith(table, 'list-pubsub'))).toEqual(['list-pubsub', 'completed', '121', '3.21', '9.63', '20.0', '2346', '48.0', '1', '87.3', '5', '12.3', '40']);
    // Missing summaries and counters read as a dash, never as 0.
    expect(cells(lineWith(table, 'streams'))).toEqual(['streams', 'completed', '90.0', '—', '—', '—', '—', '—', '0.2', '—', '—', '—', '—']);
  });

  it('shows the message of an errored or skipped config in place of numbers, wrapped', () => {
    const table = renderSummaryTable(doc, { wide: true });
    const lines = table.split('\n');
    const erroredAt = lines.indexOf(lineWith(table, 'redis-down'));
    // Wrapped at word boundaries inside one spanning cell rather than stretching the table.
    expect(cells(itemAt(lines, erroredAt, 'table lines'))).toEqual([
      'redis-down',
      'errored',
      'errored: connect ECONNREFUSED 127.0.0.1:6379: is Redis running? Start one with docker run -p',
    ]);
    expect(cells(itemAt(lines, erroredAt + 1, 'table lines'))).toEqual(['', '', '6379:6379 redis:7 or pass --redis-url']);
    expect(cells(lineWith(table, 'ws'))).toEqual(['ws', 'skipped', 'skipped: ws transport not configured']);
  });

  it('renders an exact table for a minimal document', () => {
    const minimal = resultDocument([completedConfig('a', metricsOf({ ttftMs: summaryOf(1) })), failedConfig('b', 'errored', 'boom')]);
    expect(renderSummaryTable(minimal, { wide: true })).toBe(
      [
        '┌────────┬───────────┬──────────┬────────────┬────────────┬──────────┬──────────┬───────────┬────────┬────────┬──────────┬────────┬─────────┐',
        '│ config │ state     │     TTFT │ token lat. │ token lat. │      ITL │      e2e │ staleness │ events │  bytes │ JSON ops │ CPU µs │ renders │',
        '│        │           │ p50 (ms) │   p50 (ms) │   p99 (ms) │ p50 (ms) │ p50 (ms) │  p99 (ms) │ /token │ /token │   /token │ /token │ /stream │',
        '├────────┼───────────┼──────────┼────────────┼────────────┼──────────┼──────────┼───────────┼────────┼────────┼──────────┼────────┼─────────┤',
        '│ a      │ completed │     1.00 │          — │          — │        — │        — │         — │      — │      — │        — │      — │       — │',
        '│ b      │ errored   │ errored: boom                                                                                                        │',
        '└────────┴───────────┴──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘',
      ].join('\n'),
    );
  });
});

describe('renderStageTable', () => {
  it('lists stages present, in pipeline order, with TTFT and stage latency', () => {
    const table = renderStageTable(doc);
    expect(table).not.toMatch(ANSI_ESCAPE);
    const lines = table.split('\n');
    expect(cells(itemAt(lines, 1, 'table lines'))).toEqual(['config', 'stage', 'TTFT', 'latency', 'latency']);
    expect(cells(itemAt(lines, 2, 'table lines'))).toEqual(['', '', 'p50 (ms)', 'p50 (ms)', 'p99 (ms)']);
    const stageRows = lines.filter((line) => line.includes('list-pubsub')).map(cells);
    expect(stageRows).toEqual([
      ['list-pubsub', 'emit', '100', '—', '—'],
      ['list-pubsub', 'brokerRead', '110', '0.512', '1.54'],
    ]);
    expect(cells(lineWith(table, 'streams'))).toEqual(['streams', 'no stages recorded']);
    expect(cells(lineWith(table, 'ws'))).toEqual(['ws', 'skipped: ws transport not configured']);
    // A long message is in the summary table: the stage table points there rather than repeat it.
    expect(cells(lineWith(table, 'redis-down'))).toEqual(['redis-down', 'errored (the summary table above says why)']);
  });
});

describe('renderCountersTable', () => {
  it('lists every counter (rows) per config (columns), including broker-specific ones', () => {
    const table = renderCountersTable(doc);
    expect(table).not.toMatch(ANSI_ESCAPE);
    const rows = table
      .split('\n')
      .filter((line) => line.startsWith('│'))
      .map(cells);
    expect(rows).toEqual([
      ['counter', 'list-pubsub', 'streams'],
      ['bytesPerToken', '87.3', '—'],
      ['cpuUsPerToken', '12.3', '—'],
      ['eventsPerToken', '1', '0.2'],
      ['jsonOpsPerToken', '5', '—'],
      ['redisCommandsPerToken', '2', '—'],
      ['rendersPerStream', '40', '—'],
    ]);
  });

  it('says so when no config has counters', () => {
    expect(renderCountersTable(resultDocument([failedConfig('x', 'errored', 'boom')]))).toBe('no counters recorded');
  });
});

describe('renderComparisonTable', () => {
  const base = resultDocument([
    completedConfig('list', metricsOf({ ttftMs: summaryOf(100), counters: { jsonOpsPerToken: 5, bytesPerToken: 0 } })),
    completedConfig('streams', metricsOf({ ttftMs: summaryOf(80) })),
    failedConfig('ws', 'skipped', 'not configured'),
    completedConfig('gone', metricsOf({})),
  ]);
  const head = resultDocument([
    completedConfig('list', metricsOf({ ttftMs: summaryOf(150), counters: { jsonOpsPerToken: 6, bytesPerToken: 4 } })),
    completedConfig('streams', metricsOf({ ttftMs: summaryOf(80) })),
    failedConfig('ws', 'errored', 'ECONNRESET'),
    completedConfig('new', metricsOf({})),
  ]);
  const comparison = compareResults(base, head);
  const { breaches } = evaluateRules(parseRules('ttftMs.p50>+10%,counters.jsonOpsPerToken>0,ttftMs.max>0'), base, head);

  it('shows base, head, Δ and Δ% per config and metric, marking breached rows only', () => {
    const table = renderComparisonTable(comparison, breaches);
    expect(table).not.toMatch(ANSI_ESCAPE);
    const rows = table
      .split('\n')
      .filter((line) => line.startsWith('│'))
      .map(cells);
    expect(rows).toEqual([
      ['config', 'metric', 'base', 'head', 'Δ', 'Δ%', 'breach'],
      ['list', 'ttftMs.mean', '110', '165', '+55.0', '+50.0%', ''],
      ['list', 'ttftMs.p50', '100', '150', '+50.0', '+50.0%', `${BREACH_MARK} ttftMs.p50>+10%`],
      ['list', 'ttftMs.p90', '200', '300', '+100', '+50.0%', ''],
      ['list', 'ttftMs.p99', '300', '450', '+150', '+50.0%', ''],
      ['list', 'counters.bytesPerToken', '0', '4', '+4', '—', ''],
      ['list', 'counters.jsonOpsPerToken', '5', '6', '+1', '+20.0%', `${BREACH_MARK} counters.jsonOpsPerToken>0`],
      // A breach on a statistic the table does not list gets its own row after its config.
      ['list', 'ttftMs.max', '400', '600', '+200', '+50.0%', `${BREACH_MARK} ttftMs.max>0`],
      ['streams', 'ttftMs.mean', '88.0', '88.0', '0', '0.0%', ''],
      ['streams', 'ttftMs.p50', '80.0', '80.0', '0', '0.0%', ''],
      ['streams', 'ttftMs.p90', '160', '160', '0', '0.0%', ''],
      ['streams', 'ttftMs.p99', '240', '240', '0', '0.0%', ''],
    ]);
  });

  it('lists configs that could not be compared below the table', () => {
    const lines = renderComparisonTable(comparison, breaches).split('\n');
    expect(lines.slice(-3)).toEqual(['only in base: gone', 'only in head: new', 'not compared: ws: base skipped (not configured), head errored (ECONNRESET)']);
  });

  it('says so when nothing could be compared', () => {
    const empty = compareResults(resultDocument([]), resultDocument([completedConfig('x', metricsOf({}))]));
    expect(renderComparisonTable(empty, [])).toBe('no metrics in common\nonly in head: x');
  });
});

describe('tables of target configs and long words', () => {
  it("leaves out of a target run's summary the columns of the tool's simulated relay (JSON calls, its CPU) and renders without a browser", () => {
    const targetConfig = { ...completedConfig('app', metricsOf()), settings: { target: { format: 'openai-sse' }, client: { type: 'node' } } };
    const head = renderSummaryTable(resultDocument([targetConfig]), { width: 120 })
      .split('\n')
      .slice(0, 3)
      .join('\n');
    expect(head).toContain('TTFT');
    expect(head).not.toMatch(/JSON ops|CPU µs|renders/);
    // A simulated pipeline's run keeps them.
    expect(renderSummaryTable(resultDocument([completedConfig('relay', metricsOf())]), { width: 120, wide: true })).toMatch(/JSON ops[\s\S]*CPU µs[\s\S]*renders/);
  });

  it('cuts a word longer than the width (escaped JSON, a URL), so a message never widens a table past it', () => {
    const longWord = `"${'x'.repeat(150)}"`;
    const table = renderSummaryTable(resultDocument([failedConfig('app', 'errored', `the first bytes received: ${longWord}`)]), { width: 120 });
    for (const line of table.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
    expect(table.replace(/[│\s]/g, '')).toContain(longWord);
  });
});

describe('a config that ended early with streams measured', () => {
  it('shows their figures with its state in view, and says under the table that they are partial and why', () => {
    const cut = { ...completedConfig('cut', metricsOf({ ttftMs: summaryOf(392) })), state: 'interrupted' as const, message: 'interrupted after 2 measured streams' };
    const text = renderSummaryTable(resultDocument([cut]), { width: 80 });
    expect(cells(lineWith(text, 'cut')).slice(0, 3)).toEqual(['cut', 'interrupted', '392']);
    expect(text.replace(/\n/g, ' ')).toContain('cut: interrupted: interrupted after 2 measured streams — its figures are those of the streams measured before it ended');
  });
});

describe('the counters table', () => {
  it('goes on in another table when the configs do not fit the width beside each other', () => {
    const counters = { eventsPerToken: 1.01, bytesPerToken: 320, jsonOpsPerToken: 11.1 };
    const doc = resultDocument(['field-baseline', 'seed-proposed', 'seed-corrected'].map((name) => completedConfig(name, metricsOf({ counters }))));
    const narrow = renderCountersTable(doc, { width: 60 });
    for (const line of narrow.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    expect(narrow.split('\n').filter((line) => line.startsWith('│ counter')).length).toBeGreaterThan(1);
    for (const name of ['field-baseline', 'seed-proposed', 'seed-corrected']) expect(narrow).toContain(name);
    expect(
      renderCountersTable(doc, { width: 120 })
        .split('\n')
        .filter((line) => line.startsWith('│ counter')),
    ).toHaveLength(1);
  });
});
