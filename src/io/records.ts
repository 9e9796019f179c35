/**
 * Rows of `{ name: value }` (what `toRecords(result)` gives, src/kernels/labels.ts) as a Table, so that
 * a kernel's result goes to `writeTable` as it goes to console.table or JSON.
 */
import { KernelInputError } from '../errors.js';
import type { ColumnType, Table, TableColumn, TextColumn } from './types.js';

/** A record's value: a number (NaN missing) or text. */
export type RecordValue = string | number;

/**
 * The Table of `records`: one column per key (in the order keys first appear), text where any value
 * is a string, else numbers (a key absent from a row: NaN, or missing text); a number column named
 * `date` is a time column (epoch ms). KernelInputError naming `records` for anything else.
 */
export function tableOf(records: readonly Record<string, RecordValue>[]): Table {
  if (!Array.isArray(records)) throw new KernelInputError('records', 'an array of { name: value } rows', typeof records);
  const names: string[] = [];
  const text = new Set<string>();
  records.forEach((row, r) => {
    if (typeof row !== 'object' || row === null) throw new KernelInputError(`records[${r}]`, 'an object', String(row));
    for (const [key, value] of Object.entries(row)) {
      if (!names.includes(key)) names.push(key);
      if (typeof value === 'string') text.add(key);
      else if (typeof value !== 'number') throw new KernelInputError(`records[${r}].${key}`, 'a number or a string', typeof value);
    }
  });
  const columns: Record<string, TableColumn> = {};
  const types: Record<string, ColumnType> = {};
  for (const name of names) {
    if (text.has(name)) {
      columns[name] = textColumn(records.map((row) => (row[name] === undefined ? undefined : String(row[name]))));
      types[name] = 'text';
    } else {
      columns[name] = Float64Array.from(records, (row) => (row[name] === undefined ? Number.NaN : (row[name] as number)));
      types[name] = name === 'date' ? 'time' : 'number';
    }
  }
  return { rows: records.length, names, columns, types };
}

/** A text column of `values`, one per row (undefined: missing), each distinct value coded once. */
export function textColumn(values: readonly (string | undefined)[]): TextColumn {
  const unique: string[] = [];
  const codeOf = new Map<string, number>();
  const codes = Int32Array.from(values, (v) =>
    v === undefined ? -1 : (codeOf.get(v) ?? (codeOf.set(v, unique.length), unique.push(v) - 1)),
  );
  return { codes, values: unique };
}
