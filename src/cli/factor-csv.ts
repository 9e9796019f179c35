/**
 * CSV for `kernelbus factor`: a long panel in (one row per date and asset), factor returns and
 * residuals out. The input needs a header row naming its columns, in any order, case-insensitive
 * (spaces and dashes read as underscores); other columns are ignored:
 * - date (or ts, time, timestamp): any text; dates sort as numbers when every one is a number, else as
 *   text (ISO 8601 dates sort right);
 * - symbol (or asset, ticker, id);
 * - sector (or industry): a name; empty for a missing one;
 * - returns (or return, ret, asset_returns): fractions;
 * - market_cap (or marketcap, mcap, cap): > 0;
 * - book_price, sales_price, cf_price (or bp / book_to_price, sp / sales_to_price, cfp / cash_flow_price /
 *   cf_to_price): the value style's ratios, optional (a column that is absent is missing everywhere).
 * A numeric field that is empty, NaN or NA is missing. A date without a row for an asset has it missing.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { KernelInputError } from '../errors.js';
import type { Matrix } from '../kernels/risk.js';
import { Column, type CsvOptions, csvRows, inputName } from './csv.js';

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

/** A panel read from a long CSV: T x N matrices (dates x assets), NaN missing. */
export interface PanelCsv {
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
}

/**
 * Reads a long panel CSV (see the module comment); a bad header, field or a second row for a date and
 * asset throws KernelInputError naming the file and line.
 */
export async function readPanelCsv(path: string, options: CsvOptions = {}): Promise<PanelCsv> {
  const name = inputName(path);
  let index: Partial<Record<ColumnName, number>> | undefined;
  const dateOf = new Map<string, number>();
  const assetOf = new Map<string, number>();
  const sectorOf = new Map<string, number>();
  const cells = { date: new Column(), asset: new Column(), sector: new Column() };
  const values = Object.fromEntries(NUMERIC.map((c) => [c, new Column()])) as Record<(typeof NUMERIC)[number], Column>;
  const lineOf = new Map<string, number>();
  for await (const { fields, line: lineNo, text: line } of csvRows(path, options)) {
    if (!index) {
      const names = fields.map((f) => f.toLowerCase().replace(/[\s-]+/g, '_'));
      index = {};
      for (const key of Object.keys(COLUMNS) as ColumnName[]) {
        const at = names.findIndex((n) => (COLUMNS[key] as readonly string[]).includes(n));
        if (at >= 0) index[key] = at;
        else if (REQUIRED.includes(key))
          throw new KernelInputError(
            `${name}:${lineNo}`,
            `a header with a ${key} column (${COLUMNS[key].join(', ')})`,
            JSON.stringify(line),
          );
      }
      continue;
    }
    const field = (key: ColumnName) => (index![key] === undefined ? '' : (fields[index![key]!] ?? ''));
    const date = field('date');
    const symbol = field('symbol');
    for (const [key, value] of [
      ['date', date],
      ['symbol', symbol],
    ] as const) {
      if (value === '') throw new KernelInputError(`${name}:${lineNo}`, `a value in column ${key}`, 'an empty field');
    }
    const key = `${date}\u0000${symbol}`;
    if (lineOf.has(key))
      throw new KernelInputError(
        `${name}:${lineNo}`,
        `one row per date and symbol (line ${lineOf.get(key)} has ${date} ${symbol})`,
        'a second one',
      );
    lineOf.set(key, lineNo);
    const code = (map: Map<string, number>, name: string) => map.get(name) ?? (map.set(name, map.size), map.size - 1);
    cells.date.push(code(dateOf, date));
    cells.asset.push(code(assetOf, symbol));
    const sector = field('sector');
    cells.sector.push(sector === '' ? NaN : code(sectorOf, sector));
    for (const column of NUMERIC) {
      const text = field(column);
      const missing = text === '' || text === 'NaN' || text === 'NA';
      const x = missing ? NaN : Number(text);
      if (!missing && !(Number.isFinite(x) && (column !== 'market_cap' || x > 0))) {
        throw new KernelInputError(
          `${name}:${lineNo}`,
          `${column === 'market_cap' ? 'a number > 0' : 'a finite number'} or an empty field in column ${column}`,
          JSON.stringify(text),
        );
      }
      values[column].push(x);
    }
  }
  if (!index) throw new KernelInputError(name, 'a CSV file with a header row', 'an empty file');
  if (lineOf.size === 0) throw new KernelInputError(name, 'at least one row of data', 'a header only');

  // Dates sorted (as numbers when all are), assets in the order first seen.
  const raw = [...dateOf.keys()];
  const numeric = raw.every((d) => d.trim() !== '' && Number.isFinite(Number(d)));
  const dates = [...raw].sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const position = new Map(dates.map((d, t) => [d, t]));
  const rowOf = Float64Array.from(raw, (d) => position.get(d)!);
  const T = dates.length;
  const N = assetOf.size;
  const panel = (source: Column): Matrix => {
    const data = new Float64Array(T * N).fill(NaN);
    for (let i = 0; i < source.length; i++) data[rowOf[cells.date.data[i]] * N + cells.asset.data[i]] = source.data[i];
    return { data, rows: T, cols: N };
  };
  return {
    dates,
    assets: [...assetOf.keys()],
    sectorNames: [...sectorOf.keys()],
    sectors: panel(cells.sector),
    returns: panel(values.returns),
    marketCap: panel(values.market_cap),
    bookPrice: panel(values.book_price),
    salesPrice: panel(values.sales_price),
    cashFlowPrice: panel(values.cf_price),
    ratios: index.book_price !== undefined || index.sales_price !== undefined || index.cf_price !== undefined,
    rows: lineOf.size,
  };
}

/** Writes rows to `path` (NaN written as an empty field). */
async function writeRows(path: string, header: string, rows: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  for (const row of rows) if (!out.write(`${row}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

const cell = (x: number) => (Number.isNaN(x) ? '' : String(x));

/** factor_returns.csv, wide: `date,<names...>,r2,assets`, one row per date (assets: those in the fit). */
export async function writeFactorReturnsCsv(
  path: string,
  dates: readonly string[],
  names: readonly string[],
  factorReturns: Matrix,
  r2: Float64Array,
  count: Float64Array,
): Promise<void> {
  const K = factorReturns.cols;
  await writeRows(
    path,
    ['date', ...names, 'r2', 'assets'].join(','),
    (function* () {
      for (let t = 0; t < dates.length; t++) {
        yield [dates[t], ...Array.from(factorReturns.data.subarray(t * K, (t + 1) * K), cell), cell(r2[t]), String(count[t])].join(',');
      }
    })(),
  );
}

/** residuals.csv, long: `date,symbol,residual`, one row per date and asset in that date's fit. */
export async function writeResidualsCsv(
  path: string,
  dates: readonly string[],
  assets: readonly string[],
  residuals: Matrix,
): Promise<number> {
  const N = residuals.cols;
  let written = 0;
  await writeRows(
    path,
    'date,symbol,residual',
    (function* () {
      for (let t = 0; t < dates.length; t++) {
        for (let c = 0; c < N; c++) {
          const e = residuals.data[t * N + c];
          if (Number.isFinite(e)) {
            written++;
            yield `${dates[t]},${assets[c]},${e}`;
          }
        }
      }
    })(),
  );
  return written;
}
