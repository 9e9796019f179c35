/**
 * `kernelbus risk <returns> [options]`: per-asset performance statistics and VaR/ES of a table of
 * returns (CSV, TSV, gzip, Parquet, Arrow, stdin; wide: a date column and one column per asset, or
 * long: date, asset, return), and of a portfolio with --weights; with --benchmark, --rolling,
 * --drawdowns and --backtest the analytics of risk-analytics.ts, with --garch each column's volatility
 * model and its VaR backtest (risk-garch.ts); --out writes the statistics table.
 */
import { readFile } from 'node:fs/promises';
import type { Kernels } from '../api/kernels.js';
import { KernelInputError } from '../errors.js';
import { PERFORMANCE_DEFAULTS, VAR_DEFAULTS, type Matrix } from '../kernels/risk/risk.js';
import { DQ_REGRESSOR_SETS, type DqRegressors, VAR_BACKTEST_DEFAULTS } from '../kernels/risk/risk-analytics.js';
import type { ReadReturnsOptions } from '../io/returns.js';
import { toRecords } from '../kernels/labels.js';
import { GARCH_FLAGS, requireGarchFlag } from './garch-flags.js';
import { INPUT_FLAGS, INPUT_USAGE, progressLine, readJson, readOptions, skippedText, timeUnitText } from './input.js';
import { backendUsed } from './observe.js';
import { backtestSection, benchmarkSection, drawdownsSection, rollingSection, type Section } from './risk-analytics.js';
import { flag, onePositional, parseCommand, text, type Flag } from './options.js';
import { fixed, pct, table } from './summary.js';

export const RISK_USAGE = `Usage: kernelbus risk <returns.{csv,tsv,csv.gz,parquet,arrow}|-> [options]

Per-asset statistics (empyrical's definitions) and VaR/ES of a table of returns, wide (a date, ts or time
column, and one column per asset, one row per date) or long (date, asset or symbol, and return columns,
one row per date and asset: pivoted, a date without an asset's row is missing); an empty field, NaN or
NA is missing.

Options:
  --weights file        JSON weights of a portfolio: an array (one per column) or { "asset": w, ... }
  --confidence c        VaR/ES confidence (default ${VAR_DEFAULTS.confidence})
  --periods-per-year n  periods per year (default ${PERFORMANCE_DEFAULTS.periodsPerYear})
  --risk-free r         risk-free return per period (default ${PERFORMANCE_DEFAULTS.riskFree})
  --benchmark name      a column of the CSV: beta, alpha, captures, tracking error of every column against it
  --rolling n           rolling Sharpe and volatility (and beta with --benchmark) over n dates
  --drawdowns k         the k deepest drawdowns of each column (PerformanceAnalytics' table)
  --backtest var.csv    a CSV of VaR forecasts (positive losses, columns named as the returns', one row per
                        date): exceptions, Kupiec, Christoffersen and DQ p-values, the Basel zone
  --dq-regressors set   the DQ test's regressors with --backtest: gas (GAS's current DQOOStest: the constant,
                        the VaR, 4 lagged hits and the lagged squared return, chi-square(7)) or hits (without
                        the squared return: GAS's older form, chi-square(6)) (default gas)
  --garch vol           garch | gjr | egarch | aparch: each column's conditional volatility model (arch 8.0's, on
                        percent returns): parameters, persistence, half-life, long-run volatility, and the
                        VaR backtest of its garchVar (docs/volatility.md)
  --dist d              the model's errors: normal | t | skewt | ged (default normal)
  --garch-window n      the returns each garchVar fit takes (default 1000, or half a column's returns)
  --garch-refit n       dates between garchVar's refits (default 20)
  --backend b           auto | native | reference (default $KERNELBUS_BACKEND, else auto)
  --layout l            wide | long (default: long when there are asset and return columns)
  --symbol-column name  long layout: the asset column (default: asset, symbol, sym, ticker, instrument)
  --symbols A,B         only these assets (in this order)
  --out file            write the statistics, one row per asset (and the portfolio), as .csv, .tsv, .jsonl,
                        .parquet or .arrow (by extension); - : stdout

${INPUT_USAGE}`;

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
      throw new KernelInputError(
        '--weights',
        `an array of ${names.length} numbers (one per column)`,
        `${JSON.stringify(parsed).slice(0, 60)}`,
      );
    }
    return Float64Array.from(parsed as number[]);
  }
  if (typeof parsed === 'object' && parsed !== null) {
    const byName = parsed as Record<string, unknown>;
    const unknown = Object.keys(byName).filter((name) => !names.includes(name));
    if (unknown.length > 0)
      throw new KernelInputError('--weights', `weights of the CSV's columns (${names.join(', ')})`, `unknown ${unknown.join(', ')}`);
    return Float64Array.from(names, (name) => {
      const w = byName[name] ?? 0;
      if (typeof w !== 'number') throw new KernelInputError(`--weights.${name}`, 'a number', JSON.stringify(w));
      return w;
    });
  }
  throw new KernelInputError('--weights', 'an array or an object of weights', JSON.stringify(parsed));
}

/** The flags of `kernelbus risk`: numbers are checked for being numbers here, for their range by the kernels. */
const FLAGS = {
  weights: flag.string(),
  confidence: flag.finite(),
  'periods-per-year': flag.finite(),
  'risk-free': flag.finite(),
  benchmark: flag.string(),
  rolling: flag.optionalNumber(2, 1e9, true),
  drawdowns: flag.optionalNumber(1, 1e6, true),
  backtest: flag.string(),
  'dq-regressors': {
    type: 'string',
    parse: (raw, name) => {
      const value = text(raw) ?? VAR_BACKTEST_DEFAULTS.dqRegressors;
      if (!(DQ_REGRESSOR_SETS as readonly string[]).includes(value)) throw new KernelInputError(name, 'gas or hits', JSON.stringify(value));
      return value as DqRegressors;
    },
  } satisfies Flag<DqRegressors>,
  ...GARCH_FLAGS,
  'garch-window': flag.optionalNumber(1, 1e9, true),
  backend: flag.anyBackend(),
  layout: {
    type: 'string',
    parse: (raw, name) => {
      const value = text(raw);
      if (value !== undefined && value !== 'wide' && value !== 'long')
        throw new KernelInputError(name, 'wide or long', JSON.stringify(value));
      return value;
    },
  } satisfies Flag<'wide' | 'long' | undefined>,
  'symbol-column': flag.name(),
  symbols: flag.symbols(),
  out: flag.string(),
  ...INPUT_FLAGS,
};

/** The returns' columns `wanted` (in that order), else KernelInputError naming --symbols with the assets there are. */
export function selectAssets(returns: Matrix, assets: string[], wanted: string[] | undefined): { returns: Matrix; assets: string[] } {
  if (wanted === undefined) return { returns, assets };
  const unknown = wanted.filter((w) => !assets.includes(w));
  if (unknown.length > 0) {
    throw new KernelInputError('--symbols', `assets of the file (${assets.join(', ')})`, unknown.map((u) => JSON.stringify(u)).join(', '));
  }
  const picked = [...new Set(wanted)].map((w) => assets.indexOf(w));
  const columns = picked.map((c) => assets[c]);
  const data = new Float64Array(returns.rows * picked.length);
  for (let t = 0; t < returns.rows; t++) picked.forEach((c, j) => (data[t * picked.length + j] = returns.data[t * returns.cols + c]));
  return { returns: { data, rows: returns.rows, cols: picked.length, columns, index: returns.index }, assets: columns };
}

/** Runs the command with its arguments (without `risk`); output lines go to `log`. Returns the exit code. */
export async function runRisk(argv: string[], log = console.log): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => log(RISK_USAGE), positionals: onePositional('returns', 'one file') });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  // the reader loads once the options are parsed (--help loads nothing), and reads: the parse runs on
  // the addon's threads while the kernels and the writer load
  const { readReturns } = await import('../io/returns.js');
  const started = performance.now();
  const progress = progressLine('rows');
  const returnsOptions: ReadReturnsOptions = {
    ...readOptions(values, progress),
    ...(values.layout === undefined ? {} : { layout: values.layout }),
    ...(values['symbol-column'] === undefined ? {} : { assetColumn: values['symbol-column'] }),
  };
  let readMs = 0;
  const reading = readReturns(positionals[0], returnsOptions).then((r) => ((readMs = performance.now() - started), r));
  reading.catch(() => undefined); // awaited below: a fault of the options meanwhile (--out, --backend) leaves it handled
  const [{ commandKernels }, { writeFormatOf, writeTable }] = await Promise.all([import('./kernels.js'), import('../io/index.js')]);
  let read: Awaited<typeof reading>;
  let k: Kernels;
  try {
    if (values.out !== undefined) writeFormatOf(values.out, undefined, '--out');
    k = await commandKernels(values.backend);
    read = await reading;
  } finally {
    progress.done();
  }
  const { returns, assets: names } = selectAssets(read.returns, read.assets, values.symbols);
  const t0 = performance.now();
  const confidence = values.confidence ?? VAR_DEFAULTS.confidence;
  const periodsPerYear = values['periods-per-year'] ?? PERFORMANCE_DEFAULTS.periodsPerYear;
  const riskFree = values['risk-free'] ?? PERFORMANCE_DEFAULTS.riskFree;

  // The portfolio, when asked for, is one more column; the results carry the columns' names.
  let panel: Matrix = { ...returns, columns: names };
  if (values.weights !== undefined) {
    const portfolio = k.portfolioReturns(returns, await readWeights(values.weights, names));
    const data = new Float64Array(returns.rows * (returns.cols + 1));
    for (let t = 0; t < returns.rows; t++) {
      data.set(returns.data.subarray(t * returns.cols, (t + 1) * returns.cols), t * (returns.cols + 1));
      data[t * (returns.cols + 1) + returns.cols] = portfolio[t];
    }
    panel = { data, rows: returns.rows, cols: returns.cols + 1, columns: [...names, 'portfolio'], index: returns.index };
  }
  const labels = panel.columns as readonly string[];
  // the four kernels at once on the addon's thread pool (performanceStats runs on one thread): both cores
  const varOf = (method: 'historical' | 'gaussian' | 'cornish-fisher') => k.valueAtRiskAsync(panel, { method, confidence });
  const [stats, historical, gaussian, modified] = await Promise.all([
    k.performanceStatsAsync(panel, { periodsPerYear, riskFree }),
    varOf('historical'),
    varOf('gaussian'),
    varOf('cornish-fisher'),
  ]);

  const sections: Record<string, Section> = {};
  if (values.benchmark !== undefined) sections.benchmark = benchmarkSection(k, panel, labels, values.benchmark, periodsPerYear, riskFree);
  if (values.rolling !== undefined)
    sections.rolling = rollingSection(k, panel, labels, values.rolling, values.benchmark, periodsPerYear, riskFree);
  if (values.drawdowns !== undefined) sections.drawdowns = drawdownsSection(k, panel, labels, values.drawdowns);
  requireGarchFlag(values, ['dist', 'garch-window', 'garch-refit']);
  if (values.garch !== undefined) {
    const { garchSection } = await import('./risk-garch.js');
    sections.garch = await garchSection(k, panel, labels, {
      vol: values.garch,
      dist: values.dist ?? 'normal',
      ...(values['garch-window'] === undefined ? {} : { window: values['garch-window'] }),
      refit: values['garch-refit'] ?? 20,
      confidence,
      periodsPerYear,
      dqRegressors: values['dq-regressors'],
    });
  }
  if (values.backtest !== undefined) {
    const forecasts = await readReturns(values.backtest, readOptions(values, { done: () => undefined }));
    sections.backtest = backtestSection(k, panel, labels, forecasts.returns, forecasts.assets, confidence, values['dq-regressors']);
  }

  const computeMs = performance.now() - t0;
  const backend = await backendUsed(k.backend);
  if (values.out !== undefined) {
    // one row per column of returns: the statistics, labelled by the columns' names (toRecords' `name`)
    const figures = {
      annualReturn: stats.annualReturn,
      annualVolatility: stats.annualVolatility,
      sharpe: stats.sharpe,
      sortino: stats.sortino,
      maxDrawdown: stats.maxDrawdown,
      historicalVar: historical.var,
      historicalEs: historical.es,
      gaussianVar: gaussian.var,
      gaussianEs: gaussian.es,
      cornishFisherVar: modified.var,
      cornishFisherEs: modified.es,
    };
    await writeTable(
      values.out,
      toRecords(figures).map(({ name, ...row }) => ({ asset: name, ...row })),
    );
    if (values.out === '-') log = (line: string) => console.error(line);
  }
  if (values.json) {
    const round = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(10)) : null);
    const columns = labels.map((name, c) => ({
      name,
      annualReturn: round(stats.annualReturn[c]),
      annualVolatility: round(stats.annualVolatility[c]),
      sharpe: round(stats.sharpe[c]),
      sortino: round(stats.sortino[c]),
      maxDrawdown: round(stats.maxDrawdown[c]),
      historical: { var: round(historical.var[c]), es: round(historical.es[c]) },
      gaussian: { var: round(gaussian.var[c]), es: round(gaussian.es[c]) },
      cornishFisher: { var: round(modified.var[c]), es: round(modified.es[c]) },
    }));
    const extra = Object.fromEntries(Object.entries(sections).map(([key, section]) => [key, section.json]));
    log(
      JSON.stringify(
        {
          dates: returns.rows,
          assets: returns.cols,
          layout: read.info.layout,
          confidence,
          periodsPerYear,
          riskFree,
          backend,
          columns,
          ...extra,
          ...readJson(read.info, read.info.fileRows, readMs / 1000, computeMs / 1000, started / 1000),
          ...(values.out === undefined ? {} : { wrote: values.out }),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const percent = (x: number) => pct(x, 2);
  const num = (x: number) => fixed(x, 2);
  const header = [
    '',
    'ann.return',
    'ann.vol',
    'sharpe',
    'sortino',
    'max.dd',
    `hist.VaR`,
    'hist.ES',
    'gauss.VaR',
    'gauss.ES',
    'CF.VaR',
    'CF.ES',
  ];
  const rows = labels.map((name, c) => [
    name,
    percent(stats.annualReturn[c]),
    percent(stats.annualVolatility[c]),
    num(stats.sharpe[c]),
    num(stats.sortino[c]),
    percent(stats.maxDrawdown[c]),
    percent(historical.var[c]),
    percent(historical.es[c]),
    percent(gaussian.var[c]),
    percent(gaussian.es[c]),
    percent(modified.var[c]),
    percent(modified.es[c]),
  ]);
  log(
    `${returns.rows} dates x ${returns.cols} assets; VaR/ES at ${confidence}, one period, positive = loss; ${periodsPerYear} periods a year (${backend} backend)`,
  );
  for (const line of table(header, rows)) log(line);
  for (const section of Object.values(sections)) {
    log('');
    for (const line of section.lines) log(line);
  }
  const notes = [timeUnitText(read.info), skippedText(read.info)].filter((x) => x !== undefined);
  if (read.info.layout === 'long')
    notes.unshift(`long layout: ${read.info.fileRows} rows pivoted to ${returns.rows} dates x ${read.assets.length} assets`);
  log('');
  log(`read ${readMs.toFixed(1)} ms, compute ${computeMs.toFixed(1)} ms${values.out === undefined ? '' : `; wrote ${values.out}`}`);
  for (const note of notes) log(note);
  return 0;
}
