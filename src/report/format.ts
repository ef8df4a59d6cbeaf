/**
 * Number formatting for human-readable tables. Missing values print as an em dash so an
 * absent metric never reads as a zero.
 */

/** Shown for a value that was not measured. */
export const MISSING = '—';

/**
 * A number to 3 significant digits (`0.0123`, `1.23`, `12.3`, `123`); values of 1000 and more
 * are rounded to an integer rather than switching to exponent notation.
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return MISSING;
  if (value === 0) return '0';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  // 999.5 and up would round to `1.00e+3` under toPrecision(3).
  if (Math.abs(value) >= 999.5) return String(Math.sign(value) * Math.round(Math.abs(value)));
  const text = value.toPrecision(3);
  // toPrecision switches to exponent notation below 1e-6; such values are noise in ms anyway.
  return text.includes('e') ? value.toExponential(2) : text;
}

/** Milliseconds to 3 significant digits; `—` when missing. */
export function formatMs(value: number | null | undefined): string {
  return formatNumber(value);
}

/**
 * A counter: integers exactly (`3`, `120`), fractions to 3 significant digits without trailing
 * zeros (`0.2`, `87.3`), since a count has no measurement precision to show; `—` when missing.
 */
export function formatCount(value: number | null | undefined): string {
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  const text = formatNumber(value);
  return /^-?\d+\.\d+$/.test(text) ? text.replace(/\.?0+$/, '') : text;
}

/** A change with its sign (`+1.23`, `-0.500`, `0`), formatted by `format`; `—` when missing. */
export function formatSigned(value: number | null | undefined, format: (value: number | null | undefined) => string = formatNumber): string {
  const text = format(value);
  return typeof value === 'number' && value > 0 ? `+${text}` : text;
}

/** A fraction as a signed percentage with one decimal (`0.1` → `+10.0%`); `—` when missing. */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return MISSING;
  const percent = fraction * 100;
  const text = `${percent.toFixed(1)}%`;
  // A tiny change rounds to 0.0; print it unsigned rather than as +0.0% or -0.0%.
  if (text === '0.0%' || text === '-0.0%') return '0.0%';
  return percent > 0 ? `+${text}` : text;
}
