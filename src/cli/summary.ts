/**
 * The one summary printer of the `kernelbus` commands: labelled lines (`label  value`, labels padded to
 * one width) and tables (first column left-aligned, the others right-aligned, two spaces apart), and
 * the number formats they use.
 */

/** `1,234,567` (with `digits` decimals). */
export const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** Milliseconds with 3 decimals below 1 ms, else 2. */
export const ms = (x: number) => (x < 1 ? x.toFixed(3) : x.toFixed(2));
/** `x` with `digits` decimals, '-' when not finite. */
export const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
/** `x` as a percentage with `digits` decimals, '-' when not finite. */
export const pct = (x: number, digits: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : '-');

/** How labelled() lays out its lines. */
export interface LabelLayout {
  /** Before each label. Default ''. */
  indent?: string;
  /** Between the padded label and its value. Default ' '. */
  gap?: string;
  /** Width of the labels. Default: the longest label's. */
  width?: number;
}

/** `label value` lines, the labels padded to one width. */
export function labelled(rows: readonly (readonly [label: string, value: string])[], layout: LabelLayout = {}): string[] {
  const { indent = '', gap = ' ' } = layout;
  const width = layout.width ?? Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}${gap}${value}`);
}

/**
 * A header and rows as aligned lines, two spaces apart: the columns of `left` (default the first)
 * padded on the right, the others (numbers) on the left; no trailing spaces.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[], left: readonly number[] = [0]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (left.includes(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
