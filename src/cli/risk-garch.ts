/**
 * `kernelbus risk --garch <vol> [--dist d --garch-window n --garch-refit n]` (issue 70, item 5): each
 * column's conditional volatility model fitted by the volatility family (arch 8.0's conventions, on
 * percent returns as arch advises: the CSV's returns times 100), with its persistence, half-life and
 * long-run volatility, and the VaR backtest of its garchVar (risk-analytics.ts' backtestSection on the
 * VaR of each date from a fit on the returns before it). docs/volatility.md.
 */
import type { Kernels } from '../api/kernels.js';
import { KernelInputError } from '../errors.js';
import type { DqRegressors } from '../kernels/risk/risk-analytics.js';
import type { Matrix } from '../kernels/risk/risk.js';
import type { Dist, Vol } from '../kernels/volatility/volatility.js';
import { type Persistence, persistenceOf } from '../kernels/volatility/volatility-figures.js';
import { backtestSection, type Section } from './risk-analytics.js';
import { fixed, pct, table } from './summary.js';

export interface GarchSectionOptions {
  vol: Vol;
  dist: Dist;
  /** The returns each VaR fit takes; default: 1,000, or half the column's returns when fewer. */
  window?: number;
  /** Dates between refits of the VaR; default 20. */
  refit: number;
  confidence: number;
  periodsPerYear: number;
  dqRegressors: DqRegressors;
}

/** Column `c` of `m` without its missing dates (the fit's series), and the dates kept. */
function presentOf(m: Matrix, c: number): { series: Float64Array; dates: number[] } {
  const dates: number[] = [];
  for (let t = 0; t < m.rows; t++) if (!Number.isNaN(m.data[t * m.cols + c])) dates.push(t);
  return { series: Float64Array.from(dates, (t) => 100 * m.data[t * m.cols + c]), dates };
}

const round = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? Number(x.toPrecision(10)) : null);
const list = (a: Float64Array | undefined) => (a === undefined ? [] : Array.from(a, (x) => round(x)));

/** The fits and the VaR backtest of every column of `panel` (fractional returns, one column a label). */
export async function garchSection(k: Kernels, panel: Matrix, labels: readonly string[], o: GarchSectionOptions): Promise<Section> {
  const model = { vol: o.vol, dist: o.dist };
  const columns = labels.map((_, c) => presentOf(panel, c));
  const fits = await Promise.all(columns.map(({ series }) => k.garchAsync(series, model)));
  // the VaR of each date from a fit on the `window` returns before it, back in fractions on the CSV's dates
  const varPanel: Matrix = { data: new Float64Array(panel.rows * panel.cols).fill(Number.NaN), rows: panel.rows, cols: panel.cols };
  const windows = columns.map(({ series }) => o.window ?? Math.min(1000, Math.floor(series.length / 2)));
  await Promise.all(
    columns.map(async ({ series, dates }, c) => {
      if (windows[c] >= series.length)
        throw new KernelInputError('--garch-window', `fewer than ${labels[c]}'s ${series.length} returns`, String(windows[c]));
      const v = await k.garchVarAsync(series, { ...model, window: windows[c], refit: o.refit, confidence: o.confidence });
      dates.forEach((t, i) => (varPanel.data[t * panel.cols + c] = v.var[i] / 100));
    }),
  );
  const backtest = backtestSection(k, panel, labels, varPanel, labels, o.confidence, o.dqRegressors);
  const figures = fits.map((fit) => persistenceOf(o.vol, fit.params));
  const annualVol = (f: Persistence) => Math.sqrt(f.longRunVariance * o.periodsPerYear) / 100;
  const first = (a: Float64Array) => (a.length > 0 ? fixed(a[0], 3) : '-');
  const header = ['', 'omega', 'alpha', 'gamma', 'beta', 'nu', 'lambda', 'persist.', 'half-life', 'lr.ann.vol', 'loglik', 'converged'];
  const rows = labels.map((name, c) => {
    const { params, logLikelihood, converged, reason } = fits[c];
    return [
      name,
      fixed(params.omega, 4),
      first(params.alpha),
      first(params.gamma),
      first(params.beta),
      params.nu === undefined ? '-' : fixed(params.nu, 2),
      params.lambda === undefined ? '-' : fixed(params.lambda, 3),
      fixed(figures[c].persistence, 4),
      fixed(figures[c].halfLife, 1),
      pct(annualVol(figures[c]), 2),
      fixed(logLikelihood, 2),
      converged ? 'yes' : reason,
    ];
  });
  return {
    lines: [
      `${o.vol.toUpperCase()} (${o.dist}) fitted to each column's returns x 100 (percent, as arch advises); persistence, half-life (periods) and the long-run volatility a year`,
      ...table(header, rows),
      '',
      `garchVar: each date's VaR from a fit on the returns before it (window ${o.window ?? 'min(1000, half the returns)'}, refit every ${o.refit} dates)`,
      ...backtest.lines,
    ],
    json: {
      model: { ...model, refit: o.refit, windows },
      columns: labels.map((name, c) => {
        const { params, stdErrors, logLikelihood, aic, bic, nobs, converged, reason } = fits[c];
        return {
          name,
          params: {
            mu: round(params.mu),
            ar: list(params.ar),
            omega: round(params.omega),
            alpha: list(params.alpha),
            gamma: list(params.gamma),
            beta: list(params.beta),
            nu: round(params.nu),
            lambda: round(params.lambda),
          },
          stdErrors: {
            omega: round(stdErrors.omega),
            alpha: list(stdErrors.alpha),
            gamma: list(stdErrors.gamma),
            beta: list(stdErrors.beta),
          },
          persistence: round(figures[c].persistence),
          halfLife: round(figures[c].halfLife),
          longRunVolatility: round(annualVol(figures[c])),
          logLikelihood: round(logLikelihood),
          aic: round(aic),
          bic: round(bic),
          nobs,
          converged,
          reason,
        };
      }),
      backtest: backtest.json,
    },
  };
}
