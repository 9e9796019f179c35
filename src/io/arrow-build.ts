/**
 * A kernelbus `Table` to apache-arrow data: what the Arrow IPC writer (src/io/arrow.ts) writes and the
 * Parquet writer (src/io/parquet.ts) hands its library. docs/io.md, "How tables are written", is the
 * specification:
 * - number columns: Float64, the array itself (no copy), NaN as NaN (not null), so every bit survives;
 * - time columns: Timestamp(ms, "UTC") when every value is a whole millisecond (NaN as null), else
 *   Timestamp(ns, "UTC") when every value reads back to the same double, else Float64 with the field
 *   metadata `kernelbus:type = time` (fractions of a ms that ns cannot hold exactly, -0, infinities);
 * - text columns: Dictionary<Int32, Utf8> of the column's values, code -1 as null.
 */
import type * as Arrow from 'apache-arrow';
import { KernelInputError } from '../errors.js';
import { type ArrowModule, int64Into, TIME_METADATA_KEY } from './arrow-convert.js';
import { isText, type Table, type TextColumn } from './types.js';

const TWO32 = 4294967296;
const TWO63 = 9223372036854775808;

/** Checks `table` is a well-formed Table (argument name `arg`); throws KernelInputError naming the part. */
export function checkTable(table: Table, arg: string): void {
  if (typeof table !== 'object' || table === null) throw new KernelInputError(arg, 'a Table', String(table));
  const { rows, names, columns, types } = table;
  if (!Number.isSafeInteger(rows) || rows < 0) throw new KernelInputError(`${arg}.rows`, 'an integer >= 0', String(rows));
  if (!Array.isArray(names)) throw new KernelInputError(`${arg}.names`, 'an array of column names', typeof names);
  if (typeof columns !== 'object' || columns === null || typeof types !== 'object' || types === null) {
    throw new KernelInputError(arg, 'columns and types objects', 'none');
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string') throw new KernelInputError(`${arg}.names`, 'strings', String(name));
    if (seen.has(name)) throw new KernelInputError(`${arg}.names`, 'each name once', `"${name}" twice`);
    seen.add(name);
    const col = columns[name];
    const type = types[name];
    const at = `${arg}.columns.${name}`;
    if (col instanceof Float64Array) {
      if (type !== 'number' && type !== 'time')
        throw new KernelInputError(`${arg}.types.${name}`, "'number' or 'time' for a Float64Array", String(type));
      if (col.length !== rows) throw new KernelInputError(at, `${rows} values (table.rows)`, `${col.length}`);
    } else if (
      typeof col === 'object' &&
      col !== null &&
      (col as TextColumn).codes instanceof Int32Array &&
      Array.isArray((col as TextColumn).values)
    ) {
      const { codes, values } = col as TextColumn;
      if (type !== 'text') throw new KernelInputError(`${arg}.types.${name}`, "'text' for a text column", String(type));
      if (codes.length !== rows) throw new KernelInputError(`${at}.codes`, `${rows} codes (table.rows)`, `${codes.length}`);
      for (let i = 0; i < codes.length; i++) {
        const c = codes[i];
        if (c < -1 || c >= values.length)
          throw new KernelInputError(`${at}.codes[${i}]`, `-1 or an index into values (${values.length})`, `${c}`);
      }
      for (let k = 0; k < values.length; k++) {
        if (typeof values[k] !== 'string') throw new KernelInputError(`${at}.values[${k}]`, 'a string', typeof values[k]);
      }
    } else {
      throw new KernelInputError(
        at,
        'a Float64Array or { codes: Int32Array, values: string[] }',
        col === undefined ? 'undefined' : Object.prototype.toString.call(col),
      );
    }
  }
}

/** `table` as one apache-arrow record batch in an Arrow Table (number columns are not copied). */
export function tableToArrow(arrow: ArrowModule, table: Table): Arrow.Table {
  const fields: Arrow.Field[] = [];
  const children: Arrow.Data[] = [];
  for (const name of table.names) {
    const col = table.columns[name];
    let data: Arrow.Data;
    let metadata: Map<string, string> | undefined;
    if (isText(col)) data = textData(arrow, col);
    else if (table.types[name] === 'time') {
      const t = timeData(arrow, col);
      if (t) data = t;
      else {
        data = arrow.makeData({ type: new arrow.Float64(), length: col.length, data: col });
        metadata = new Map([[TIME_METADATA_KEY, 'time']]);
      }
    } else data = arrow.makeData({ type: new arrow.Float64(), length: col.length, data: col });
    fields.push(new arrow.Field(name, data.type, data.nullCount > 0 || isText(col), metadata));
    children.push(data);
  }
  const schema = new arrow.Schema(fields);
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: table.rows, nullCount: 0, children });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)]);
}

/** A validity bitmap (1 = valid) for the rows where `missing(i)` is false, and the null count. */
function validity(n: number, missing: (i: number) => boolean): { nullBitmap?: Uint8Array; nullCount: number } {
  let nullCount = 0;
  const bits = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    if (missing(i)) nullCount++;
    else bits[i >> 3] |= 1 << (i & 7);
  }
  return nullCount > 0 ? { nullBitmap: bits, nullCount } : { nullCount: 0 };
}

function textData(arrow: ArrowModule, col: TextColumn): Arrow.Data {
  const { codes, values } = col;
  const { nullBitmap, nullCount } = validity(codes.length, (i) => codes[i] < 0);
  let indices = codes;
  if (nullCount > 0) {
    indices = codes.slice();
    for (let i = 0; i < indices.length; i++) if (indices[i] < 0) indices[i] = 0;
  }
  const dictionary = arrow.vectorFromArray(values, new arrow.Utf8());
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  return arrow.makeData({ type, length: codes.length, nullCount, nullBitmap, data: indices, dictionary });
}

/**
 * A time column as Timestamp(ms) or Timestamp(ns) in UTC, whichever reads back to every value's exact
 * bits (the reader's conversion, `int64Into`, checks it); undefined when neither does.
 */
function timeData(arrow: ArrowModule, col: Float64Array): Arrow.Data | undefined {
  const n = col.length;
  const { nullBitmap, nullCount } = validity(n, (i) => Number.isNaN(col[i]));
  const ms = new BigInt64Array(n);
  const w = new Int32Array(ms.buffer);
  let whole = true;
  for (let i = 0; i < n && whole; i++) {
    const x = col[i];
    if (Number.isNaN(x)) continue;
    if (!Number.isInteger(x) || Math.abs(x) >= TWO63) whole = false;
    else {
      const hi = Math.floor(x / TWO32);
      w[2 * i] = (x - hi * TWO32) | 0;
      w[2 * i + 1] = hi | 0;
    }
  }
  if (whole && readsBack(ms, col, 1)) {
    return arrow.makeData({ type: new arrow.TimestampMillisecond('UTC'), length: n, nullCount, nullBitmap, data: ms });
  }
  const ns = new BigInt64Array(n);
  const v = new Int32Array(ns.buffer);
  for (let i = 0; i < n; i++) {
    const x = col[i];
    if (Number.isNaN(x)) continue;
    if (!Number.isFinite(x) || Math.abs(x) >= 9.2e12) return undefined;
    let ms = Math.floor(x);
    let f = Math.round((x - ms) * 1e6);
    if (f === 1e6) {
      ms += 1;
      f = 0;
    }
    // ns = ms * 10^6 + f as two int32 words, without BigInt: ms = a * 2^22 + b, 0 <= b < 2^22, so
    // ms * 10^6 = (a * 10^6) * 2^22 + b * 10^6, every product exact below 2^53.
    const a = Math.floor(ms / 4194304);
    const b = ms - a * 4194304;
    const A = a * 1e6;
    const Ahi = Math.floor(A / 1024);
    const S = (A - Ahi * 1024) * 4194304 + b * 1e6 + f;
    const carry = Math.floor(S / TWO32);
    v[2 * i] = (S - carry * TWO32) | 0;
    v[2 * i + 1] = (Ahi + carry) | 0;
  }
  if (!readsBack(ns, col, 3)) return undefined;
  return arrow.makeData({ type: new arrow.TimestampNanosecond('UTC'), length: n, nullCount, nullBitmap, data: ns });
}

/** True when the int64 times read back (as the reader converts them, unit `mode`) to `col`'s bits. */
function readsBack(v: BigInt64Array, col: Float64Array, mode: number): boolean {
  const back = new Float64Array(col.length);
  int64Into(v, col.length, back, 0, mode);
  for (let i = 0; i < col.length; i++) if (!Number.isNaN(col[i]) && !Object.is(back[i], col[i])) return false;
  return true;
}
