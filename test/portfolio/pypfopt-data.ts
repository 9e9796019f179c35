/**
 * PyPortfolioOpt's test data (test/fixtures/pypfopt/README.md): the 20 stocks' prices and SPY's, by
 * date, as its tests read them (pd.read_csv(..., index_col="date")), and the returns its HRP test
 * computes from them (df.pct_change().dropna(how="all"): p_t / p_(t-1) - 1, the first date dropped).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Matrix } from '../../src/index.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pypfopt');

/** A CSV of a date column and numeric columns (empty: NaN); the Matrix carries the columns' names. */
function readCsv(name: string): { dates: string[]; columns: string[]; data: Matrix } {
  const raw = name.endsWith('.gz') ? gunzipSync(readFileSync(join(DIR, name))).toString('utf8') : readFileSync(join(DIR, name), 'utf8');
  const lines = raw.trim().split('\n');
  const columns = lines[0].split(',').slice(1);
  const dates: string[] = [];
  const values: number[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    dates.push(cells[0]);
    for (let c = 1; c <= columns.length; c++) values.push(cells[c] === '' || cells[c] === undefined ? NaN : Number(cells[c]));
  }
  return { dates, columns, data: { data: Float64Array.from(values), rows: dates.length, cols: columns.length, columns } };
}

export const stocks = readCsv('stock_prices.csv.gz');

/** SPY's prices on the stocks' dates (NaN where it has none): capm_return's left join by date. */
export const spyOnStockDates: Float64Array = (() => {
  const spy = readCsv('spy_prices.csv.gz');
  const byDate = new Map(spy.dates.map((d, t) => [d, spy.data.data[t]]));
  return Float64Array.from(stocks.dates, (d) => byDate.get(d) ?? NaN);
})();

/** df.pct_change().dropna(how="all") of the stocks (only the first date is all NaN), their tickers as columns. */
export const stockReturns: Matrix = (() => {
  const { data, rows, cols } = stocks.data;
  const r = new Float64Array((rows - 1) * cols);
  for (let t = 1; t < rows; t++) for (let c = 0; c < cols; c++) r[(t - 1) * cols + c] = data[t * cols + c] / data[(t - 1) * cols + c] - 1;
  return { data: r, rows: rows - 1, cols, columns: stocks.columns };
})();

/** tests/resources/weights_hrp.csv: the HRP weights by ticker. */
export const hrpWeights: Map<string, number> = new Map(
  readFileSync(join(DIR, 'weights_hrp.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [ticker, w] = line.split(',');
      return [ticker, Number(w)] as const;
    }),
);
