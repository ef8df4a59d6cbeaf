/**
 * The project's bordered plain-text table (no colours, no row separators): drawn by
 * plainBoxTable.ts when it can measure every cell, else by cli-table3, loaded only then. Both
 * draw the same bytes (test/plainBoxTable.test.ts); the first costs `compare` and `report` a
 * fraction of the second's time (npm run bench:startup).
 */
import { createRequire } from 'node:module';
import type CliTable from 'cli-table3';
import { drawPlainBoxTable } from './plainBoxTable.js';

/** A cell: text, or text spanning columns (drawn by cli-table3). */
export type BoxCell = string | { colSpan: number; content: string; hAlign?: 'left' | 'right' };

/** Column alignment. */
export type BoxAlign = 'left' | 'right';

const requireModule = createRequire(import.meta.url);

/** A table filled row by row, drawn by toString(). */
export class BoxTable {
  private readonly rows: BoxCell[][] = [];

  constructor(
    private readonly head: readonly string[],
    private readonly aligns: readonly BoxAlign[],
  ) {}

  /** Adds rows; returns the row count (as an array's push). */
  push(...rows: BoxCell[][]): number {
    this.rows.push(...rows);
    return this.rows.length;
  }

  /** The table as text, without a trailing newline. */
  toString(): string {
    const plainRows = this.rows.every((row) => row.every((cell) => typeof cell === 'string'));
    const drawn = plainRows ? drawPlainBoxTable(this.head, this.aligns, this.rows as string[][]) : null;
    if (drawn !== null) return drawn;
    const Table = requireModule('cli-table3') as typeof CliTable;
    const table = new Table({ head: [...this.head], colAligns: [...this.aligns], style: { head: [], border: [], compact: true } });
    table.push(...this.rows);
    return table.toString();
  }
}
