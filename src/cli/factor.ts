/**
 * `kernelbus factor <panel> [options]`: the styles (momentum, size, value) and the market, sector
 * and style factor returns of a long panel (CSV, TSV, gzip, Parquet, Arrow; ./factor-table.ts), by the
 * factor kernels over the whole panel (./../engines/factor-fit.ts, as FactorEngine computes each date);
 * prints the fit per date and a factor return table, and writes factor_returns and residuals with --out.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { commandKernels } from './kernels.js';
import { FACTOR_ENGINE_DEFAULTS, FACTOR_STYLES, type FactorStyle } from '../engines/factor-messages.js';
import { estimateFactors } from '../engines/factor-fit.js';
import { KernelInputError } from '../errors.js';
import type { Matrix } from '../kernels/risk/risk.js';
import { readPanel, writeFactorReturns, writeResiduals } from './factor-table.js';
import { INPUT_FLAGS, INPUT_USAGE, progressLine, readJson, readOptions, skippedText } from './input.js';
import { backendUsed } from './observe.js';
import { alignOptions, flag, onePositional, parseCommand, parseNumber, text, type Flag } from './options.js';
import { fixed, pct, table } from './summary.js';

const M = FACTOR_ENGINE_DEFAULTS.momentum;

export const FACTOR_USAGE = `Usage: kernelbus factor <panel.{csv,tsv,csv.gz,parquet,arrow}|-> [options]

Style scores and factor returns (toraniko's conventions: market + sectors summing to 0 + styles by
weighted least squares per date, weights sqrt(market cap)) of a long table with one row per date and
asset. Header (any order, case-insensitive): date, symbol, sector, returns, market_cap, and for the
value style book_price, sales_price, cf_price (aliases: ts/time, asset/ticker, industry, ret/
asset_returns, mcap/cap, bp, sp, cfp/cash_flow_price). An empty field, NaN or NA is missing.

Prints the fit per date (cap-weighted R2 of the assets in it) and per factor the mean, sd and t-stat
of its returns over the dates with a fit, with the last dates' values.

Options:
  --out path              write factor_returns.csv (wide: date, one column per factor, r2, assets) and
                          residuals.csv (long: date, symbol, residual) into a directory (existing, or
                          a path ending in /), or to <path>factor_returns.csv etc. (a prefix)
  --out-format f          the files' format: csv, tsv, jsonl, parquet or arrow (default csv)
  --styles list           styles, comma-separated, of ${FACTOR_STYLES.join(', ')} (default: all; value only
                          when the file has ratio columns)
  --momentum-window n     momentum's window of lagged returns (default ${M.window}; toraniko's is 504)
  --momentum-half-life h  half-life of its weights in dates (default ${M.halfLife})
  --momentum-lag l        dates the returns are lagged by (default ${M.lag}); a date has momentum scores
                          once an asset has window + lag dates of returns
  --winsorize p           returns clipped per date to their p and 1 - p percentiles before the
                          regressions, p in [0, 0.5], or 'off' (default ${FACTOR_ENGINE_DEFAULTS.winsorize})
  --no-residualize        regress the styles on the returns, not on the market + sector residuals
  --last n                dates shown in the table (default 5)
  --backend b             auto | native | reference (default $KERNELBUS_BACKEND, else auto)

${alignOptions(INPUT_USAGE, 26)}`;

/** The factor model's flags, with FactorEngine's defaults: shared by `kernelbus factor` and `kernelbus engine factor`. */
export const factorFlags = {
  'momentum-window': flag.number(M.window, 1, 100_000, true),
  'momentum-half-life': flag.number(M.halfLife, Number.MIN_VALUE, 1e9),
  'momentum-lag': flag.number(M.lag, 0, 100_000, true),
  /** A fraction in [0, 0.5], or null for 'off'. */
  winsorize: {
    type: 'string',
    parse: (raw, name) => (raw === 'off' ? null : parseNumber(text(raw), FACTOR_ENGINE_DEFAULTS.winsorize, name, 0, 0.5, false)),
  } satisfies Flag<number | null>,
  /** Distinct styles, comma-separated; undefined when absent. */
  styles: {
    type: 'string',
    parse: (raw, name) => {
      if (raw === undefined) return undefined;
      const styles = text(raw)!
        .split(',')
        .map((s) => s.trim()) as FactorStyle[];
      if (styles.some((s, i) => !FACTOR_STYLES.includes(s) || styles.indexOf(s) !== i)) {
        throw new KernelInputError(name, `distinct styles of ${FACTOR_STYLES.join(', ')}, comma-separated`, JSON.stringify(raw));
      }
      return styles;
    },
  } satisfies Flag<FactorStyle[] | undefined>,
};

/** The flags of `kernelbus factor`. */
const FLAGS = {
  ...factorFlags,
  'no-residualize': flag.boolean(),
  last: flag.number(5, 0, 1000, true),
  backend: flag.anyBackend(),
  out: flag.string(),
  'out-format': {
    type: 'string',
    parse: (raw, name) => {
      const value = text(raw) ?? 'csv';
      if (!['csv', 'tsv', 'jsonl', 'parquet', 'arrow'].includes(value))
        throw new KernelInputError(name, 'csv, tsv, jsonl, parquet or arrow', JSON.stringify(value));
      return value;
    },
  } satisfies Flag<string>,
  ...INPUT_FLAGS,
};

/** Where --out writes each file: into a directory, or after a prefix. */
async function outPaths(out: string, ext: string): Promise<{ factorReturns: string; residuals: string }> {
  const isDir = /[\\/]$/.test(out) || (existsSync(out) && statSync(out).isDirectory());
  const at = (name: string) => (isDir ? join(out, name) : `${out}${name}`);
  await mkdir(isDir ? out : dirname(out), { recursive: true });
  return { factorReturns: at(`factor_returns.${ext}`), residuals: at(`residuals.${ext}`) };
}

/** Mean, sd (ddof 1) and count of the finite values. */
function moments(values: ArrayLike<number>): { mean: number; sd: number; n: number } {
  const x = Array.from(values).filter(Number.isFinite);
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  return { mean, sd: Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)), n };
}

/** Runs the command with its arguments (without `factor`); output lines go to `log`. Returns the exit code. */
export async function runFactor(argv: string[], log = console.log): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => log(FACTOR_USAGE), positionals: onePositional('panel', 'one file') });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const momentum = { window: values['momentum-window'], halfLife: values['momentum-half-life'], lag: values['momentum-lag'] };
  const winsorize = values.winsorize;
  const residualizeStyles = !values['no-residualize'];
  const last = values.last;
  let styles = values.styles;
  const k = await commandKernels(values.backend);
  const file = positionals[0];
  const started = performance.now();
  const progress = progressLine('rows');
  let panel: Awaited<ReturnType<typeof readPanel>>;
  try {
    panel = await readPanel(file, readOptions(values, progress));
  } finally {
    progress.done();
  }
  const readMs = performance.now() - started;
  const t0 = performance.now();
  if (styles?.includes('value') && !panel.ratios)
    throw new KernelInputError(
      '--styles',
      `a style the file has inputs for (no book_price, sales_price or cf_price column in ${file})`,
      'value',
    );
  styles ??= FACTOR_STYLES.filter((s) => s !== 'value' || panel.ratios);

  const scores: Record<string, Matrix> = {};
  for (const style of styles) {
    if (style === 'momentum') scores.momentum = k.momentum(panel.returns, momentum);
    else if (style === 'size') scores.size = k.size(panel.marketCap);
    else scores.value = k.value(panel.bookPrice, panel.salesPrice, panel.cashFlowPrice);
  }
  const fit = estimateFactors(
    k,
    { returns: panel.returns, marketCap: panel.marketCap, sectors: panel.sectors, styles: scores, sectorNames: panel.sectorNames },
    { winsorize, residualizeStyles },
  );

  const T = panel.dates.length;
  const K = fit.names.length;
  const fitted = [...Array(T).keys()].filter((t) => Number.isFinite(fit.factorReturns.data[t * K]));
  const computeMs = performance.now() - t0;
  const backend = await backendUsed(k.backend);
  const paths = values.out === undefined ? undefined : await outPaths(values.out, values['out-format']);
  let written = 0;
  if (paths) {
    await writeFactorReturns(paths.factorReturns, panel.dates, fit.names, fit.factorReturns, fit.r2, fit.residualCount);
    written = await writeResiduals(paths.residuals, panel.dates, panel.assets, fit.residuals);
  }
  if (values.json) {
    const round = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(10)) : null);
    const shown = fitted.slice(Math.max(0, fitted.length - last));
    const factors = fit.names.map((name, j) => {
      const m = moments(fitted.map((t) => fit.factorReturns.data[t * K + j]));
      return { name, mean: round(m.mean), sd: round(m.sd), tStat: round(m.mean / (m.sd / Math.sqrt(m.n))), dates: m.n };
    });
    const r = moments(fitted.map((t) => fit.r2[t]));
    log(
      JSON.stringify(
        {
          input: file === '-' ? 'stdin' : file,
          dates: T,
          assets: panel.assets.length,
          rows: panel.rows,
          sectors: panel.sectorNames,
          styles,
          momentum: styles.includes('momentum') ? momentum : undefined,
          winsorize,
          residualizeStyles,
          backend,
          fitted: fitted.length,
          r2: { mean: round(r.mean), sd: round(r.sd) },
          factors,
          last: shown.map((t) => ({
            date: panel.dates[t],
            r2: round(fit.r2[t]),
            returns: Object.fromEntries(fit.names.map((name, j) => [name, round(fit.factorReturns.data[t * K + j])])),
          })),
          ...readJson(panel.info, panel.rows, readMs / 1000, computeMs / 1000),
          ...(paths ? { wrote: [paths.factorReturns, paths.residuals] } : {}),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const described = styles
    .map((s) => (s === 'momentum' ? `momentum (window ${momentum.window}, half-life ${momentum.halfLife}, lag ${momentum.lag})` : s))
    .join(', ');
  log(
    `${file}: ${T} dates x ${panel.assets.length} assets (${panel.rows} rows), ${panel.sectorNames.length} sectors; styles ${described}; ` +
      `returns ${winsorize === null ? 'not winsorized' : `winsorized at ${winsorize}/${1 - winsorize}`}, styles on the ${residualizeStyles ? 'market + sector residuals' : 'returns'} (${backend} backend)`,
  );
  const warmup = styles.includes('momentum')
    ? `; momentum needs window + lag = ${momentum.window + momentum.lag} dates of an asset's returns`
    : '';
  log(`fit on ${fitted.length} of ${T} dates (${T - fitted.length} without enough usable assets${warmup})`);
  if (fitted.length === 0) {
    log(
      `no date has a fit${styles.includes('momentum') ? ': try a shorter --momentum-window / --momentum-lag, or --styles size,value' : ''}`,
    );
  } else {
    printTable(log, panel.dates, fit.names, fit.factorReturns, fit.r2, fitted, last);
  }
  if (paths) {
    log(`wrote ${paths.factorReturns} (${T} dates x ${K} factors, r2, assets) and ${paths.residuals} (${written} residuals)`);
  }
  const skipped = skippedText(panel.info);
  if (skipped) log(skipped);
  return 0;
}

/** The R2 summary and the factor table: per factor mean, sd, t-stat over the dates with a fit, and the last dates' values. */
function printTable(
  log: (line: string) => void,
  dates: string[],
  names: string[],
  f: Matrix,
  r2: Float64Array,
  fitted: number[],
  last: number,
): void {
  const K = f.cols;
  const r = moments(fitted.map((t) => r2[t]));
  const sorted = fitted
    .map((t) => r2[t])
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const median = sorted.length > 0 ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
  log(
    `R2 per date (cap-weighted, assets in the fit): mean ${fixed(r.mean, 3)}, median ${fixed(median, 3)}, min ${fixed(sorted[0], 3)}, max ${fixed(sorted.at(-1)!, 3)}`,
  );
  log('');
  const shown = fitted.slice(Math.max(0, fitted.length - last));
  const percent = (x: number) => pct(x, 3);
  const header = ['factor', 'mean', 'sd', 't-stat', 'dates', ...shown.map((t) => dates[t])];
  const rows = names.map((name, j) => {
    const m = moments(fitted.map((t) => f.data[t * K + j]));
    return [
      name,
      percent(m.mean),
      percent(m.sd),
      fixed(m.mean / (m.sd / Math.sqrt(m.n)), 2),
      String(m.n),
      ...shown.map((t) => percent(f.data[t * K + j])),
    ];
  });
  rows.push(['R2', fixed(r.mean, 3), fixed(r.sd, 3), '', String(r.n), ...shown.map((t) => fixed(r2[t], 3))]);
  log(`factor returns per date (% of value), over the ${fitted.length} dates with a fit, and the last ${shown.length}`);
  for (const line of table(header, rows)) log(line);
}
