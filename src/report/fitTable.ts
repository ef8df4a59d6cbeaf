/**
 * A plain-text table that fits a width: columns marked droppable are hidden, least important
 * first, until the table fits, and a note says which (`--wide` shows them all). Rows can end in
 * one message cell spanning the remaining columns (an errored or skipped config), wrapped to fit.
 */
import { BoxTable } from './boxTable.js';

/** One column: its title (may hold line breaks), alignment, and when it may be hidden. */
export interface FitColumn {
  head: string;
  align: 'left' | 'right';
  /** Hidden to fit, lowest first; absent: always shown. */
  dropOrder?: number;
}

/** A row: one cell per column, or leading cells and a message spanning the rest. */
export type FitRow = string[] | { lead: string[]; message: string };

/** How wide the table may be, and whether to show every column regardless. */
export interface FitOptions {
  width: number;
  wide?: boolean;
}

/** Messages wider than this wrap, so one long error does not stretch the whole table. */
const MESSAGE_WIDTH = 100;

/** Widest line of a cell. */
function cellWidth(text: string): number {
  return Math.max(0, ...text.split('\n').map((line) => [...line].length));
}

/** Wraps text at word boundaries to at most `width` characters per line (a longer word is cut into lines of `width`). */
export function wrapWords(text: string, width: number): string {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    // A word longer than a line (a URL, escaped JSON) is cut: a table cell or line never grows past the width.
    const words = paragraph
      .split(/\s+/)
      .filter((w) => w !== '')
      .flatMap((word) => (word.length <= width ? [word] : Array.from({ length: Math.ceil(word.length / width) }, (_, index) => word.slice(index * width, (index + 1) * width))));
    for (const word of words) {
      if (line !== '' && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line === '' ? word : `${line} ${word}`;
      }
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/** Width of a table with these columns (borders and one space of padding each side). */
function tableWidth(columns: readonly number[], widths: readonly number[]): number {
  return columns.reduce((sum, index) => sum + (widths[index] ?? 0) + 3, 1);
}

/** The table as text, fitted to `options.width` unless `options.wide`, with a note when columns were hidden. */
export function fitTable(columns: readonly FitColumn[], rows: readonly FitRow[], options: FitOptions): string {
  const widths = columns.map((column, index) =>
    Math.max(cellWidth(column.head), ...rows.map((row) => (Array.isArray(row) ? cellWidth(row[index] ?? '') : cellWidth(row.lead[index] ?? '')))),
  );
  let shown = columns.map((_, index) => index);
  if (!options.wide) {
    const droppable = columns
      .map((column, index) => ({ index, order: column.dropOrder }))
      .filter((entry): entry is { index: number; order: number } => entry.order !== undefined)
      .sort((a, b) => a.order - b.order);
    for (const { index } of droppable) {
      if (tableWidth(shown, widths) <= options.width) break;
      shown = shown.filter((candidate) => candidate !== index);
    }
  }
  const shownColumns = columns.filter((_, index) => shown.includes(index));
  const table = new BoxTable(
    shownColumns.map((column) => column.head),
    shownColumns.map((column) => column.align),
  );
  for (const row of rows) {
    if (Array.isArray(row)) {
      table.push(shown.map((index) => row[index] ?? ''));
      continue;
    }
    const leadShown = shown.filter((index) => index < row.lead.length);
    const span = shown.length - leadShown.length;
    // Long messages wrap at 100 characters, or at the width the spanned columns take anyway
    // (at least 40), and narrower when the table must fit a narrow terminal.
    const spanned = shown.filter((index) => index >= row.lead.length);
    const natural = Math.max(40, tableWidth(spanned, widths) - 4);
    const limit = options.wide ? MESSAGE_WIDTH : Math.min(MESSAGE_WIDTH, options.width - tableWidth(leadShown, widths) - 3);
    const spanWidth = Math.max(20, Math.min(limit, natural));
    table.push([...leadShown.map((index) => row.lead[index] ?? ''), { colSpan: span, content: wrapWords(row.message, spanWidth), hAlign: 'left' }]);
  }
  const hidden = columns.filter((_, index) => !shown.includes(index)).map((column) => column.head.replace(/\n/g, ' '));
  const note =
    hidden.length > 0
      ? `\n${wrapWords(`(${hidden.length} column${hidden.length === 1 ? '' : 's'} hidden to fit ${options.width} columns: ${hidden.join(', ')}; --wide shows all)`, options.width)}`
      : '';
  return `${table.toString()}${note}`;
}
