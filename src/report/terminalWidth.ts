/** How wide printed tables may be: `COLUMNS`, else the terminal's width, else 120 (logs, files, pipes). */

/** The default width when the output is not a terminal and COLUMNS is unset. */
export const DEFAULT_WIDTH = 120;

/** The narrowest width honoured (below it, tables would be unreadable anyway). */
const MIN_WIDTH = 40;

/** The width to fit output to, in columns. */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.COLUMNS);
  if (env.COLUMNS !== undefined && Number.isInteger(fromEnv) && fromEnv > 0) return Math.max(MIN_WIDTH, fromEnv);
  if (stream.isTTY && stream.columns) return Math.max(MIN_WIDTH, stream.columns);
  return DEFAULT_WIDTH;
}
