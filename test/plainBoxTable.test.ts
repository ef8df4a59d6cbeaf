import { createRequire } from 'node:module';
import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { BoxTable } from '../src/report/boxTable.js';
import { drawPlainBoxTable, isNarrowCharacter } from '../src/report/plainBoxTable.js';
import { createRandom } from '../src/sources/random.js';

/** cli-table3's own measure (its string-width), resolved from cli-table3 as it resolves it. */
const stringWidth = createRequire(createRequire(import.meta.url).resolve('cli-table3'))('string-width') as (text: string) => number;

/** What cli-table3 draws for the same table. */
function cliTable3(head: string[], aligns: ('left' | 'right')[], rows: string[][]): string {
  const table = new Table({ head, colAligns: aligns, style: { head: [], border: [], compact: true } });
  table.push(...rows);
  return table.toString();
}

describe('the plain box table', () => {
  it('counts as one column only characters string-width (which cli-table3 measures with) counts as one', () => {
    for (let code = 0; code <= 0xffff; code++) {
      if (isNarrowCharacter(code)) expect(stringWidth(String.fromCharCode(code)), `U+${code.toString(16)}`).toBe(1);
    }
  });

  it('draws the bytes cli-table3 draws: multi-line and empty cells, both alignments, head only', () => {
    const random = createRandom(7);
    const pieces = ['', 'a', 'config', '1.25', '—', '±3 %', 'Δ%', '✗ p99', '… ≤ 5', 'two\nlines', 'x\ny\nz', 'µs → ms', '  spaced  '];
    for (let round = 0; round < 300; round++) {
      const columns = random.int(1, 6);
      const head = Array.from({ length: columns }, () => random.pick(pieces));
      const aligns = Array.from({ length: columns }, () => random.pick(['left', 'right'] as const));
      const rows = Array.from({ length: random.int(0, 5) }, () => Array.from({ length: columns }, () => random.pick(pieces) + random.pick(pieces)));
      expect(drawPlainBoxTable(head, aligns, rows)).toBe(cliTable3(head, aligns, rows));
    }
  });

  it('leaves what it cannot measure to cli-table3, which draws it as before', () => {
    expect(drawPlainBoxTable(['a'], ['left'], [['日本']])).toBeNull();
    expect(drawPlainBoxTable(['a'], ['left'], [['\u001b[31mred\u001b[39m']])).toBeNull();
    expect(drawPlainBoxTable(['a', 'b'], ['left', 'left'], [['only one']])).toBeNull();
    const wide = new BoxTable(['name', 'n'], ['left', 'right']);
    wide.push(['日本', '1'], ['a', '22']);
    expect(wide.toString()).toBe(
      cliTable3(
        ['name', 'n'],
        ['left', 'right'],
        [
          ['日本', '1'],
          ['a', '22'],
        ],
      ),
    );
    const spanned = new BoxTable(['name', 'a', 'b'], ['left', 'right', 'right']);
    spanned.push(['x', '1', '2'], ['y', { colSpan: 2, content: 'a message wider than both columns', hAlign: 'left' }]);
    const reference = new Table({ head: ['name', 'a', 'b'], colAligns: ['left', 'right', 'right'], style: { head: [], border: [], compact: true } });
    reference.push(['x', '1', '2'], ['y', { colSpan: 2, content: 'a message wider than both columns', hAlign: 'left' }]);
    expect(spanned.toString()).toBe(reference.toString());
  });
});
