/**
 * `kernelbus optimize <returns> --method ...`: a portfolio of a table of returns (CSV, TSV, gzip,
 * Parquet, Arrow, stdin; wide or long, as `kernelbus risk` reads them) by one of the portfolio family's
 * optimizers, printed as weights with their risk contributions; --out writes them as a table.
 */
import { readFile } from 'node:fs/promises';
import type { Kernels } from '../api/kernels.js';
import { commandKernels } from './kernels.js';
import { KernelInputError } from '../errors.js';
import { LINKAGE_METHODS, type LinkageMethod } from '../kernels/portfolio/portfolio-allocation.js';
import { COVARIANCE_METHODS, type CovarianceMethod, type Matrix } from '../kernels/risk/risk.js';
import { writeFormatOf, writeTable } from '../io/index.js';
import { readReturns } from '../io/returns.js';
import { INPUT_FLAGS, INPUT_USAGE, progressLine, readJson, readOptions } from './input.js';
import { backendUsed } from './observe.js';
import { flag, onePositional, parseCommand } from './options.js';
import { selectAssets } from './risk.js';
import { pct, table } from './summary.js';

/** The methods and what each computes from the returns (weights in the CSV's column order) with the covariance it used. */
const METHODS: Record<string, (k: Kernels, returns: Matrix, cov: Matrix, o: MethodOptions) => Float64Array> = {
  'min-variance': (k, _r, cov, o) => k.minVariance(cov, o.constraints).weights,
  // PyPortfolioOpt's recipe: mean_historical_return (annual CAGR) with the covariance annualised
  'max-sharpe': (k, returns, cov, o) => {
    const mean = k.expectedReturns(returns, { returnsData: true, frequency: o.frequency });
    const annual = { ...cov, data: cov.data.map((x) => x * o.frequency) };
    return k.maxSharpe(mean, annual, { ...o.constraints, riskFree: o.riskFree }).weights;
  },
  'risk-parity': (k, _r, cov) => k.riskParity(cov).weights,
  hrp: (k, returns, _c, o) => k.hrp(returns, { linkage: o.linkage }).weights,
};
/** The methods that take --bounds and --sectors. */
const CONSTRAINED = ['min-variance', 'max-sharpe'];

interface MethodOptions {
  constraints: {
    bounds?: { lower: number; upper: number };
    sectors?: Int32Array;
    sectorBounds?: { lower: Float64Array; upper: Float64Array };
  };
  linkage: LinkageMethod;
  frequency: number;
  riskFree: number;
}

export const OPTIMIZE_USAGE = `Usage: kernelbus optimize <returns.{csv,tsv,csv.gz,parquet,arrow}|-> --method m [options]

A portfolio of the assets of a table of returns (wide: a date/ts/time column and one column per asset,
one row per date; or long: date, asset or symbol, return; an empty field, NaN or NA is missing), printed
as each asset's weight and risk contribution w_i (S w)_i / w'Sw, with the portfolio's annualised
volatility.

Options:
  --method m            ${Object.keys(METHODS).join(' | ')} (required):
                        min-variance: PyPortfolioOpt EfficientFrontier.min_volatility on the covariance;
                        max-sharpe: EfficientFrontier.max_sharpe with mean_historical_return (annual
                        CAGR) and the covariance x frequency; risk-parity: equal risk contributions;
                        hrp: PyPortfolioOpt HRPOpt(returns)
  --bounds lo,hi        every weight in [lo, hi] (min-variance, max-sharpe; default 0,1: long only)
  --sectors file        JSON { "assets": { "<asset>": "<sector>", ... }, "bounds": { "<sector>": [lo, hi], ... } }:
                        bounds on each sector's total weight (min-variance, max-sharpe); a sector
                        without bounds, and the assets not in "assets", are unbounded
  --risk-free r         max-sharpe's annual risk-free rate (default 0, as max_sharpe's)
  --estimator e         covariance of the returns: ${COVARIANCE_METHODS.join(', ')} (default sample)
  --linkage l           hrp's linkage: ${LINKAGE_METHODS.join(', ')} (default single)
  --frequency n         periods a year, for the annualised volatility (default 252)
  --backend b           auto | native | reference (default $KERNELBUS_BACKEND, else auto)
  --symbols A,B         only these assets (in this order)
  --out file            write asset, weight, riskContribution as .csv, .tsv, .jsonl, .parquet or .arrow

${INPUT_USAGE}`;

const FLAGS = {
  method: flag.string(),
  bounds: flag.string(),
  sectors: flag.string(),
  estimator: flag.string(),
  linkage: flag.string(),
  frequency: flag.finite(),
  'risk-free': flag.finite(),
  backend: flag.anyBackend(),
  symbols: flag.symbols(),
  out: flag.string(),
  ...INPUT_FLAGS,
};

/** `--bounds lo,hi`: two numbers, lo <= hi. */
function parseBounds(text: string): { lower: number; upper: number } {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || !parts.every((x) => !Number.isNaN(x)) || !(parts[0] <= parts[1])) {
    throw new KernelInputError('--bounds', 'lo,hi: two numbers, lo <= hi', JSON.stringify(text));
  }
  return { lower: parts[0], upper: parts[1] };
}

/** The sector of the assets a --sectors file does not name: unbounded, so it constrains nothing. */
const UNSECTORED = '\u0000none';

/**
 * The --sectors file as codes per asset (in `names` order) and bounds per code: a sector without bounds,
 * and the assets the file does not name, are unbounded.
 */
async function readSectors(path: string, names: string[]): Promise<MethodOptions['constraints']> {
  let parsed: { assets?: Record<string, unknown>; bounds?: Record<string, unknown> };
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    throw new KernelInputError('--sectors', 'a JSON file', (error as Error).message);
  }
  const { assets, bounds } = parsed ?? {};
  if (typeof assets !== 'object' || assets === null || typeof bounds !== 'object' || bounds === null) {
    throw new KernelInputError(
      '--sectors',
      'an object { assets: { asset: sector }, bounds: { sector: [lo, hi] } }',
      JSON.stringify(parsed).slice(0, 60),
    );
  }
  // A sector of `assets` without bounds is unbounded, and so is the group of the assets `assets` leaves out.
  const of = names.map((name) => {
    const sector = assets[name] ?? UNSECTORED;
    if (typeof sector !== 'string')
      throw new KernelInputError(`--sectors.assets.${name}`, 'a sector name (a string)', JSON.stringify(sector));
    return sector;
  });
  const sectorNames = [...new Set([...Object.keys(bounds), ...of])];
  const sectors = Int32Array.from(of, (sector) => sectorNames.indexOf(sector));
  const lower = new Float64Array(sectorNames.length).fill(Number.NEGATIVE_INFINITY);
  const upper = new Float64Array(sectorNames.length).fill(Number.POSITIVE_INFINITY);
  sectorNames.forEach((s, i) => {
    if (!Object.hasOwn(bounds, s)) return;
    const b = bounds[s];
    if (!Array.isArray(b) || b.length !== 2 || typeof b[0] !== 'number' || typeof b[1] !== 'number') {
      throw new KernelInputError(`--sectors.bounds.${s}`, '[lo, hi]', JSON.stringify(b));
    }
    [lower[i], upper[i]] = b;
  });
  return { sectors, sectorBounds: { lower, upper } };
}

/** Runs the command with its arguments (without `optimize`); output lines go to `log`. Returns the exit code. */
export async function runOptimize(argv: string[], log = console.log): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => log(OPTIMIZE_USAGE), positionals: onePositional('returns', 'one file') });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const method = values.method;
  if (method === undefined || !(method in METHODS)) {
    throw new KernelInputError('--method', Object.keys(METHODS).join(', '), method === undefined ? 'nothing' : JSON.stringify(method));
  }
  for (const name of ['bounds', 'sectors'] as const) {
    if (values[name] !== undefined && !CONSTRAINED.includes(method)) {
      throw new KernelInputError(`--${name}`, `an option of --method ${CONSTRAINED.join(', ')}`, `--method ${method}`);
    }
  }
  const estimator = (values.estimator ?? 'sample') as CovarianceMethod;
  if (!COVARIANCE_METHODS.includes(estimator))
    throw new KernelInputError('--estimator', COVARIANCE_METHODS.join(', '), JSON.stringify(estimator));
  const linkage = (values.linkage ?? 'single') as LinkageMethod;
  if (!LINKAGE_METHODS.includes(linkage)) throw new KernelInputError('--linkage', LINKAGE_METHODS.join(', '), JSON.stringify(linkage));
  const frequency = values.frequency ?? 252;
  if (!(frequency > 0)) throw new KernelInputError('--frequency', 'a number > 0', String(frequency));
  if (values.out !== undefined) writeFormatOf(values.out, undefined, '--out');
  const started = performance.now();
  const progress = progressLine('rows');
  let read: Awaited<ReturnType<typeof readReturns>>;
  try {
    read = await readReturns(positionals[0], readOptions(values, progress));
  } finally {
    progress.done();
  }
  const readMs = performance.now() - started;
  const { returns, assets: names } = selectAssets(read.returns, read.assets, values.symbols);
  const t0 = performance.now();
  const constraints: MethodOptions['constraints'] = {
    ...(values.bounds === undefined ? {} : { bounds: parseBounds(values.bounds) }),
    ...(values.sectors === undefined ? {} : await readSectors(values.sectors, names)),
  };
  const k = await commandKernels(values.backend);
  const cov = k.covariance(returns, { method: estimator });
  const riskFree = values['risk-free'] ?? 0;
  const weights = METHODS[method](k, returns, cov, { constraints, linkage, frequency, riskFree });
  const n = weights.length;
  const Sw = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Sw[i] += cov.data[i * n + j] * weights[j];
  const variance = weights.reduce((s, w, i) => s + w * Sw[i], 0);
  const contributions = Array.from(weights, (w, i) => (w * Sw[i]) / variance);
  const volatility = Math.sqrt(variance * frequency);
  const computeMs = performance.now() - t0;
  const backend = await backendUsed(k.backend);
  if (values.out !== undefined) {
    await writeTable(values.out, {
      rows: n,
      names: ['asset', 'weight', 'riskContribution'],
      columns: {
        asset: { codes: Int32Array.from(names.keys()), values: names },
        weight: Float64Array.from(weights),
        riskContribution: Float64Array.from(contributions),
      },
      types: { asset: 'text', weight: 'number', riskContribution: 'number' },
    });
    if (values.out === '-') log = (line: string) => console.error(line);
  }
  if (values.json) {
    const round = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(10)) : null);
    const assets = names.map((name, i) => ({ name, weight: round(weights[i]), riskContribution: round(contributions[i]) }));
    const readReport = readJson(read.info, read.info.fileRows, readMs / 1000, computeMs / 1000);
    log(
      JSON.stringify(
        { method, estimator, dates: returns.rows, volatility: round(volatility), frequency, backend, assets, ...readReport },
        null,
        2,
      ),
    );
    return 0;
  }
  log(
    `${method} of ${returns.rows} dates x ${n} assets (covariance: ${estimator}; ${backend} backend); annualised volatility ${pct(volatility, 2)}`,
  );
  for (const line of table(
    ['', 'weight', 'risk'],
    names.map((name, i) => [name, pct(weights[i], 2), pct(contributions[i], 2)]),
  ))
    log(line);
  return 0;
}
