/**
 * Reference rolling (src/kernels/risk/risk-analytics.ts, RiskAnalyticsKernels.rolling's documentation):
 * per column, the window's running sums (compensated, the leaving date subtracted, re-summed from the
 * window's dates every `window` dates), maxDrawdown by composing the paths of a block's suffix and the
 * next block's prefix (risk-rolling-drawdown.ts), historicalVar over the window kept sorted.
 * native/kernels/risk/risk_rolling.cpp follows this file in the same order of floating-point operations.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { ROLLING_STATS } from '../../../kernels/risk/risk-analytics.js';
import { RISK_KERNELS } from '../../../kernels/risk/risk-kernels.js';
import { normalQuantile } from '../../../math/special.js';
import { checkReturns, linearQuantile } from '../risk-common.js';
import { rollingMaxDrawdown } from './risk-rolling-drawdown.js';

/** A Neumaier-compensated running sum. */
class Sum {
  s = 0;
  c = 0;
  add(x: number): void {
    const t = this.s + x;
    this.c += Math.abs(this.s) >= Math.abs(x) ? this.s - t + x : x - t + this.s;
    this.s = t;
  }
  value(): number {
    return this.s + this.c;
  }
}

/** The window's running sums: moments shifted by the first present values at the last re-sum. */
class Window {
  /** Which sums it keeps: MOMENTS, PAIRS, CAPTURES. */
  constructor(readonly parts: number) {}
  n = 0;
  m = 0;
  up = 0;
  down = 0;
  shift = 0;
  shiftB = 0;
  ruined = 0;
  s1 = new Sum();
  s2 = new Sum();
  downside = new Sum();
  pr = new Sum();
  pb = new Sum();
  pbb = new Sum();
  pbr = new Sum();
  upR = new Sum();
  upB = new Sum();
  downR = new Sum();
  downB = new Sum();
}

/** The groups of sums a statistic needs (partsOf()). */
const MOMENTS = 1;
const PAIRS = 2;
const CAPTURES = 4;

/** The sums the statistics of the mask read. */
function partsOf(mask: number): number {
  const any = (...stats: string[]) => stats.some((stat) => (mask >> ROLLING_STATS.indexOf(stat as never)) & 1);
  return (
    (any('sharpe', 'sortino', 'volatility', 'gaussianVar') ? MOMENTS : 0) |
    (any('beta', 'alpha') ? PAIRS : 0) |
    (any('upCapture', 'downCapture') ? CAPTURES : 0)
  );
}

/** Date (r, b)'s contributions to the sums the window keeps, added (sign 1) or removed (sign -1). */
function update(w: Window, r: number, b: number, rf: number, sign: number): void {
  if (r === r && w.parts & MOMENTS) {
    const d = r - w.shift;
    w.n += sign;
    w.s1.add(sign * d);
    w.s2.add(sign * (d * d));
    const below = r - rf < 0 ? r - rf : 0;
    w.downside.add(sign * (below * below));
  }
  if (r === r && w.parts & PAIRS) {
    if (b === b) {
      const dr = r - w.shift;
      const db = b - w.shiftB;
      w.m += sign;
      w.pr.add(sign * dr);
      w.pb.add(sign * db);
      w.pbb.add(sign * (db * db));
      w.pbr.add(sign * (db * dr));
    }
  }
  if (!(w.parts & CAPTURES) || !(b > 0 || b < 0)) return;
  const rr = r === r ? r : 0; // captures: a missing return counts as 0
  const ruin = !(1 + rr > 0) || !(1 + b > 0); // a wealth of 0 or less has no log: the product is taken then
  if (ruin) w.ruined += sign;
  const lr = ruin ? 0 : Math.log1p(rr);
  const lb = ruin ? 0 : Math.log1p(b);
  if (b > 0) {
    w.up += sign;
    w.upR.add(sign * lr);
    w.upB.add(sign * lb);
  } else {
    w.down += sign;
    w.downR.add(sign * lr);
    w.downB.add(sign * lb);
  }
}

/** The window [begin, end) summed afresh, shifted by its first present values. */
function resum(parts: number, r: Float64Array, b: Float64Array, begin: number, end: number, rf: number): Window {
  const w = new Window(parts);
  for (let t = begin; t < end; t++) {
    if (r[t] === r[t]) {
      w.shift = r[t];
      break;
    }
  }
  for (let t = begin; t < end; t++) {
    if (r[t] === r[t] && b[t] === b[t]) {
      w.shiftB = b[t];
      break;
    }
  }
  for (let t = begin; t < end; t++) update(w, r[t], b[t], rf, 1);
  return w;
}

/** Date t added to the window's sums and date t - w, leaving, removed (a window keeping no sums: nothing). */
function slide(x: Window, r: Float64Array, b: Float64Array, t: number, w: number, rf: number): void {
  if (x.parts === 0) return;
  update(x, r[t], b[t], rf, 1);
  if (t >= w) update(x, r[t - w], b[t - w], rf, -1);
}

/**
 * The shift is far from the window's mean for its spread (the centred sum below 1e-3 of the raw one,
 * where subtracting them would lose digits): the window is then re-summed about its own values.
 */
function stale(w: Window): boolean {
  const s1 = w.s1.value();
  const s2 = w.s2.value();
  const pb = w.pb.value();
  const pbb = w.pbb.value();
  return (w.n >= 2 && s2 - (s1 * s1) / w.n < 1e-3 * s2) || (w.m >= 2 && pbb - (pb * pb) / w.m < 1e-3 * pbb);
}

/** relativeStats' annualReturn over the window's up (subset 1) or down (-1) dates, from the product. */
function captureOf(x: Float64Array, b: Float64Array, begin: number, end: number, subset: number, ppy: number): number {
  let dates = 0;
  let wealth = 1;
  for (let t = begin; t < end; t++) {
    if (!(subset > 0 ? b[t] > 0 : b[t] < 0)) continue;
    dates++;
    wealth *= 1 + (x[t] === x[t] ? x[t] : 0);
  }
  return dates < 1 ? NaN : Math.expm1(Math.log(wealth) / (dates / ppy));
}

/** The first index of `sorted` whose value is > x (upper) or >= x (lower). */
function bound(sorted: number[], x: number, upper: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (upper ? sorted[mid] <= x : sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** ROLLING_STATS of `stats` per column over the trailing `window` dates (see the module's comment). */
export function rolling(
  returns: Float64Array,
  rows: number,
  cols: number,
  benchmark: Float64Array,
  window: number,
  stats: number,
  periodsPerYear: number,
  riskFree: number,
  confidence: number,
): Float64Array {
  checkReturns(returns, cols);
  const { out, views } = allocateOutputs(RISK_KERNELS.rolling, returns, rows, cols, benchmark, window, stats);
  const o: Record<string, Float64Array | null> = {};
  ROLLING_STATS.forEach((stat, s) => (o[stat] = (stats >> s) & 1 ? views[stat] : null));
  const put = (v: Float64Array | null, t: number, c: number, x: number) => {
    if (v) v[t * cols + c] = x;
  };
  const T = rows;
  const w = window;
  const ppy = periodsPerYear;
  const rf = riskFree;
  const z = normalQuantile(1 - confidence);
  const sqrtPpy = Math.sqrt(ppy);
  const b = benchmark.length > 0 ? benchmark : new Float64Array(T).fill(NaN);
  const r = new Float64Array(T);
  for (let c = 0; c < cols; c++) {
    for (let t = 0; t < T; t++) r[t] = returns[t * cols + c];
    for (let t = 0; t + 1 < w && t < T; t++) for (const stat of ROLLING_STATS) put(o[stat], t, c, NaN);
    // the moments, the pairs and the captures in three windows, each re-summed on its own (native/kernels
    // computes the moments and the pairs row by row, the captures column by column)
    if (o.maxDrawdown) rollingMaxDrawdown(r, T, w, o.maxDrawdown, cols, c);
    let mom = new Window(partsOf(stats) & MOMENTS);
    let pairs = new Window(partsOf(stats) & PAIRS);
    let win = new Window(partsOf(stats) & CAPTURES);
    const sorted: number[] = [];
    for (let t = 0; t < T; t++) {
      const begin = t + 1 >= w ? t + 1 - w : 0;
      if (t + 1 >= w && (t + 1 - w) % w === 0) {
        mom = resum(mom.parts, r, b, begin, t + 1, rf);
        pairs = resum(pairs.parts, r, b, begin, t + 1, rf);
        win = resum(win.parts, r, b, begin, t + 1, rf);
      } else {
        slide(mom, r, b, t, w, rf);
        slide(pairs, r, b, t, w, rf);
        slide(win, r, b, t, w, rf);
        if (t + 1 >= w && stale(mom)) mom = resum(mom.parts, r, b, begin, t + 1, rf);
        if (t + 1 >= w && stale(pairs)) pairs = resum(pairs.parts, r, b, begin, t + 1, rf);
      }
      if (o.historicalVar) {
        if (r[t] === r[t]) sorted.splice(bound(sorted, r[t], true), 0, r[t]);
        if (t >= w && r[t - w] === r[t - w]) sorted.splice(bound(sorted, r[t - w], false), 1);
      }
      if (t + 1 < w) continue;
      const n = mom.n;
      const s1 = mom.s1.value();
      const mean = mom.shift + s1 / n;
      const variance = (mom.s2.value() - (s1 * s1) / n) / (n - 1);
      const sd = variance < 0 ? 0 : Math.sqrt(variance); // rounding below 0: 0 (NaN stays NaN)
      const excessMean = mean - rf;
      put(o.volatility, t, c, n < 2 ? NaN : sd * sqrtPpy);
      put(o.sharpe, t, c, n < 2 ? NaN : (excessMean / sd) * sqrtPpy);
      const downsideRisk = Math.sqrt(mom.downside.value() / n) * sqrtPpy;
      put(o.sortino, t, c, n < 1 ? NaN : (excessMean * ppy) / downsideRisk);
      if (o.beta || o.alpha) {
        const m = pairs.m;
        const mr = pairs.shift + pairs.pr.value() / m;
        const mb = pairs.shiftB + pairs.pb.value() / m;
        const pb = pairs.pb.value();
        const v = (pairs.pbb.value() - (pb * pb) / m) / m;
        const cov = (pairs.pbr.value() - (pb * pairs.pr.value()) / m) / m;
        const beta = m < 2 || v < 1e-30 ? NaN : cov / v;
        put(o.beta, t, c, beta);
        put(o.alpha, t, c, m < 2 ? NaN : Math.expm1(Math.log1p(mr - rf - beta * (mb - rf)) * ppy));
      }
      if (o.upCapture || o.downCapture) {
        let upCapture: number;
        let downCapture: number;
        if (win.ruined > 0) {
          upCapture = captureOf(r, b, begin, t + 1, 1, ppy) / captureOf(b, b, begin, t + 1, 1, ppy);
          downCapture = captureOf(r, b, begin, t + 1, -1, ppy) / captureOf(b, b, begin, t + 1, -1, ppy);
        } else {
          const upYears = win.up / ppy;
          const downYears = win.down / ppy;
          upCapture = win.up < 1 ? NaN : Math.expm1(win.upR.value() / upYears) / Math.expm1(win.upB.value() / upYears);
          downCapture = win.down < 1 ? NaN : Math.expm1(win.downR.value() / downYears) / Math.expm1(win.downB.value() / downYears);
        }
        put(o.upCapture, t, c, upCapture);
        put(o.downCapture, t, c, downCapture);
      }
      if (o.historicalVar) {
        put(o.historicalVar, t, c, sorted.length === 0 ? NaN : -linearQuantile(Float64Array.from(sorted), 1 - confidence));
      }
      put(o.gaussianVar, t, c, n < 1 ? NaN : -(mean + z * sd));
    }
  }
  return out;
}
