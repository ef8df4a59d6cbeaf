import { describe, expect, it } from 'vitest';
import { describeNumberRanges } from '../src/stats/numberRanges.js';
import { stallWarnings } from '../src/run/stallWarning.js';
import { collectWarnings } from '../src/stats/runWarnings.js';
import { renderWarningBlock } from '../src/report/warningBlock.js';
import { completedConfig, metricsOf, resultDocument } from './helpers/resultFixtures.js';

describe('the tool-stall warning', () => {
  // 7001 streams; every 8th from stream 11 on disturbed (875 of them), stream 29 the worst.
  const iterations = Array.from({ length: 7001 }, (_, index) => {
    const stream = index + 1;
    if (stream === 29) return { toolStallMs: 67 };
    return { toolStallMs: stream >= 11 && (stream - 11) % 8 === 0 ? 25 : 1 };
  });
  const disturbed = iterations.filter((sample) => sample.toolStallMs >= 20).length;

  it('counts the disturbed streams and names the worst and a few, not every one', () => {
    const [warning, ...rest] = stallWarnings(iterations);
    expect(rest).toEqual([]);
    expect(warning).toBe(
      `the tool's event loop stalled for up to 67 ms during ${disturbed} of 7001 measured streams (11, 19, 27, 29 and ${disturbed - 4} more), the longest in stream 29: their timings may be late by that much; compare treats them as disturbed (every stream's stall: iterations[].toolStallMs)`,
    );
  });

  it('names a single disturbed stream, and nothing when none was', () => {
    expect(stallWarnings([{ toolStallMs: 3 }, { toolStallMs: 40 }, {}])).toEqual([
      "the tool's event loop stalled for up to 40 ms during measured stream 2: their timings may be late by that much; compare treats them as disturbed (every stream's stall: iterations[].toolStallMs)",
    ]);
    expect(stallWarnings([{ toolStallMs: 19.9 }, {}])).toEqual([]);
  });

  it('names streams by their start-order number where the iterations (in the order streams ended) carry it', () => {
    expect(
      stallWarnings([
        { stream: 3, toolStallMs: 25 },
        { stream: 1, toolStallMs: 1 },
        { stream: 2, toolStallMs: 40 },
      ]),
    ).toEqual([
      "the tool's event loop stalled for up to 40 ms during 2 of 3 measured streams (2–3), the longest in stream 2: their timings may be late by that much; compare treats them as disturbed (every stream's stall: iterations[].toolStallMs)",
    ]);
  });

  it('stays one short line in the grouped block, ranked by its worst stall', () => {
    const doc = resultDocument([{ ...completedConfig('big', metricsOf()), warnings: stallWarnings(iterations) }]);
    const block = renderWarningBlock(collectWarnings(doc), { width: 120 });
    const stallLines = block.split('\n').filter((line) => line.includes('tool stall') || line.startsWith('    '));
    expect(stallLines.join('\n').length).toBeLessThan(240);
    expect(collectWarnings(doc).find((warning) => warning.kind === 'tool stall')?.severity).toBe(67);
  });
});

describe('number ranges', () => {
  it('joins consecutive numbers into ranges and counts the ones left out', () => {
    expect(describeNumberRanges([3, 1, 2, 7, 9, 10], 4)).toBe('1–3, 7, 9–10');
    expect(describeNumberRanges([1, 2, 3, 5, 7, 8, 9, 12, 20, 21], 3)).toBe('1–3, 5, 7–9 and 3 more');
    expect(describeNumberRanges([4], 1)).toBe('4');
  });
});

describe('the grouped warning block', () => {
  it('cuts a warning from an older result file that lists thousands of streams', () => {
    const streams = Array.from({ length: 3000 }, (_, index) => index + 11).join(', ');
    const message = `the tool's event loop stalled for up to 67 ms during measured streams ${streams} (of 7001, the longest in stream 29): their timings may be late by that much`;
    const doc = resultDocument([{ ...completedConfig('old', metricsOf()), warnings: [message] }]);
    const block = renderWarningBlock(collectWarnings(doc), { width: 120 });
    const line = block.split('\n  ! ').find((entry) => entry.startsWith('tool stall')) ?? '';
    expect(line.length).toBeLessThan(200);
    expect(line).toMatch(/^tool stall: old the tool's event loop stalled for up to 67 ms during measured streams 11, 12, .* …$/s);
    expect(renderWarningBlock(collectWarnings(doc), { width: 120, verbose: true })).toContain(', 3010 (of 7001');
  });
});

describe('the end-marker warning of a target', () => {
  const withIntegrity = (donePath: string | undefined, streams: number, withoutEndMarker: number) =>
    ({
      ...completedConfig('app', metricsOf()),
      settings: { target: { format: 'sse', ...(donePath !== undefined && { donePath }) } },
      target: { integrity: { streams, streamsWithoutEndMarker: withoutEndMarker } },
    }) as unknown as Parameters<typeof resultDocument>[0][number];
  const endWarnings = (config: ReturnType<typeof withIntegrity>) => collectWarnings(resultDocument([config])).filter((warning) => warning.kind === 'end marker never seen');

  it('names a done path that no stream had (misspelt: every stream ended on the close alone)', () => {
    expect(endWarnings(withIntegrity('stat', 2, 2)).map((warning) => warning.message)).toEqual([
      "done path `stat` (--done-path, target.donePath) was in none of the 2 streams' events: each ended when the app closed the connection; check the path against the app's last event",
    ]);
  });

  it('says nothing when some stream had it, or when no done path was given', () => {
    expect(endWarnings(withIntegrity('status', 2, 1))).toEqual([]);
    expect(endWarnings(withIntegrity(undefined, 2, 2))).toEqual([]);
  });
});
