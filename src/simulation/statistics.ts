/**
 * `backtestStats` on the reference backend: vectorbt 1.1.0's Portfolio.stats() per value group, each
 * definition as src/kernels/backtest/backtest-stats.ts and docs/backtest.md state it. The reference:
 * native/kernels/backtest/statistics.cpp is its twin.
 */
import { ALL_STATS, STAT_FIELDS, VALUE_STATS, type BacktestStats, type StatsInput } from '../kernels/backtest/backtest-stats.js';
import { add, isClose } from './orders.js';
import { backtestSeries, filledClose } from './records.js';

/** numpy's nanmean and nansum, as vectorbt's mapped-array reductions (generic/nb.py mean_reduce_nb, sum_reduce_nb). */
function mean(xs: readonly number[]): number {
  let n = 0;
  let s = 0;
  for (const x of xs) {
    if (Number.isNaN(x)) continue;
    s += x;
    n++;
  }
  return n ? s / n : NaN;
}
function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) if (!Number.isNaN(x)) s += x;
  return s;
}
/** numpy's nanmax (sign 1) or nanmin (-1) of a list: NaN when it holds no number. */
function extreme(xs: readonly number[], sign: 1 | -1): number {
  let best = NaN;
  for (const x of xs) if (!Number.isNaN(x) && (Number.isNaN(best) || sign * x > sign * best)) best = x;
  return best;
}

/** Per column: the total profit from the records at the last filled close, the fees, and |asset value| and free cash per bar. */
function columnFlows(input: StatsInput, records: number[], close: Float64Array) {
  const { orders, rows: T } = input;
  let assets = 0;
  let cash = 0;
  let fees = 0;
  let position = 0;
  let debt = 0;
  const freeFlow = new Float64Array(T);
  const assetFlow = new Float64Array(T);
  for (const r of records) {
    const buy = orders.side[r] === 0;
    const size = buy ? orders.size[r] : -orders.size[r];
    const price = orders.price[r];
    assets = add(assets, size);
    cash = add(cash, buy ? -(orders.size[r] * price + orders.fees[r]) : orders.size[r] * price - orders.fees[r]);
    fees += orders.fees[r];
    // vectorbt's get_free_cash_diff_nb
    const i = orders.idx[r];
    const next = add(position, size);
    const finalCash = -size * price - orders.fees[r];
    let diff: number;
    if (isClose(size, 0)) diff = 0;
    else if (size > 0) {
      if (position < 0) {
        const shortSize = next < 0 ? Math.abs(size) : Math.abs(position);
        const debtDiff = shortSize * (debt / Math.abs(position));
        debt = add(debt, -debtDiff);
        diff = add(2 * debtDiff, finalCash);
      } else diff = finalCash;
    } else if (next < 0) {
      const shortValue = (position < 0 ? Math.abs(size) : Math.abs(next)) * price;
      debt = debt + shortValue;
      diff = add(finalCash, -2 * shortValue);
    } else diff = finalCash;
    freeFlow[i] = add(freeFlow[i], diff);
    assetFlow[i] = add(assetFlow[i], size);
    position = next;
  }
  const profit = records.length === 0 ? 0 : cash + assets * close[T - 1];
  const absValue = new Float64Array(T);
  let held = 0;
  for (let i = 0; i < T; i++) {
    held = add(held, assetFlow[i]);
    absValue[i] = held === 0 ? 0 : Math.abs(close[i] * held);
  }
  return { profit, fees, freeFlow, absValue };
}

/** vectorbt's get_drawdowns_nb reduced: the deepest drawdown (positive) and the longest duration. */
function drawdowns(value: Float64Array, G: number, g: number, T: number): { depth: number; duration: number } {
  let depth = NaN;
  let duration = NaN;
  let started = false;
  let peakIdx = -1;
  let peak = value[g];
  let valley = value[g];
  for (let i = 0; i < T; i++) {
    const v = value[i * G + g];
    if (Number.isNaN(v)) continue;
    let store = false;
    let active = false;
    if (Number.isNaN(peak) || v >= peak) {
      if (!started) {
        peak = v;
        peakIdx = i;
      } else {
        started = false;
        store = true;
      }
    } else if (!started) {
      started = true;
      valley = v;
    } else if (v < valley) valley = v;
    if (i === T - 1 && started) {
      started = false;
      store = true;
      active = true;
    }
    if (store) {
      const dd = (valley - peak) / peak;
      const length = i - (peakIdx + 1) + (active ? 1 : 0);
      if (Number.isNaN(depth) || dd < depth) depth = dd;
      if (Number.isNaN(duration) || length > duration) duration = length;
      peakIdx = i;
      peak = valley = v;
    }
  }
  return { depth: Number.isNaN(depth) ? NaN : -depth, duration };
}

/** vectorbt's nanstd_1d_nb with ddof. */
function nanStd(xs: Float64Array, ddof: number): number {
  let n = 0;
  let s = 0;
  for (const x of xs) if (!Number.isNaN(x)) n++, (s += x);
  if (n - ddof <= 0) return NaN;
  const m = s / n;
  let ss = 0;
  for (const x of xs) if (!Number.isNaN(x)) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (n - ddof));
}

function nanMean(xs: Float64Array): number {
  let n = 0;
  let s = 0;
  for (const x of xs) if (!Number.isNaN(x)) n++, (s += x);
  return n ? s / n : NaN;
}

/** The returns-based ratios of vectorbt's returns accessor at ann_factor = periodsPerYear. */
function ratios(returns: Float64Array, annFactor: number) {
  const T = returns.length;
  // sharpe_ratio_1d_nb
  let sharpe = NaN;
  if (T >= 2) {
    const std = nanStd(returns, 1);
    sharpe = std === 0 ? Infinity : (nanMean(returns) / std) * Math.sqrt(annFactor);
  }
  // calmar_ratio_1d_nb: drawdown of cumulative returns (start 100), annualized return over |max drawdown|
  let cum = 100;
  let runMax = -Infinity;
  let maxDd = Infinity;
  let prod = 1;
  for (const r of returns) {
    if (!Number.isNaN(r)) {
      cum *= r + 1;
      prod *= r + 1;
    }
    runMax = Math.max(runMax, cum);
    maxDd = Math.min(maxDd, cum / runMax - 1);
  }
  const calmar = maxDd === 0 ? NaN : (T === 0 ? NaN : prod ** (annFactor / T) - 1) / Math.abs(maxDd);
  // omega_ratio_1d_nb (risk_free 0, required_return 0)
  let up = 0;
  let down = 0;
  for (const r of returns) {
    if (r > 0) up += r;
    else if (r < 0) down += r;
  }
  const omega = -down === 0 ? Infinity : up / -down;
  // sortino_ratio_1d_nb
  let sortino = NaN;
  if (T >= 2) {
    let n = 0;
    let ss = 0;
    for (const r of returns) {
      if (Number.isNaN(r)) continue;
      n++;
      const d = Math.min(r, 0);
      ss += d * d;
    }
    const downside = Math.sqrt(n ? ss / n : NaN) * Math.sqrt(annFactor);
    sortino = downside === 0 ? Infinity : (nanMean(returns) * annFactor) / downside;
  }
  return { sharpe, calmar, omega, sortino };
}

/**
 * The statistics of every value group of `input`, `periodsPerYear` bars a year: G rows of the
 * STAT_FIELDS, row-major. The reference: native/kernels/backtest/statistics.cpp is its twin.
 */
export function backtestStatsRows(input: StatsInput, periodsPerYear: number, fields = ALL_STATS): Float64Array {
  const { rows: T, cols: K, groupLens, orders, trades } = input;
  const G = groupLens.length;
  // the value made from the records where a field reads it and the result's is not given
  const value = input.value.length > 0 || (fields & VALUE_STATS) === 0 ? input.value : new Float64Array(T * G);
  if (value !== input.value) backtestSeries(input, { value });
  const byCol: number[][] = Array.from({ length: K }, () => []);
  for (let r = 0; r < orders.col.length; r++) byCol[orders.col[r]].push(r);
  const tradesByCol: number[][] = Array.from({ length: K }, () => []);
  for (let r = 0; r < trades.id.length; r++) tradesByCol[trades.col[r]].push(r);
  const out = new Float64Array(G * STAT_FIELDS.length);
  for (let g = 0, from = 0; g < G; from += groupLens[g++]) {
    const to = from + groupLens[g];
    const init = input.initCash[g];
    let profit = 0;
    let fees = 0;
    const freeFlow = new Float64Array(T);
    const absValue = new Float64Array(T);
    const bench = new Float64Array(T);
    const groupTrades: number[] = [];
    for (let col = from; col < to; col++) {
      const close = filledClose(input.close, T, col);
      const flows = columnFlows(input, byCol[col], close);
      profit += flows.profit;
      fees += flows.fees;
      for (let i = 0; i < T; i++) {
        freeFlow[i] += flows.freeFlow[i];
        absValue[i] += flows.absValue[i];
        bench[i] += close[i] / close[0];
      }
      groupTrades.push(...tradesByCol[col]);
    }
    // gross exposure: |asset value| over |asset value| + free cash
    let maxExposure = NaN;
    let free = init;
    for (let i = 0; i < T; i++) {
      free = add(free, freeFlow[i]);
      const denom = add(absValue[i], free);
      const e = denom === 0 ? 0 : absValue[i] / denom;
      if (Number.isNaN(maxExposure) || e > maxExposure) maxExposure = e;
    }
    // benchmark: the initial cash split evenly and held (vectorbt's benchmark_value(_grouped))
    const n = to - from;
    let benchReturn = 1;
    let prev = init;
    for (let i = 0; i < T; i++) {
      const v = n === 1 ? bench[i] * init : (init / n) * bench[i];
      const r = returnOf(prev, v);
      if (!Number.isNaN(r)) benchReturn *= r + 1;
      prev = v;
    }
    const returns = new Float64Array(T);
    for (let i = 0, p = init; i < T; i++) {
      returns[i] = returnOf(p, value[i * G + g]);
      p = value[i * G + g];
    }
    const dd = drawdowns(value, G, g, T);
    const closed = groupTrades.filter((r) => trades.status[r] === 1);
    const open = groupTrades.filter((r) => trades.status[r] === 0);
    const winning = closed.filter((r) => trades.pnl[r] > 0);
    const losing = closed.filter((r) => trades.pnl[r] < 0);
    const duration = (r: number) => trades.exitIdx[r] - trades.entryIdx[r];
    const has = closed.length > 0;
    const winRate = winning.length / closed.length;
    const totalWin = has ? sum(winning.map((r) => trades.pnl[r])) : NaN;
    const totalLoss = has ? sum(losing.map((r) => trades.pnl[r])) : NaN;
    const avgWin = has ? (winning.length ? mean(winning.map((r) => trades.pnl[r])) : 0) : NaN;
    const avgLoss = has ? (losing.length ? mean(losing.map((r) => trades.pnl[r])) : 0) : NaN;
    const rets = closed.map((r) => trades.return[r]);
    const rr = ratios(returns, periodsPerYear);
    const stats: BacktestStats = {
      startValue: init,
      endValue: profit + init,
      totalReturn: profit / init,
      benchmarkReturn: benchReturn - 1,
      maxGrossExposure: maxExposure,
      totalFeesPaid: fees,
      maxDrawdown: dd.depth,
      maxDrawdownDuration: dd.duration,
      totalTrades: groupTrades.length,
      totalClosedTrades: closed.length,
      totalOpenTrades: open.length,
      openTradePnl: sum(open.map((r) => trades.pnl[r])),
      winRate,
      bestTrade: extreme(rets, 1),
      worstTrade: extreme(rets, -1),
      avgWinningTrade: mean(winning.map((r) => trades.return[r])),
      avgLosingTrade: mean(losing.map((r) => trades.return[r])),
      avgWinningTradeDuration: mean(winning.map(duration)),
      avgLosingTradeDuration: mean(losing.map(duration)),
      profitFactor: totalWin / Math.abs(totalLoss),
      expectancy: winRate * avgWin - (1 - winRate) * Math.abs(avgLoss),
      sharpeRatio: rr.sharpe,
      calmarRatio: rr.calmar,
      omegaRatio: rr.omega,
      sortinoRatio: rr.sortino,
    };
    // every field computed (the oracle); those not asked for NaN, as the native backend leaves them
    STAT_FIELDS.forEach(
      (field, f) => (out[g * STAT_FIELDS.length + f] = Math.floor(fields / 2 ** f) % 2 === 1 ? stats[field] : Number.NaN),
    );
  }
  return out;
}

/** vectorbt's get_return_nb. */
function returnOf(input: number, output: number): number {
  if (input === 0) return output === 0 ? 0 : Infinity * Math.sign(output);
  const r = (output - input) / input;
  return input < 0 ? -r : r;
}
