/**
 * `kernelbus risk <returns.csv> [options]`: per-column performance statistics and VaR/ES of a CSV of
 * returns (a header of asset names, one row per date), and of a portfolio with --weights.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { KernelInputError } from '../errors.js';
import { kernels, type BackendChoice } from '../api/kernels.js';
import { PERFORMANCE_DEFAULTS, VAR_DEFAULTS, type Matrix } from '../kernels/risk.js';
import { readReturnsCsv } from './csv.js';

export const RISK_USAGE = `Usage: kernelbus risk <returns.csv> [options]

Per-column statistics (empyrical's definitions) and VaR/ES of a CSV of returns: a header row of asset
names (a date/ts/time column is skipped), one row per date; an empty field, NaN or NA is missing.

Options:
  --weights file        JSON weights of a portfolio: an array (one per column) or { "asset": w, ... }
  --confidence c        VaR/ES confidence (default ${VAR_DEFAULTS.confidence})
  --periods-per-year n  periods per year (default ${PERFORMANCE_DEFAULTS.periodsPerYear})
  --risk-free r         risk-free return per period (default ${PERFORMANCE_DEFAULTS.riskFree})
  --backend b           auto | native | reference (default auto)
`;

function number(value: string, flag: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x)) throw new KernelInputError(flag, 'a number', JSON.stringify(value));
  return x;
}

/** The --weights file: an array in column order, or an object by asset name (missing assets weigh 0). */
async function readWeights(path: string, names: string[]): Promise<Float64Array> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    throw new KernelInputError('--weights', 'a JSON file', (error as Error).message);
  }
  if (Array.isArray(parsed)) {
    if (parsed.length !== names.length || !parsed.every((w) => typeof w === 'number')) {
      throw new KernelInputError('--weights', `an array of ${names.length} numbers (one per column)`, `${JSON.stringify(parsed).slice(0, 60)}`);
    }
    return Float64Array.from(parsed as number[]);
  }
  if (typeof parsed === 'object' && parsed !== null) {
    const byName = parsed as Record<string, unknown>;
    const unknown = Object.keys(byName).filter((name) => !names.includes(name));
    if (unknown.length > 0) throw new KernelInputError('--weights', `weights of the CSV's columns (${names.join(', ')})`, `unknown ${unknown.join(', ')}`);
    return Float64Array.from(names, (name) => {
      const w = byName[name] ?? 0;
      if (typeof w !== 'number') throw new KernelInputError(`--weights.${name}`, 'a number', JSON.stringify(w));
      return w;
    });
  }
  throw new KernelInputError('--weights', 'an array or an object of weights', JSON.stringify(parsed));
}

export async function runRisk(argv: string[], log = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      weights: { type: 'string' },
      confidence: { type: 'string' },
      'periods-per-year': { type: 'string' },
      'risk-free': { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    log(RISK_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new KernelInputError('returns.csv', 'one CSV file', `${positionals.length} arguments`);
  const { returns, names } = await readReturnsCsv(positionals[0]);
  const confidence = values.confidence === undefined ? VAR_DEFAULTS.confidence : number(values.confidence, '--confidence');
  const periodsPerYear = values['periods-per-year'] === undefined ? PERFORMANCE_DEFAULTS.periodsPerYear : number(values['periods-per-year'], '--periods-per-year');
  const riskFree = values['risk-free'] === undefined ? PERFORMANCE_DEFAULTS.riskFree : number(values['risk-free'], '--risk-free');
  const k = kernels({ backend: values.backend as BackendChoice });

  // The portfolio, when asked for, is one more column.
  const labels = [...names];
  let table: Matrix = returns;
  if (values.weights !== undefined) {
    const portfolio = k.portfolioReturns(returns, await readWeights(values.weights, names));
    const data = new Float64Array(returns.rows * (returns.cols + 1));
    for (let t = 0; t < returns.rows; t++) {
      data.set(returns.data.subarray(t * returns.cols, (t + 1) * returns.cols), t * (returns.cols + 1));
      data[t * (returns.cols + 1) + returns.cols] = portfolio[t];
    }
    table = { data, rows: returns.rows, cols: returns.cols + 1 };
    labels.push('portfolio');
  }
  const stats = k.performanceStats(table, { periodsPerYear, riskFree });
  const varOf = (method: 'historical' | 'gaussian' | 'cornish-fisher') => k.valueAtRisk(table, { method, confidence });
  const [historical, gaussian, modified] = [varOf('historical'), varOf('gaussian'), varOf('cornish-fisher')];

  const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : '-');
  const num = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
  const header = ['', 'ann.return', 'ann.vol', 'sharpe', 'sortino', 'max.dd', `hist.VaR`, 'hist.ES', 'gauss.VaR', 'gauss.ES', 'CF.VaR', 'CF.ES'];
  const rows = labels.map((name, c) => [
    name,
    pct(stats.annualReturn[c]),
    pct(stats.annualVolatility[c]),
    num(stats.sharpe[c]),
    num(stats.sortino[c]),
    pct(stats.maxDrawdown[c]),
    pct(historical.var[c]),
    pct(historical.es[c]),
    pct(gaussian.var[c]),
    pct(gaussian.es[c]),
    pct(modified.var[c]),
    pct(modified.es[c]),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  log(`${returns.rows} dates x ${returns.cols} assets; VaR/ES at ${confidence}, one period, positive = loss; ${periodsPerYear} periods a year (${k.backend} backend)`);
  log(line(header));
  for (const r of rows) log(line(r));
  return 0;
}
