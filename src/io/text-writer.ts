/**
 * The text writers of writeTable (src/io/index.ts): CSV/TSV and JSON Lines, to a file or stdout (`-`).
 * CSV: a header of the names, then one record per row; numbers and times (epoch ms) as `String(x)`
 * (so they read back to the same bits; -0 as `-0`), NaN as an empty field; text quoted when it holds
 * the delimiter, a quote, CR or LF, or starts or ends with a space or tab (which the reader trims), or
 * is empty (an unquoted empty field is a missing value); a missing text value (code -1) as an empty
 * field. JSON Lines: one object per row, `{ "name": value }` in column order; NaN (and +-Infinity,
 * which JSON cannot hold) as null, a missing text value as null.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { isText, type Table, type TextColumn } from './types.js';

/** Rows formatted per write: big enough to amortise the stream, small enough to bound the memory. */
const ROWS_PER_WRITE = 16_384;

/** A number as the CSV writer writes it: round-trips exactly; NaN is an empty field. */
export function csvNumber(x: number): string {
  if (x !== x) return '';
  if (x === 0 && 1 / x < 0) return '-0';
  return String(x);
}

/** A text field quoted as needed for `delimiter` (RFC 4180: quotes doubled). */
export function csvText(s: string, delimiter: string): string {
  if (s === '' || s.includes(delimiter) || s.includes('"') || s.includes('\n') || s.includes('\r') || /^[ \t]|[ \t]$/.test(s)) {
    return `"${s.replaceAll('"', '""')}"`;
  }
  return s;
}

/** The stream for `path` (`-`: stdout) and how to finish it. */
function open(path: string): { out: Writable; done: () => Promise<void> } {
  if (path === '-') {
    return { out: process.stdout, done: async () => undefined };
  }
  const out = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  return {
    out,
    done: async () => {
      out.end();
      await Promise.race([once(out, 'finish'), failed]);
    },
  };
}

/** Writes `rows` lines made by `line(i)` after `header`, with backpressure. */
async function writeLines(path: string, header: string | undefined, rows: number, line: (i: number) => string): Promise<void> {
  const { out, done } = open(path);
  let chunk = header === undefined ? '' : `${header}\n`;
  for (let start = 0; start < rows; start += ROWS_PER_WRITE) {
    const end = Math.min(rows, start + ROWS_PER_WRITE);
    for (let i = start; i < end; i++) chunk += `${line(i)}\n`;
    if (!out.write(chunk)) await once(out, 'drain');
    chunk = '';
  }
  if (chunk !== '') out.write(chunk);
  await done();
}

/** Writes `table` as CSV (or TSV with `delimiter` '\t') to `path` (`-`: stdout). */
export async function writeCsv(path: string, table: Table, delimiter = ','): Promise<void> {
  const cells = table.names.map((name) => {
    const column = table.columns[name];
    if (isText(column)) {
      const quoted = column.values.map((v) => csvText(v, delimiter));
      const codes = column.codes;
      return (i: number) => (codes[i] < 0 ? '' : quoted[codes[i]]);
    }
    return (i: number) => csvNumber(column[i]);
  });
  const header = table.names.map((n) => csvText(n, delimiter)).join(delimiter);
  await writeLines(path, header, table.rows, (i) => {
    let line = cells[0] ? cells[0](i) : '';
    for (let c = 1; c < cells.length; c++) line += delimiter + cells[c](i);
    return line;
  });
}

/** Writes `table` as JSON Lines to `path` (`-`: stdout). */
export async function writeJsonLines(path: string, table: Table): Promise<void> {
  const parts = table.names.map((name, c) => {
    const key = `${c === 0 ? '{' : ','}${JSON.stringify(name)}:`;
    const column = table.columns[name];
    if (isText(column)) {
      const { codes, values } = column as TextColumn;
      const quoted = values.map((v) => JSON.stringify(v));
      return (i: number) => key + (codes[i] < 0 ? 'null' : quoted[codes[i]]);
    }
    return (i: number) => key + (Number.isFinite(column[i]) ? String(column[i]) : 'null');
  });
  await writeLines(path, undefined, table.rows, (i) => {
    let line = '';
    for (const part of parts) line += part(i);
    return parts.length === 0 ? '{}' : `${line}}`;
  });
}
