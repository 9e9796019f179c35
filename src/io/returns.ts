/**
 * Returns from a table file (`kernelbus/io`), as the risk and portfolio kernels take them: a T x N
 * matrix (rows = dates, ascending; columns = assets) with the asset names and the dates. Two layouts:
 * - wide: a date column (date, ts, time, timestamp or datetime; optional) and one number column per
 *   asset;
 * - long: a date column, an asset column (asset, symbol, sym, ticker, instrument) and a return column
 *   (return, returns, ret), one row per date and asset; pivoted, a date without a row for an asset
 *   has its return missing (NaN).
 * The layout is `options.layout`, else long when the header has both an asset and a return column.
 * Dates: ISO 8601 (UTC without an offset) or epoch numbers (a Parquet or Arrow time as it is); a date
 * column holding anything else (labels such as `d0`) keeps the file's order (long: sorts as text) and
 * gives NaN dates.
 * A wide CSV from a path or bytes is read by the addon in one call (returns-native.ts); the code here
 * (readTable, then the matrix assembled in JS) is the reference it is tested against, and reads the
 * rest: streams, the long layout, Parquet and Arrow.
 */
import { KernelInputError } from '../errors.js';
import type { Matrix } from '../kernels/risk/risk.js';
import { parseIsoTime } from './csv-reference.js';
import { type ReadTableOptions, readOpened } from './read.js';
import { readWideNative } from './returns-native.js';
import { openSource, type TableSource } from './source.js';
import { type ColumnType, isText, type ReadInfo, type Table, type TableColumn, type TextColumn } from './types.js';

const DATE = ['date', 'ts', 'time', 'timestamp', 'datetime'];
const ASSET = ['asset', 'symbol', 'sym', 'ticker', 'instrument'];
const RETURN = ['return', 'returns', 'ret'];

/** Options of readReturns: readTable's (less the columns and types it sets), and the layout. */
export interface ReadReturnsOptions extends Omit<ReadTableOptions, 'columns' | 'types' | 'required'> {
  /** wide or long (default: long when the header has an asset and a return column). */
  layout?: 'wide' | 'long';
  /** Long layout: the asset column's name (default: the first of the ASSET names the header has). */
  assetColumn?: string;
}

/** What readReturns returns. */
export interface ReturnsRead {
  /** T x N: rows are the dates (ascending), columns the assets; NaN missing; labelled (`columns` the assets, `index` the dates where the file has them). */
  returns: Matrix;
  /** The column names (wide) or the asset column's values in order of first appearance (long). */
  assets: string[];
  /** Each row's date, epoch ms (NaN everywhere when the file has no date column). */
  dates: Float64Array;
  /** The read's report, the layout, and the rows of the file (long: one per date and asset). */
  info: ReadInfo & { layout: 'wide' | 'long'; fileRows: number };
}

const find = (names: string[], aliases: string[]) => names.find((n) => aliases.includes(n.toLowerCase()));

/** The row order that sorts `dates` ascending (stable), or undefined when they already are. */
function ascending(dates: Float64Array): Int32Array | undefined {
  let sorted = true;
  for (let i = 1; i < dates.length && sorted; i++) sorted = !(dates[i] < dates[i - 1]);
  if (sorted) return undefined;
  return Int32Array.from(dates.keys()).sort((a, b) => dates[a] - dates[b] || a - b);
}

const encoder = new TextEncoder();

/**
 * A date's text as epoch ms: ISO 8601 as the CSV reader reads a time (docs/io.md "Times"; UTC without
 * an offset), or a plain number `[+-]?digits[.digits]` as it is; else NaN. native/io/csv_returns.cpp's
 * parseDate is the same rule.
 */
export function parseDate(text: string): number {
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return Number(text);
  const bytes = encoder.encode(text);
  return parseIsoTime(bytes, 0, bytes.length) ?? Number.NaN;
}

/**
 * Each row's date: a number or time column as it is; a text column's ISO 8601 dates as epoch ms (or
 * plain numbers as they are). `parsed` is false when some text is neither: then `key` orders the rows
 * by the text (for sorting) and the dates are unknown.
 */
function datesOf(column: TableColumn): { key: Float64Array; parsed: boolean } {
  if (!isText(column)) return { key: column, parsed: true };
  const { codes, values } = column;
  let byCode = values.map(parseDate);
  const parsed = byCode.every((x) => x === x);
  if (!parsed) {
    const order = values.map((_, i) => i).sort((a, b) => (values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : 0));
    byCode = new Array(values.length);
    order.forEach((c, rank) => {
      byCode[c] = rank;
    });
  }
  return { key: Float64Array.from(codes, (c) => (c < 0 ? Number.NaN : byCode[c])), parsed };
}

/** A column as numbers, else KernelInputError naming the file and column. */
function numbers(table: Table, column: string, name: string, what: string): Float64Array {
  const c = table.columns[column];
  if (isText(c)) throw new KernelInputError(name, `${what} in column ${column}`, 'text');
  return c;
}

/**
 * Reads returns from a CSV/TSV (gzip too), Parquet or Arrow file, bytes or a stream (readTable's
 * sources), wide or long (see the module comment). Throws KernelInputError naming the file for a header
 * without assets, a text column among the assets, a missing date, or two rows for one date and asset.
 */
export async function readReturns(source: TableSource, options: ReadReturnsOptions = {}): Promise<ReturnsRead> {
  const { layout: given, assetColumn, ...rest } = options;
  if (given !== undefined && given !== 'wide' && given !== 'long') {
    throw new KernelInputError('options.layout', "'wide' or 'long'", JSON.stringify(given));
  }
  const opened = await openSource(source, rest, true);
  const name = opened.name;
  let names = opened.header;
  let table: Table | undefined;
  if (opened.format === 'csv') {
    if (names === undefined) throw new KernelInputError(name, 'a CSV file with a header row', 'an empty file');
  } else {
    table = await readOpened(opened, rest);
    names = table.names;
  }
  const header = JSON.stringify(names.join(','));
  const date = find(names, DATE);
  const asset = assetColumn === undefined ? find(names, ASSET) : names.find((n) => n.toLowerCase() === assetColumn.toLowerCase());
  if (assetColumn !== undefined && asset === undefined) {
    throw new KernelInputError('options.assetColumn', `a column of the header ${header}`, JSON.stringify(assetColumn));
  }
  const ret = find(names, RETURN);
  const layout = given ?? (asset !== undefined && (ret !== undefined || assetColumn !== undefined) ? 'long' : 'wide');
  if (layout === 'long') {
    if (date === undefined || asset === undefined || ret === undefined) {
      throw new KernelInputError(
        name,
        `a long header with date (${DATE.join(', ')}), asset (${ASSET.join(', ')}) and return (${RETURN.join(', ')}) columns`,
        header,
      );
    }
    table ??= await readOpened(opened, {
      ...rest,
      columns: [date, asset, ret],
      types: { [date]: 'text', [asset]: 'text', [ret]: 'number' },
      required: [date, asset],
    });
    return pivot(table, name, date, asset, ret);
  }
  const assets = names.filter((n) => n !== date);
  if (assets.length === 0) throw new KernelInputError(name, 'a header with at least one asset column', header);
  const N = assets.length;
  if (table === undefined) {
    const native = await readWideNative(opened.input, name, opened.delimiter, names, date, rest as Record<string, unknown>);
    if (native) {
      const { data, rows, dates, info } = native;
      return { returns: labelled(data, rows, N, assets, dates), assets, dates, info: { ...info, layout: 'wide', fileRows: rows } };
    }
    const types: Record<string, ColumnType> = Object.fromEntries(assets.map((a) => [a, 'number']));
    if (date !== undefined) types[date] = 'text';
    table = await readOpened(opened, { ...rest, types, ...(date === undefined ? {} : { required: [date] }) });
  }
  const T = table.rows;
  const columns = assets.map((a) => numbers(table, a, name, 'returns (numbers)'));
  const read = date === undefined ? undefined : datesOf(table.columns[date]);
  // dates that are not dates (e.g. labels): unknown, and the rows in the file's order
  const dates = read?.parsed ? read.key : new Float64Array(T).fill(Number.NaN);
  const order = read?.parsed ? ascending(dates) : undefined;
  const data = new Float64Array(T * N);
  for (let t = 0; t < T; t++) {
    const row = order ? order[t] : t;
    for (let c = 0; c < N; c++) data[t * N + c] = columns[c][row];
  }
  const sorted = order ? Float64Array.from(order, (r) => dates[r]) : Float64Array.from(dates);
  return {
    returns: labelled(data, T, N, assets, sorted),
    assets,
    dates: sorted,
    info: { ...infoOf(table, name, opened.format), layout: 'wide', fileRows: T },
  };
}

/** The returns matrix labelled by the assets and, where the file has them, the dates (labels.ts). */
function labelled(data: Float64Array, rows: number, cols: number, assets: string[], dates: Float64Array): Matrix {
  const dated = dates.some((d) => !Number.isNaN(d));
  return dated ? { data, rows, cols, columns: assets, index: dates } : { data, rows, cols, columns: assets };
}

/** The read's report (a reader that gave none: zeros). */
function infoOf(table: Table, name: string, format: ReadInfo['format']): ReadInfo {
  return table.info ?? { source: name, format, bytes: 0, skippedRows: 0, timeUnits: {}, seconds: 0 };
}

/** The long table pivoted: dates ascending, assets in order of first appearance. */
function pivot(table: Table, name: string, date: string, asset: string, ret: string): ReturnsRead {
  const { key: when, parsed } = datesOf(table.columns[date]);
  const returnOf = numbers(table, ret, name, 'returns (numbers)');
  const who = table.columns[asset];
  const symbols: TextColumn = isText(who) ? who : { codes: Int32Array.from(who.keys()), values: Array.from(who, (x) => String(x)) };
  const n = table.rows;
  // assets: the dictionary's values, each once, in order of first appearance
  const assetOf = new Map<string, number>();
  const codeToAsset = new Int32Array(symbols.values.length).fill(-1);
  for (let i = 0; i < n; i++) {
    const code = symbols.codes[i];
    if (code < 0 || when[i] !== when[i]) {
      throw new KernelInputError(`${name}: row ${i + 1}`, `a ${code < 0 ? 'symbol' : 'date'}`, 'a missing value');
    }
    if (codeToAsset[code] < 0) {
      const v = symbols.values[code];
      let a = assetOf.get(v);
      if (a === undefined) {
        a = assetOf.size;
        assetOf.set(v, a);
      }
      codeToAsset[code] = a;
    }
  }
  const unique = Float64Array.from(new Set(when)).sort();
  const rowOf = new Map<number, number>();
  unique.forEach((d, t) => rowOf.set(d, t));
  const T = unique.length;
  const N = assetOf.size;
  const data = new Float64Array(T * N).fill(NaN);
  const seen = new Uint8Array(T * N);
  const assets = [...assetOf.keys()];
  for (let i = 0; i < n; i++) {
    const cell = rowOf.get(when[i])! * N + codeToAsset[symbols.codes[i]];
    if (seen[cell]) {
      const column = table.columns[date];
      const day = isText(column) ? column.values[column.codes[i]] : String(when[i]);
      throw new KernelInputError(`${name}: row ${i + 1}`, 'one row per date and asset', `a second row for ${assets[cell % N]} at ${day}`);
    }
    seen[cell] = 1;
    data[cell] = returnOf[i];
  }
  const dates = parsed ? unique : new Float64Array(T).fill(Number.NaN);
  return {
    returns: labelled(data, T, N, assets, dates),
    assets,
    dates,
    info: { ...infoOf(table, name, table.info?.format ?? 'csv'), layout: 'long', fileRows: n },
  };
}
