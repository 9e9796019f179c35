/**
 * Tables for `kernelbus factor`: a long panel in (one row per date and asset; CSV, TSV, gzip, Parquet,
 * Arrow or stdin, through kernelbus/io), factor returns and residuals out (any format writeTable
 * writes). The input needs a header naming its columns, in any order, case-insensitive (spaces and
 * dashes read as underscores); other columns are not read:
 * - date (or ts, time, timestamp): read as text (a Parquet or Arrow time as its ISO 8601 date, or date
 *   and time); dates sort as numbers when every one is a number, else as text (ISO 8601 dates sort right);
 * - symbol (or asset, ticker, id);
 * - sector (or industry): a name; empty for a missing one;
 * - returns (or return, ret, asset_returns): fractions;
 * - market_cap (or marketcap, mcap, cap): > 0;
 * - book_price, sales_price, cf_price (or bp / book_to_price, sp / sales_to_price, cfp / cash_flow_price /
 *   cf_to_price): the value style's ratios, optional (a column that is absent is missing everywhere).
 * A numeric field that is empty, NaN or NA is missing. A date without a row for an asset has it missing.
 */
import { KernelInputError } from '../errors.js';
import { writeTable } from '../io/index.js';
import { textColumn } from '../io/records.js';
import { type ReadTableOptions, readOpened } from '../io/read.js';
import { openSource } from '../io/source.js';
import { type ColumnType, isText, type Table, type TableColumn } from '../io/types.js';
import type { Matrix } from '../kernels/risk/risk.js';

const COLUMNS = {
  date: ['date', 'ts', 'time', 'timestamp'],
  symbol: ['symbol', 'asset', 'ticker', 'id'],
  sector: ['sector', 'industry'],
  returns: ['returns', 'return', 'ret', 'asset_returns'],
  market_cap: ['market_cap', 'marketcap', 'mcap', 'cap'],
  book_price: ['book_price', 'bp', 'book_to_price'],
  sales_price: ['sales_price', 'sp', 'sales_to_price'],
  cf_price: ['cf_price', 'cfp', 'cash_flow_price', 'cf_to_price'],
} as const;
type ColumnName = keyof typeof COLUMNS;
const REQUIRED: ColumnName[] = ['date', 'symbol', 'sector', 'returns', 'market_cap'];
const NUMERIC = ['returns', 'market_cap', 'book_price', 'sales_price', 'cf_price'] as const;
const TEXT = ['date', 'symbol', 'sector'] as const;

/** A panel read from a long table: T x N matrices (dates x assets), NaN missing, labelled (`index` the dates, `columns` the assets). */
export interface Panel {
  /** The dates, sorted. */
  dates: string[];
  /** The assets, in the order first seen. */
  assets: string[];
  /** Sector names, in the order first seen. */
  sectorNames: string[];
  /** Sector code per date and asset (an index into sectorNames), NaN missing. */
  sectors: Matrix;
  returns: Matrix;
  marketCap: Matrix;
  bookPrice: Matrix;
  salesPrice: Matrix;
  cashFlowPrice: Matrix;
  /** Whether the file has any of the ratio columns. */
  ratios: boolean;
  /** Data rows read. */
  rows: number;
  /** The read's report. */
  info?: Table['info'];
}

/** The file's column of each panel column (case-insensitive; spaces and dashes as underscores). */
function resolve(names: string[], file: string): Partial<Record<ColumnName, string>> {
  const normal = names.map((f) => f.toLowerCase().replace(/[\s-]+/g, '_'));
  const index: Partial<Record<ColumnName, string>> = {};
  for (const key of Object.keys(COLUMNS) as ColumnName[]) {
    const at = normal.findIndex((n) => (COLUMNS[key] as readonly string[]).includes(n));
    if (at >= 0) index[key] = names[at];
    else if (REQUIRED.includes(key))
      throw new KernelInputError(file, `a header with a ${key} column (${COLUMNS[key].join(', ')})`, JSON.stringify(names.join(',')));
  }
  return index;
}

/** Each row's text of a column (a number or time column of a Parquet or Arrow file as text). */
function texts(column: TableColumn, isTime: boolean): { codes: Int32Array; values: string[] } {
  if (isText(column)) return column;
  const values = Array.from(column, (x) => {
    if (!isTime || !Number.isFinite(x)) return String(x);
    const iso = new Date(x).toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  });
  return { codes: Int32Array.from(values.keys()), values };
}

/**
 * Reads a long panel (see the module comment); a bad header, a bad field or a second row for a date and
 * asset throws KernelInputError naming the file (and the line, or the row).
 */
export async function readPanel(path: string, options: Omit<ReadTableOptions, 'columns' | 'types' | 'required'> = {}): Promise<Panel> {
  const opened = await openSource(path, options, true);
  const name = opened.name;
  let table: Table;
  let index: Partial<Record<ColumnName, string>>;
  if (opened.format === 'csv') {
    if (opened.header === undefined) throw new KernelInputError(name, 'a CSV file with a header row', 'an empty file');
    index = resolve(opened.header, name);
    const types: Record<string, ColumnType> = {};
    for (const [key, column] of Object.entries(index)) types[column] = (TEXT as readonly string[]).includes(key) ? 'text' : 'number';
    table = await readOpened(opened, { ...options, columns: Object.values(index), types, required: [index.date!, index.symbol!] });
  } else {
    table = await readOpened(opened, options);
    index = resolve(table.names, name);
  }
  const n = table.rows;
  if (n === 0) throw new KernelInputError(name, 'at least one row of data', 'a header only');
  const column = (key: ColumnName) => table.columns[index[key]!];
  const date = texts(column('date'), table.types[index.date!] === 'time');
  const symbol = texts(column('symbol'), false);
  const sector = texts(column('sector'), false);
  const numbers = Object.fromEntries(
    NUMERIC.map((key) => {
      if (index[key] === undefined) return [key, new Float64Array(n).fill(NaN)];
      const c = column(key);
      if (isText(c)) throw new KernelInputError(name, `numbers in column ${index[key]}`, 'text');
      return [key, c];
    }),
  ) as Record<(typeof NUMERIC)[number], Float64Array>;
  for (const key of NUMERIC) {
    const values = numbers[key];
    for (let i = 0; i < n; i++) {
      const x = values[i];
      if (x === x && !(Number.isFinite(x) && (key !== 'market_cap' || x > 0))) {
        throw new KernelInputError(
          `${name}: row ${i + 1}`,
          `${key === 'market_cap' ? 'a number > 0' : 'a finite number'} or an empty field in column ${index[key]}`,
          String(x),
        );
      }
    }
  }

  // Codes per row: dates and assets as their text, sectors by name (missing: NaN).
  const dateOf = new Map<string, number>();
  const assetOf = new Map<string, number>();
  const sectorOf = new Map<string, number>();
  const code = (map: Map<string, number>, text: string) => map.get(text) ?? (map.set(text, map.size), map.size - 1);
  const rowDate = new Int32Array(n);
  const rowAsset = new Int32Array(n);
  const rowSector = new Float64Array(n);
  const firstRow = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const d = date.codes[i];
    const s = symbol.codes[i];
    if (d < 0 || s < 0)
      throw new KernelInputError(`${name}: row ${i + 1}`, `a value in column ${d < 0 ? 'date' : 'symbol'}`, 'an empty field');
    const dateText = date.values[d];
    const symbolText = symbol.values[s];
    const key = `${dateText}\u0000${symbolText}`;
    if (firstRow.has(key)) {
      throw new KernelInputError(
        `${name}: row ${i + 1}`,
        `one row per date and symbol (row ${firstRow.get(key)} has ${dateText} ${symbolText})`,
        'a second one',
      );
    }
    firstRow.set(key, i + 1);
    rowDate[i] = code(dateOf, dateText);
    rowAsset[i] = code(assetOf, symbolText);
    const c = sector.codes[i];
    rowSector[i] = c < 0 ? NaN : code(sectorOf, sector.values[c]);
  }

  // Dates sorted (as numbers when all are), assets in the order first seen.
  const raw = [...dateOf.keys()];
  const numeric = raw.every((d) => d.trim() !== '' && Number.isFinite(Number(d)));
  const dates = [...raw].sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const position = new Map(dates.map((d, t) => [d, t]));
  const rowOf = Int32Array.from(raw, (d) => position.get(d)!);
  const T = dates.length;
  const N = assetOf.size;
  const assets = [...assetOf.keys()];
  const panel = (source: Float64Array): Matrix => {
    const data = new Float64Array(T * N).fill(NaN);
    for (let i = 0; i < n; i++) data[rowOf[rowDate[i]] * N + rowAsset[i]] = source[i];
    return { data, rows: T, cols: N, index: dates, columns: assets };
  };
  return {
    dates,
    assets,
    sectorNames: [...sectorOf.keys()],
    sectors: panel(rowSector),
    returns: panel(numbers.returns),
    marketCap: panel(numbers.market_cap),
    bookPrice: panel(numbers.book_price),
    salesPrice: panel(numbers.sales_price),
    cashFlowPrice: panel(numbers.cf_price),
    ratios: index.book_price !== undefined || index.sales_price !== undefined || index.cf_price !== undefined,
    rows: n,
    info: table.info,
  };
}

/** factor returns, wide: `date,<names...>,r2,assets`, one row per date (assets: those in the fit). */
export async function writeFactorReturns(
  path: string,
  dates: readonly string[],
  names: readonly string[],
  factorReturns: Matrix,
  r2: Float64Array,
  count: Float64Array,
): Promise<void> {
  const K = factorReturns.cols;
  const T = dates.length;
  const columns: Table['columns'] = { date: textColumn(dates) };
  names.forEach((name, j) => {
    columns[name] = Float64Array.from({ length: T }, (_, t) => factorReturns.data[t * K + j]);
  });
  columns.r2 = r2;
  columns.assets = count;
  const all = ['date', ...names, 'r2', 'assets'];
  await writeTable(path, {
    rows: T,
    names: all,
    columns,
    types: Object.fromEntries(all.map((n, i) => [n, i === 0 ? 'text' : 'number'])),
  });
}

/** residuals, long: `date,symbol,residual`, one row per date and asset in that date's fit. Returns the rows written. */
export async function writeResiduals(
  path: string,
  dates: readonly string[],
  assets: readonly string[],
  residuals: Matrix,
): Promise<number> {
  const N = residuals.cols;
  const date: number[] = [];
  const asset: number[] = [];
  const value: number[] = [];
  for (let t = 0; t < dates.length; t++) {
    for (let c = 0; c < N; c++) {
      const e = residuals.data[t * N + c];
      if (Number.isFinite(e)) {
        date.push(t);
        asset.push(c);
        value.push(e);
      }
    }
  }
  await writeTable(path, {
    rows: value.length,
    names: ['date', 'symbol', 'residual'],
    columns: {
      date: { codes: Int32Array.from(date), values: [...dates] },
      symbol: { codes: Int32Array.from(asset), values: [...assets] },
      residual: Float64Array.from(value),
    },
    types: { date: 'text', symbol: 'text', residual: 'number' },
  });
  return value.length;
}
