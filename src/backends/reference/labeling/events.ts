/**
 * The labeling family's events and labels (reference): the CUSUM filter, daily volatility, vertical
 * barriers, the triple-barrier method, trend scanning and fixed-horizon labels, each mlfinlab's
 * arithmetic (fb8e1504) in its order of operations. Logs and exps are src/math's (the same bits as
 * native/kernels/labeling/, which follows these functions line for line).
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { LABELING_KERNELS } from '../../../kernels/labeling/labeling-kernels.js';
import { expOf } from '../../../math/elementary.js';
import { logOf } from '../../../math/random.js';
import { checkLength, checkTimes, endAt, eventError, EventFault, eventStarts, firstAtOrAfter, valueError, ValueFault } from './checks.js';

const K = LABELING_KERNELS;
const DAY_MS = 86_400_000;

/** ln x as numpy's log: NaN below 0, -Infinity at 0. */
const ln = (x: number) => (x === 0 ? -Infinity : logOf(x));

/** Python's max(0.0, x) and min(0.0, x): the second argument only when strictly past 0 (NaN gives 0). */
const pyMax0 = (x: number) => (x > 0 ? x : 0);
const pyMin0 = (x: number) => (x < 0 ? x : 0);

export function referenceCusumFilter(ts: Float64Array, close: Float64Array, threshold: Float64Array): Float64Array {
  const n = ts.length;
  checkTimes(ts);
  checkLength(threshold, n, ValueFault.CUSUM_THRESHOLD_LENGTH, 'one');
  for (let i = 0; i < threshold.length; i++) {
    const h = threshold[i];
    if (!(h > 0) && h === h) throw valueError(ValueFault.CUSUM_THRESHOLD, i, h);
  }
  const { out, views } = allocateOutputs(K.cusumFilter, ts, close, threshold);
  const events = views.events;
  const one = threshold.length === 1;
  let sPos = 0;
  let sNeg = 0;
  let previous = n > 0 ? ln(close[0]) : 0;
  for (let t = 1; t < n; t++) {
    const current = ln(close[t]);
    const r = current - previous;
    previous = current;
    const h = one ? threshold[0] : threshold[t];
    sPos = pyMax0(sPos + r);
    sNeg = pyMin0(sNeg + r);
    if (sNeg < -h) {
      sNeg = 0;
      events[t] = 1;
    } else if (sPos > h) {
      sPos = 0;
      events[t] = 1;
    }
  }
  return out;
}

/**
 * pandas' ewm(alpha, adjust=True, ignore_na=False).std() (bias=False, min_periods 1) of x[from..n),
 * written to out[from..n): window/aggregations.pyx ewmcov with x = y, then the square root (0 below 0).
 */
export function ewmStd(x: Float64Array, from: number, alpha: number, out: Float64Array): void {
  const n = x.length;
  if (from >= n) return;
  const oldWtFactor = 1 - alpha;
  const newWt = 1;
  let mean = x[from];
  let nobs = mean === mean ? 1 : 0;
  out[from] = NaN;
  let cov = 0;
  let sumWt = 1;
  let sumWt2 = 1;
  let oldWt = 1;
  for (let i = from + 1; i < n; i++) {
    const cur = x[i];
    const obs = cur === cur;
    if (obs) nobs++;
    if (mean === mean) {
      sumWt *= oldWtFactor;
      sumWt2 *= oldWtFactor * oldWtFactor;
      oldWt *= oldWtFactor;
      if (obs) {
        const oldMean = mean;
        if (mean !== cur) mean = (oldWt * oldMean + newWt * cur) / (oldWt + newWt);
        cov = (oldWt * (cov + (oldMean - mean) * (oldMean - mean)) + newWt * ((cur - mean) * (cur - mean))) / (oldWt + newWt);
        sumWt += newWt;
        sumWt2 += newWt * newWt;
        oldWt += newWt;
      }
    } else if (obs) {
      mean = cur;
    }
    let v = NaN;
    if (nobs >= 1) {
      const numerator = sumWt * sumWt;
      const denominator = numerator - sumWt2;
      if (denominator > 0) v = (numerator / denominator) * cov;
    }
    out[i] = v >= 0 ? Math.sqrt(v) : v < 0 ? 0 : NaN;
  }
}

export function referenceDailyVolatility(ts: Float64Array, close: Float64Array, lookback: number): Float64Array {
  checkTimes(ts);
  const { out } = allocateOutputs(K.dailyVolatility, ts, close, lookback);
  const n = ts.length;
  out.fill(NaN);
  // bar i's return against the bar before the first at or after ts[i] - 1 day; those with one form a suffix
  const returns = new Float64Array(n).fill(NaN);
  let from = n;
  let j = 0;
  for (let i = 0; i < n; i++) {
    while (j < n && ts[j] < ts[i] - DAY_MS) j++;
    if (j > 0) {
      if (from === n) from = i;
      returns[i] = close[i] / close[j - 1] - 1;
    }
  }
  ewmStd(returns, from, 1 / (1 + (lookback - 1) / 2), out);
  return out;
}

export function referenceVerticalBarriers(ts: Float64Array, t0: Float64Array, ms: number): Float64Array {
  checkTimes(ts);
  const { out } = allocateOutputs(K.verticalBarriers, ts, t0, ms);
  let from = 0; // increasing events search on from the last one's barrier
  for (let i = 0; i < t0.length; i++) {
    if (!Number.isFinite(t0[i])) throw eventError(EventFault.T0_NOT_FINITE, i, t0[i]);
    if (i > 0 && t0[i] < t0[i - 1]) from = 0;
    const j = firstAtOrAfter(ts, t0[i] + ms, from);
    out[i] = j < ts.length ? ts[j] : NaN;
    from = j < ts.length ? j : 0;
  }
  return out;
}

/**
 * get_events then get_bins per event, into the columns t1, target, ret, label, barrier (all NaN for an
 * event mlfinlab drops).
 */
export function referenceTripleBarrier(
  ts: Float64Array,
  close: Float64Array,
  t0: Float64Array,
  target: Float64Array,
  t1: Float64Array,
  side: Float64Array,
  pt: number,
  sl: number,
  minReturn: number,
): Float64Array {
  const n = ts.length;
  const m = t0.length;
  checkTimes(ts);
  checkLength(target, n, ValueFault.TARGET_LENGTH, 'one');
  checkLength(t1, m, ValueFault.T1_LENGTH, 'none');
  checkLength(side, m, ValueFault.SIDE_LENGTH, 'none');
  const starts = eventStarts(ts, t0);
  const vertical = new Int32Array(m).fill(-1);
  for (let i = 0; i < t1.length; i++) {
    if (t1[i] !== t1[i]) continue;
    vertical[i] = endAt(ts, starts[i], t1[i], i);
  }
  for (let i = 0; i < side.length; i++) if (!Number.isFinite(side[i])) throw valueError(ValueFault.SIDE, i, side[i]);
  const { out, views } = allocateOutputs(K.tripleBarrier, ts, close, t0, target, t1, side, pt, sl, minReturn);
  out.fill(NaN);
  const meta = side.length > 0;
  // without a side both horizontal barriers sit at pt (get_events' pt_sl_ = [pt, pt])
  const lowerMultiple = meta ? sl : pt;
  for (let i = 0; i < m; i++) {
    const s = starts[i];
    const trgt = target.length === 1 ? target[0] : target[s];
    if (!(trgt > minReturn)) continue;
    const sd = meta ? side[i] : 1;
    const upper = pt > 0 ? pt * trgt : NaN;
    const lower = lowerMultiple > 0 ? -lowerMultiple * trgt : NaN;
    const end = vertical[i] >= 0 ? vertical[i] : n - 1;
    const base = close[s];
    let touch = vertical[i];
    for (let j = s; j <= end; j++) {
      const cum = (close[j] / base - 1) * sd;
      if (cum < lower || cum > upper) {
        touch = j;
        break;
      }
    }
    if (touch < 0) continue;
    let ret = ln(close[touch]) - ln(base);
    if (meta) ret *= sd;
    const level = ln(1 + trgt);
    const barrier = ret > 0 && ret > level * pt ? 1 : ret < 0 && ret < -level * sl ? -1 : 0;
    views.t1[i] = ts[touch];
    views.target[i] = trgt;
    views.ret[i] = expOf(ret) - 1;
    views.label[i] = meta && ret <= 0 ? 0 : barrier;
    views.barrier[i] = barrier;
  }
  return out;
}

/**
 * The t-value of the OLS slope of y[from..from + k) on 0..k-1 (numbers shifted by `shift` first):
 * b1 / sqrt(ssr / (k - 2) / Sxx), with ssr the residuals' own squares; zero residuals give 0 for a
 * zero slope and +-Infinity by its sign.
 */
function slopeT(close: Float64Array, from: number, k: number, shift: number): number {
  let sy = 0;
  for (let j = 0; j < k; j++) sy += close[from + j] - shift;
  const ybar = sy / k;
  const xbar = (k - 1) / 2;
  const sxx = (k * (k * k - 1)) / 12;
  let sxy = 0;
  for (let j = 0; j < k; j++) sxy += (j - xbar) * (close[from + j] - shift - ybar);
  const b1 = sxy / sxx;
  let ssr = 0;
  for (let j = 0; j < k; j++) {
    const e = close[from + j] - shift - ybar - b1 * (j - xbar);
    ssr += e * e;
  }
  if (ssr === 0 && b1 === 0) return 0;
  return b1 / Math.sqrt(ssr / (k - 2) / sxx);
}

export function referenceTrendScanningLabels(
  ts: Float64Array,
  close: Float64Array,
  t0: Float64Array,
  lookForward: number,
  minSampleLength: number,
  step: number,
): Float64Array {
  const n = ts.length;
  checkTimes(ts);
  const starts = eventStarts(ts, t0);
  const { out, views } = allocateOutputs(K.trendScanningLabels, ts, close, t0, lookForward, minSampleLength, step);
  out.fill(NaN);
  for (let i = 0; i < t0.length; i++) {
    const s = starts[i];
    if (n - s < lookForward) continue;
    const shift = Number.isFinite(close[s]) ? close[s] : 0;
    let best = -Infinity;
    let bestT = NaN;
    let bestK = -1;
    for (let k = minSampleLength; k < lookForward; k += step) {
      const t = slopeT(close, s, k, shift);
      if (Math.abs(t) > best) {
        best = Math.abs(t);
        bestT = t;
        bestK = k;
      }
    }
    if (bestK < 0) continue;
    const e = s + bestK - 1;
    views.t1[i] = ts[e];
    views.tValue[i] = bestT;
    views.ret[i] = close[e] / close[s] - 1;
    views.label[i] = bestT > 0 ? 1 : bestT < 0 ? -1 : bestT;
  }
  return out;
}

/** The mean and sample standard deviation of x[from..from + w), NaN when any is NaN. */
function windowMoments(x: Float64Array, from: number, w: number): [number, number] {
  let sum = 0;
  for (let j = from; j < from + w; j++) sum += x[j];
  const mean = sum / w;
  let ss = 0;
  for (let j = from; j < from + w; j++) ss += (x[j] - mean) * (x[j] - mean);
  return [mean, Math.sqrt(ss / (w - 1))];
}

export function referenceFixedHorizonLabels(
  close: Float64Array,
  threshold: Float64Array,
  lag: number,
  standardized: number,
  window: number,
): Float64Array {
  const n = close.length;
  checkLength(threshold, n, ValueFault.HORIZON_THRESHOLD_LENGTH, 'one');
  for (let i = 0; i < threshold.length; i++)
    if (!Number.isFinite(threshold[i])) throw valueError(ValueFault.HORIZON_THRESHOLD, i, threshold[i]);
  const { out } = allocateOutputs(K.fixedHorizonLabels, close, threshold, lag, standardized, window);
  // pandas' pct_change: the closes padded forward (a NaN takes the last close before it), then p_t / p_{t-1} - 1
  const r = new Float64Array(n).fill(NaN);
  let previous = NaN;
  for (let i = 0; i < n; i++) {
    const p = close[i] === close[i] ? close[i] : previous;
    if (i > 0) r[i] = p / previous - 1;
    previous = p;
  }
  const ret = new Float64Array(n);
  for (let i = 0; i < n; i++) ret[i] = lag ? (i + 1 < n ? r[i + 1] : NaN) : r[i];
  const z = ret;
  if (standardized) {
    const raw = Float64Array.from(ret);
    for (let i = 0; i < n; i++) {
      if (i + 1 < window) {
        z[i] = NaN;
        continue;
      }
      const [mean, sd] = windowMoments(raw, i + 1 - window, window);
      z[i] = (raw[i] - mean) / sd;
    }
  }
  for (let i = 0; i < n; i++) {
    const h = threshold.length === 1 ? threshold[0] : threshold[i];
    const x = z[i];
    out[i] = x > h ? 1 : x < -h ? -1 : x >= -h && x <= h ? 0 : NaN;
  }
  return out;
}
