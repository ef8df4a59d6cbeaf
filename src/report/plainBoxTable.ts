/**
 * A bordered table drawn exactly as cli-table3 draws it with `style: { head: [], border: [],
 * compact: true }` and its default characters and padding, for the common case: no spanned
 * cells, and only characters one terminal column wide. cli-table3 measures every cell with
 * string-width (a fresh ANSI regex and the emoji regex per call) and lays spans out cell by cell,
 * which was the largest part of `compare`'s and `report`'s run time (npm run bench:startup);
 * measuring here is counting characters. Anything else (a span, a wide or unknown character, an
 * escape sequence) returns null, and the caller lets cli-table3 draw it.
 */

/** Whether this code point is one terminal column for string-width (test/plainBoxTable.test.ts checks each range against it). */
export function isNarrowCharacter(code: number): boolean {
  return (
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0xa0 && code <= 0x2ff && code !== 0xad) ||
    (code >= 0x370 && code <= 0x3ff) ||
    (code >= 0x2010 && code <= 0x2027) ||
    (code >= 0x2030 && code <= 0x205e) ||
    code === 0x2192 ||
    code === 0x2190 ||
    (code >= 0x2200 && code <= 0x22ff && code !== 0x2211) ||
    (code >= 0x2500 && code <= 0x257f) ||
    code === 0x2713 ||
    code === 0x2717
  );
}

/** Width of the widest line of `text` in terminal columns, or null when it holds a character this file does not measure. */
function measuredWidth(text: string): number | null {
  let widest = 0;
  let line = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x0a) {
      line = 0;
      continue;
    }
    if (!isNarrowCharacter(code)) return null;
    line++;
    if (line > widest) widest = line;
  }
  return widest;
}

/**
 * The table as cli-table3 (compact style, no colours) would draw `head` over `rows` with these
 * column alignments, or null when it holds something only cli-table3 measures right. Every row
 * has one cell per head cell.
 */
export function drawPlainBoxTable(head: readonly string[], aligns: readonly ('left' | 'right')[], rows: readonly (readonly string[])[]): string | null {
  const widths = head.map(() => 0);
  for (const row of [head, ...rows]) {
    if (row.length !== head.length) return null;
    for (let column = 0; column < row.length; column++) {
      const width = measuredWidth(row[column] ?? '');
      if (width === null) return null;
      widths[column] = Math.max(widths[column] ?? 0, width);
    }
  }
  // One space of padding each side of every cell, as cli-table3's default style.
  const rule = (left: string, middle: string, right: string) => `${left}${widths.map((width) => '─'.repeat(width + 2)).join(middle)}${right}`;
  const drawRow = (row: readonly string[]): string[] => {
    const cellLines = row.map((cell) => cell.split('\n'));
    const height = Math.max(1, ...cellLines.map((lines) => lines.length));
    const lines: string[] = [];
    for (let lineIndex = 0; lineIndex < height; lineIndex++) {
      const cells = cellLines.map((cellLinesOfColumn, column) => {
        const text = cellLinesOfColumn[lineIndex] ?? '';
        const width = widths[column] ?? 0;
        return ` ${aligns[column] === 'right' ? text.padStart(width) : text.padEnd(width)} `;
      });
      lines.push(`│${cells.join('│')}│`);
    }
    return lines;
  };
  const lines = [rule('┌', '┬', '┐'), ...drawRow(head)];
  if (rows.length > 0) lines.push(rule('├', '┼', '┤'));
  for (const row of rows) lines.push(...drawRow(row));
  lines.push(rule('└', '┴', '┘'));
  return lines.join('\n');
}
