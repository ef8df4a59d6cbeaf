/** GitHub-flavoured markdown tables: the primitive every markdown report builds on. */

/** Escapes what would break a table cell: pipes and line breaks. */
export function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured markdown table; columns listed in `rightAligned` are right-aligned. */
export function markdownTable(head: readonly string[], rows: readonly (readonly string[])[], rightAligned: (index: number) => boolean): string {
  const line = (cells: readonly string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  const rule = `|${head.map((_, index) => (rightAligned(index) ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}
