/**
 * The analytics of `kernelbus risk` (--benchmark, --rolling, --drawdowns, --backtest): what
 * relativeStats, rolling, drawdowns and varBacktest compute on the CSV's columns, as tables and as the
 * JSON document's sections. src/cli/risk.ts reads the files and calls these.
 */
import type { Kernels } from '../api/kernels.js';
import { KernelInputError } from '../errors.js';
import type { Matrix } from '../kernels/risk/risk.js';
import { type DqRegressors, TRAFFIC_LIGHT_ZONES, VAR_BACKTEST_DEFAULTS } from '../kernels/risk/risk-analytics.js';
import { fixed, pct, table } from './summary.js';

/** A finite number rounded to 10 digits, null otherwise (JSON). */
const round = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(10)) : null);

/** The column of `name` in `names`, KernelInputError naming `flag` when absent. */
export function columnOf(names: readonly string[], name: string, flag: string): number {
  const c = names.indexOf(name);
  if (c < 0) throw new KernelInputError(flag, `a column of the CSV (${names.join(', ')})`, JSON.stringify(name));
  return c;
}

/** One column of a matrix as a series. */
export function seriesOf(m: Matrix, c: number): Float64Array {
  return Float64Array.from({ length: m.rows }, (_, t) => m.data[t * m.cols + c]);
}

/** A section of the report: its lines and its JSON. */
export interface Section {
  lines: string[];
  json: unknown;
}

/** relativeStats of every column against the benchmark column. */
export function benchmarkSection(
  k: Kernels,
  panel: Matrix,
  labels: readonly string[],
  benchmark: string,
  ppy: number,
  rf: number,
): Section {
  const b = seriesOf(panel, columnOf(labels, benchmark, '--benchmark'));
  const s = k.relativeStats(panel, b, { periodsPerYear: ppy, riskFree: rf });
  const rows = labels.map((name, c) => [
    name,
    fixed(s.beta[c], 2),
    pct(s.alpha[c], 2),
    fixed(s.correlation[c], 2),
    pct(s.trackingError[c], 2),
    fixed(s.informationRatio[c], 2),
    fixed(s.upCapture[c], 2),
    fixed(s.downCapture[c], 2),
  ]);
  const header = ['', 'beta', 'alpha', 'corr', 'track.err', 'info.ratio', 'up.capt', 'down.capt'];
  return {
    lines: [
      `against ${benchmark} (empyrical beta, compounded alpha and captures; PerformanceAnalytics' annualized tracking error)`,
      ...table(header, rows),
    ],
    json: labels.map((name, c) => ({
      name,
      beta: round(s.beta[c]),
      alpha: round(s.alpha[c]),
      correlation: round(s.correlation[c]),
      trackingError: round(s.trackingError[c]),
      informationRatio: round(s.informationRatio[c]),
      upCapture: round(s.upCapture[c]),
      downCapture: round(s.downCapture[c]),
    })),
  };
}

/** rolling Sharpe and volatility (and beta with a benchmark): the last window's value, and the range over the dates. */
export function rollingSection(
  k: Kernels,
  panel: Matrix,
  labels: readonly string[],
  window: number,
  benchmark: string | undefined,
  ppy: number,
  rf: number,
): Section {
  if (window > panel.rows) throw new KernelInputError('--rolling', `an integer in [2, ${panel.rows}] (the dates)`, String(window));
  const b = benchmark === undefined ? undefined : seriesOf(panel, columnOf(labels, benchmark, '--benchmark'));
  const stats = b ? (['sharpe', 'volatility', 'beta'] as const) : (['sharpe', 'volatility'] as const);
  const r = k.rolling(panel, { window, stats: [...stats], benchmark: b, periodsPerYear: ppy, riskFree: rf }) as Record<string, Matrix>;
  const summary = (m: Matrix, c: number) => {
    const values = seriesOf(m, c).filter((x) => Number.isFinite(x));
    return { last: m.data[(m.rows - 1) * m.cols + c], min: Math.min(...values), max: Math.max(...values) };
  };
  const header = ['', ...stats.flatMap((s) => [`${s}.last`, `${s}.min`, `${s}.max`])];
  const rows = labels.map((name, c) => [
    name,
    ...stats.flatMap((s) => {
      const { last, min, max } = summary(r[s], c);
      return s === 'volatility' ? [pct(last, 2), pct(min, 2), pct(max, 2)] : [fixed(last, 2), fixed(min, 2), fixed(max, 2)];
    }),
  ]);
  return {
    lines: [
      `rolling ${window} dates (empyrical roll_*): the last window and the range over the ${panel.rows - window + 1} windows`,
      ...table(header, rows),
    ],
    json: labels.map((name, c) => ({
      name,
      ...Object.fromEntries(stats.map((s) => [s, Object.fromEntries(Object.entries(summary(r[s], c)).map(([key, v]) => [key, round(v)]))])),
    })),
  };
}

/** The top drawdowns of each column (PerformanceAnalytics' table; rows as 1-based dates of the CSV). */
export function drawdownsSection(k: Kernels, panel: Matrix, labels: readonly string[], top: number): Section {
  const d = k.drawdowns(panel, { top });
  const at = (m: Matrix, i: number, c: number) => m.data[i * m.cols + c];
  const lines = [`top ${top} drawdowns (PerformanceAnalytics' findDrawdowns; dates are CSV data rows from 1, '-' not recovered)`];
  const json: unknown[] = [];
  const date = (x: number) => (Number.isFinite(x) ? String(x + 1) : '-');
  labels.forEach((name, c) => {
    const rows: string[][] = [];
    const list: unknown[] = [];
    for (let i = 0; i < top; i++) {
      const from = at(d.from as Matrix, i, c);
      if (!Number.isFinite(from)) break;
      const row = {
        from: from + 1,
        trough: at(d.trough as Matrix, i, c) + 1,
        to: Number.isFinite(at(d.to as Matrix, i, c)) ? at(d.to as Matrix, i, c) + 1 : null,
        depth: round(at(d.depth as Matrix, i, c)),
        length: at(d.length as Matrix, i, c),
        peakToTrough: at(d.peakToTrough as Matrix, i, c),
        recovery: Number.isFinite(at(d.recovery as Matrix, i, c)) ? at(d.recovery as Matrix, i, c) : null,
      };
      list.push(row);
      rows.push([
        `${name} ${i + 1}`,
        date(from),
        date(at(d.trough as Matrix, i, c)),
        date(at(d.to as Matrix, i, c)),
        pct(at(d.depth as Matrix, i, c), 2),
        String(row.length),
        String(row.peakToTrough),
        row.recovery === null ? '-' : String(row.recovery),
      ]);
    }
    if (rows.length > 0) lines.push(...table(['', 'from', 'trough', 'to', 'depth', 'length', 'to.trough', 'recovery'], rows));
    else lines.push(`${name}: no drawdown`);
    json.push({ name, drawdowns: list });
  });
  return { lines, json };
}

/** varBacktest of each column of the VaR CSV against the same column of returns, the DQ test with `dqRegressors`. */
export function backtestSection(
  k: Kernels,
  panel: Matrix,
  labels: readonly string[],
  varPanel: Matrix,
  varNames: readonly string[],
  confidence: number,
  dqRegressors: DqRegressors = VAR_BACKTEST_DEFAULTS.dqRegressors,
): Section {
  if (varPanel.rows !== panel.rows) {
    throw new KernelInputError('--backtest', `a CSV of ${panel.rows} dates (those of the returns)`, `${varPanel.rows} dates`);
  }
  const names = varNames.filter((name) => labels.includes(name));
  if (names.length === 0)
    throw new KernelInputError('--backtest', `columns named as the returns' (${labels.join(', ')})`, varNames.join(', '));
  const returns = { data: new Float64Array(panel.rows * names.length), rows: panel.rows, cols: names.length };
  const forecasts = { data: new Float64Array(panel.rows * names.length), rows: panel.rows, cols: names.length };
  names.forEach((name, j) => {
    const rc = labels.indexOf(name);
    const vc = varNames.indexOf(name);
    for (let t = 0; t < panel.rows; t++) {
      returns.data[t * names.length + j] = panel.data[t * panel.cols + rc];
      forecasts.data[t * names.length + j] = varPanel.data[t * varPanel.cols + vc];
    }
  });
  const b = k.varBacktest(returns, forecasts, { confidence, dqRegressors });
  const dq = dqRegressors === 'gas' ? "DQ as GAS's DQOOStest (y^2 lagged, chi-square(7))" : 'DQ on the hits alone (chi-square(6))';
  const header = ['', 'dates', 'exceptions', 'expected', 'kupiec.p', 'indep.p', 'cc.p', 'dq.p', 'window', 'zone'];
  const rows = names.map((name, j) => [
    name,
    String(b.observations[j]),
    String(b.count[j]),
    fixed(b.observations[j] * (1 - confidence), 1),
    fixed(b.kupiecPValue[j], 3),
    fixed(b.independencePValue[j], 3),
    fixed(b.conditionalCoveragePValue[j], 3),
    fixed(b.dqPValue[j], 3),
    `${b.windowExceptions[j]}/${b.windowObservations[j]}`,
    TRAFFIC_LIGHT_ZONES[b.zone[j]] ?? '-',
  ]);
  return {
    lines: [
      `VaR backtest at ${confidence} (an exception: return < -VaR; Kupiec, Christoffersen, Engle-Manganelli ${dq}; Basel zone over the last 250 dates)`,
      ...table(header, rows),
    ],
    json: names.map((name, j) => ({
      name,
      observations: b.observations[j],
      exceptions: b.count[j],
      kupiecLR: round(b.kupiecLR[j]),
      kupiecPValue: round(b.kupiecPValue[j]),
      independencePValue: round(b.independencePValue[j]),
      conditionalCoveragePValue: round(b.conditionalCoveragePValue[j]),
      dqStat: round(b.dqStat[j]),
      dqPValue: round(b.dqPValue[j]),
      dqRegressors,
      windowExceptions: b.windowExceptions[j],
      windowObservations: b.windowObservations[j],
      zone: TRAFFIC_LIGHT_ZONES[b.zone[j]] ?? null,
    })),
  };
}
