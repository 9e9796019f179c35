/**
 * Arrow data (apache-arrow's record batches) to a kernelbus `Table`: the type mapping shared by the
 * Arrow IPC reader (src/io/arrow.ts) and the Parquet reader (src/io/parquet.ts, whose library hands
 * its columns over as Arrow IPC). docs/io.md, "Parquet and Arrow", is the specification.
 *
 * apache-arrow is passed in (`ArrowModule`), never imported here, so that `kernelbus/io` loads it
 * only when an Arrow or Parquet file is read.
 */
import type * as Arrow from 'apache-arrow';
import { KernelInputError } from '../errors.js';
import type { ColumnType, Table, TableColumn, TextColumn, TimeUnit, TimeUnitInfo } from './types.js';

/** The apache-arrow module, loaded by the caller with `import('apache-arrow')`. */
export type ArrowModule = typeof Arrow;

/** Field metadata key marking a float64 column that holds times (see docs/io.md: how times are written). */
export const TIME_METADATA_KEY = 'kernelbus:type';

const TWO32 = 4294967296;
const DAY_MS = 86_400_000;
const UNIT_NAMES: TimeUnit[] = ['s', 'ms', 'us', 'ns'];

/** One column's chunks, in row order, and what it becomes. */
interface ColumnPlan {
  name: string;
  field: Arrow.Field;
  chunks: Arrow.Data[];
  kind: ColumnType;
}

/**
 * The columns of `batches` (one schema) as a `Table`. `label` names the input in messages (the path,
 * or `buffer`). `columns` picks and orders columns (all of them, in file order, when absent).
 * A Float64 column held in one chunk without nulls is returned as a view of the chunk's memory.
 * `timeUnits` gives each time column's unit in the file (Date columns: `ms`).
 */
export function arrowToTable(
  arrow: ArrowModule,
  schema: Arrow.Schema,
  batches: readonly Arrow.RecordBatch[],
  label: string,
  columns?: ColumnChoice,
): { table: Table; timeUnits: Record<string, TimeUnitInfo> } {
  const fields = schema.fields;
  const picked = pickColumns(
    fields.map((f) => f.name),
    label,
    columns,
  );
  const rows = batches.reduce((n, b) => n + b.numRows, 0);
  const table: Table = { rows, names: [], columns: {}, types: {} };
  const timeUnits: Record<string, TimeUnitInfo> = {};
  for (const i of picked) {
    const field = fields[i];
    const chunks = batches.map((b) => b.data.children[i]);
    const plan: ColumnPlan = { name: field.name, field, chunks, kind: kindOf(arrow, field, label) };
    table.names.push(field.name);
    table.types[field.name] = plan.kind;
    table.columns[field.name] = convertColumn(arrow, plan, rows);
    const unit = timeUnitOf(arrow, field.type);
    if (plan.kind === 'time' && unit) timeUnits[field.name] = { unit, detected: false };
  }
  return { table, timeUnits };
}

/** Columns to read: names, or a function picking them from the file's names. */
export type ColumnChoice = readonly string[] | ((names: string[]) => string[]);

/** The columns a ColumnChoice names among the file's `names` (undefined: all). */
export function chosenColumns(columns: ColumnChoice | undefined, names: readonly string[]): string[] | undefined {
  if (typeof columns !== 'function') return columns && [...columns];
  const picked = columns([...names]);
  if (!Array.isArray(picked)) throw new KernelInputError('options.columns', 'a function returning an array of names', typeof picked);
  return picked;
}

/**
 * The indices of `columns` among `names` (all of them, in file order, when absent); a KernelInputError
 * for a name twice in the file, a name not in it, or a name asked for twice.
 */
export function pickColumns(names: readonly string[], label: string, choice?: ColumnChoice): number[] {
  const columns = chosenColumns(choice, names);
  const byName = new Map<string, number>();
  names.forEach((name, i) => {
    if (byName.has(name)) throw new KernelInputError(label, 'unique column names', `column "${name}" twice`);
    byName.set(name, i);
  });
  if (columns === undefined) return names.map((_, i) => i);
  const picked: number[] = [];
  const seen = new Set<string>();
  for (const name of columns) {
    const i = byName.get(name);
    if (i === undefined) throw new KernelInputError('options.columns', `names of columns in ${label} (${names.join(', ')})`, `"${name}"`);
    if (seen.has(name)) throw new KernelInputError('options.columns', 'each name once', `"${name}" twice`);
    seen.add(name);
    picked.push(i);
  }
  return picked;
}

/** What an Arrow type becomes, or a KernelInputError naming the column and its type. */
function kindOf(arrow: ArrowModule, field: Arrow.Field, label: string): ColumnType {
  const t = field.type;
  const { DataType } = arrow;
  if (DataType.isTimestamp(t) || DataType.isDate(t)) return 'time';
  if (DataType.isFloat(t)) return field.metadata.get(TIME_METADATA_KEY) === 'time' ? 'time' : 'number';
  if (DataType.isInt(t) || DataType.isBool(t) || DataType.isNull(t)) return 'number';
  const isString = (x: Arrow.DataType) => DataType.isUtf8(x) || DataType.isLargeUtf8(x) || DataType.isUtf8View(x);
  if (isString(t)) return 'text';
  if (DataType.isDictionary(t)) {
    const v = t.dictionary;
    if (isString(v)) return 'text';
    if (DataType.isFloat(v) || DataType.isInt(v)) return 'number';
  }
  throw new KernelInputError(
    label,
    'columns of numbers, times or text (nested and other types are not read)',
    `column "${field.name}" of type ${String(t)}`,
  );
}

/** The unit of a Timestamp or Date type (Date32 days and Date64 read as ms), else undefined. */
function timeUnitOf(arrow: ArrowModule, t: Arrow.DataType): TimeUnit | undefined {
  if (arrow.DataType.isTimestamp(t)) return UNIT_NAMES[t.unit];
  if (arrow.DataType.isDate(t)) return 'ms';
  return undefined;
}

function convertColumn(arrow: ArrowModule, plan: ColumnPlan, rows: number): TableColumn {
  const t = plan.field.type;
  if (plan.kind === 'text') return textColumn(arrow, plan, rows);
  // Zero copy: one chunk of float64 without nulls is a view of that chunk's memory.
  if (arrow.DataType.isFloat(t) && t.precision === arrow.Precision.DOUBLE && plan.chunks.length === 1) {
    const d = plan.chunks[0];
    if (d.nullCount === 0 && d.values instanceof Float64Array) return d.values.subarray(0, d.length);
  }
  const out = new Float64Array(rows);
  let at = 0;
  for (const d of plan.chunks) {
    numbersInto(arrow, d, out, at);
    at += d.length;
  }
  return out;
}

/** Writes chunk `d`'s values as float64 (times as epoch ms, nulls as NaN) into `out` from `at`. */
function numbersInto(arrow: ArrowModule, d: Arrow.Data, out: Float64Array, at: number): void {
  const t = d.type;
  const n = d.length;
  const { DataType } = arrow;
  if (DataType.isNull(t)) {
    out.fill(Number.NaN, at, at + n);
    return;
  }
  if (DataType.isDictionary(t)) {
    const dict = d.dictionary as Arrow.Vector;
    const lookup = new Float64Array(dict.length);
    let base = 0;
    for (const c of dict.data) {
      numbersInto(arrow, c, lookup, base);
      base += c.length;
    }
    const idx = d.values as ArrayLike<number | bigint>;
    for (let i = 0; i < n; i++) out[at + i] = lookup[Number(idx[i])];
  } else if (DataType.isBool(t)) {
    const bits = d.values as Uint8Array;
    for (let i = 0, j = d.offset; i < n; i++, j++) out[at + i] = (bits[j >> 3] >> (j & 7)) & 1;
  } else if (DataType.isTimestamp(t)) {
    int64Into(d.values as BigInt64Array, n, out, at, t.unit);
  } else if (DataType.isDate(t)) {
    if (t.unit === arrow.DateUnit.DAY) {
      const v = d.values as Int32Array;
      for (let i = 0; i < n; i++) out[at + i] = v[i] * DAY_MS;
    } else int64Into(d.values as BigInt64Array, n, out, at, 1);
  } else if (DataType.isInt(t) && t.bitWidth === 64) {
    int64Into(d.values as BigInt64Array, n, out, at, t.isSigned ? -1 : -2);
  } else if (DataType.isFloat(t) && t.precision === arrow.Precision.HALF) {
    const v = arrow.makeVector(d as Arrow.Data<Arrow.Float16>);
    for (let i = 0; i < n; i++) out[at + i] = v.get(i) ?? Number.NaN;
  } else {
    const v = d.values as Float64Array | Float32Array | Int32Array;
    for (let i = 0; i < n; i++) out[at + i] = v[i];
  }
  if (d.nullCount > 0) {
    const valid = d.nullBitmap as Uint8Array;
    for (let i = 0, j = d.offset; i < n; i++, j++) if (((valid[j >> 3] >> (j & 7)) & 1) === 0) out[at + i] = Number.NaN;
  }
}

/**
 * 64-bit integers to float64 without BigInt. `mode`: 0..3 a time unit (s, ms, us, ns) to epoch ms;
 * -1 signed and -2 unsigned plain numbers (the nearest double: hi * 2^32 + lo rounds once).
 * us and ns are split as the CSV reader does (docs/io.md, Times): ±(H + L / 10^k) with H the whole
 * milliseconds and L the remainder, so no digit is lost before the final rounding.
 */
export function int64Into(values: BigInt64Array | BigUint64Array, n: number, out: Float64Array, at: number, mode: number): void {
  const w = new Int32Array(values.buffer, values.byteOffset, n * 2);
  if (mode === -2) {
    for (let i = 0; i < n; i++) out[at + i] = (w[2 * i + 1] >>> 0) * TWO32 + (w[2 * i] >>> 0);
    return;
  }
  if (mode < 2) {
    const scale = mode === 0 ? 1000 : 1;
    for (let i = 0; i < n; i++) out[at + i] = (w[2 * i + 1] * TWO32 + (w[2 * i] >>> 0)) * scale;
    return;
  }
  // 2^32 = q * D + r for D = 10^3 (us) or 10^6 (ns).
  const D = mode === 2 ? 1000 : 1_000_000;
  const q = Math.floor(TWO32 / D);
  const r = TWO32 - q * D;
  for (let i = 0; i < n; i++) {
    let lo = w[2 * i] >>> 0;
    let hi = w[2 * i + 1];
    let sign = 1;
    if (hi < 0) {
      sign = -1;
      const nlo = (~lo + 1) >>> 0;
      hi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
      lo = nlo;
    }
    if (hi * q + 2 ** 43 >= 2 ** 53) {
      // near and beyond 2^53 ms (±285,000 years; h < 2^43) the sums below could round twice: once, with BigInt
      const mag = BigInt(sign) * BigInt.asIntN(64, BigInt(values[i]));
      out[at + i] = sign * (Number(mag / BigInt(D)) + Number(mag % BigInt(D)) / D);
      continue;
    }
    const low = hi * r + lo; // < 2^52: exact
    let h = Math.floor(low / D);
    let l = low - h * D;
    if (l < 0) {
      h -= 1;
      l += D;
    } else if (l >= D) {
      h += 1;
      l -= D;
    }
    out[at + i] = sign * (hi * q + h + l / D);
  }
}

/** A text column: Utf8 chunks dictionary-coded in order of first appearance; dictionaries merged. */
function textColumn(arrow: ArrowModule, plan: ColumnPlan, rows: number): TextColumn {
  const values: string[] = [];
  const codeOf = new Map<string, number>();
  const intern = (s: string): number => {
    let c = codeOf.get(s);
    if (c === undefined) {
      c = values.length;
      codeOf.set(s, c);
      values.push(s);
    }
    return c;
  };
  const { DataType } = arrow;
  // One chunk of Dictionary<Int32, Utf8> without nulls, whose dictionary has no nulls nor repeats:
  // its indices are already our codes (a view of the chunk's memory).
  if (plan.chunks.length === 1 && DataType.isDictionary(plan.field.type)) {
    const d = plan.chunks[0];
    const dictStrings = stringsOf(arrow, d.dictionary as Arrow.Vector);
    const plain = dictStrings.every((s) => s !== null && codeOf.get(s) === undefined && intern(s) >= 0);
    if (plain && d.nullCount === 0 && d.values instanceof Int32Array) {
      const codes = d.values.subarray(0, d.length);
      if (codesInRange(codes, values.length)) return { codes, values };
    }
    values.length = 0;
    codeOf.clear();
  }
  const codes = new Int32Array(rows);
  let at = 0;
  let lastDict: Arrow.Vector | undefined;
  let mapping: Int32Array = new Int32Array(0);
  for (const d of plan.chunks) {
    const n = d.length;
    if (DataType.isDictionary(d.type)) {
      const dict = d.dictionary as Arrow.Vector;
      if (dict !== lastDict) {
        const strings = stringsOf(arrow, dict);
        mapping = new Int32Array(strings.length);
        strings.forEach((s, k) => {
          mapping[k] = s === null ? -1 : intern(s);
        });
        lastDict = dict;
      }
      const idx = d.values as ArrayLike<number | bigint>;
      for (let i = 0; i < n; i++) {
        const k = Number(idx[i]);
        codes[at + i] = k >= 0 && k < mapping.length ? mapping[k] : -1;
      }
    } else {
      const strings = utf8Reader(arrow, d);
      const valid = d.nullCount > 0 ? (d.nullBitmap as Uint8Array) : undefined;
      for (let i = 0, j = d.offset; i < n; i++, j++) {
        // A null row's bytes (usually none) are not a value of the column.
        codes[at + i] = valid && ((valid[j >> 3] >> (j & 7)) & 1) === 0 ? -1 : intern(strings(i));
      }
    }
    if (d.nullCount > 0) {
      const valid = d.nullBitmap as Uint8Array;
      for (let i = 0, j = d.offset; i < n; i++, j++) if (((valid[j >> 3] >> (j & 7)) & 1) === 0) codes[at + i] = -1;
    }
    at += n;
  }
  return { codes, values };
}

function codesInRange(codes: Int32Array, size: number): boolean {
  for (let i = 0; i < codes.length; i++) if (codes[i] < 0 || codes[i] >= size) return false;
  return true;
}

/** A dictionary's strings (null where the dictionary holds a null). */
function stringsOf(arrow: ArrowModule, dict: Arrow.Vector): (string | null)[] {
  const out: (string | null)[] = [];
  for (const d of dict.data) {
    const get = utf8Reader(arrow, d);
    const valid = d.nullCount > 0 ? (d.nullBitmap as Uint8Array) : undefined;
    for (let i = 0, j = d.offset; i < d.length; i++, j++) {
      out.push(valid && ((valid[j >> 3] >> (j & 7)) & 1) === 0 ? null : get(i));
    }
  }
  return out;
}

/**
 * Row i's string of a Utf8, LargeUtf8 or Utf8View chunk (polars writes views), decoded by Node's
 * UTF-8 decoder (invalid bytes: U+FFFD).
 */
function utf8Reader(arrow: ArrowModule, d: Arrow.Data): (i: number) => string {
  const bytes = d.values as Uint8Array;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (arrow.DataType.isUtf8View(d.type)) {
    // 16 bytes a row: length, then the bytes inline (<= 12) or prefix, buffer index, offset.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const data = d.variadicBuffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    return (i) => {
      const at = i * 16;
      const len = view.getInt32(at, true);
      if (len <= 12) return buf.toString('utf8', at + 4, at + 4 + Math.max(len, 0));
      const from = data[view.getInt32(at + 8, true)];
      const offset = view.getInt32(at + 12, true);
      if (!from || offset < 0 || offset + len > from.length) {
        throw new KernelInputError('a string view', 'a range inside its data buffer', `row ${i}: ${len} bytes at ${offset}`);
      }
      return from.toString('utf8', offset, offset + len);
    };
  }
  if (arrow.DataType.isLargeUtf8(d.type)) {
    const off = d.valueOffsets as unknown as BigInt64Array;
    return (i) => buf.toString('utf8', Number(off[i]), Number(off[i + 1]));
  }
  const off = d.valueOffsets as Int32Array;
  return (i) => buf.toString('utf8', off[i], off[i + 1]);
}
