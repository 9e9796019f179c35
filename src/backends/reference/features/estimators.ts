/**
 * Rolling estimators on bars (reference): mlfinlab 2020's util/volatility.py and
 * microstructural_features (first_generation.py, second_generation.py), each a function of one
 * symbol's series (`Series*`), run over a panel's columns by `perColumn`. A rolling mean is the
 * window's sum, left to right, over w (a window holding a NaN is NaN; the next ones are numbers).
 * native/kernels/features/estimators.cpp is the same arithmetic, function for function.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { FEATURES_KERNELS } from '../../../kernels/features/features-kernels.js';

/** The sum of x[t - w + 1 .. t], left to right. */
function windowSum(x: Float64Array, t: number, w: number): number {
  let s = 0;
  for (let i = t - w + 1; i <= t; i++) s += x[i];
  return s;
}

/** mean(x[t - w + 1 .. t]): the window's sum over w. */
const windowMean = (x: Float64Array, t: number, w: number) => windowSum(x, t, w) / w;

/** out[t] = mean of x over the window ending at t, from t = first (NaN before). */
function rollingMean(x: Float64Array, n: number, w: number, first: number, out: Float64Array): void {
  for (let t = 0; t < n; t++) out[t] = t >= first && t >= w - 1 ? windowMean(x, t, w) : NaN;
}

/** np.sign: -1, 0, 1, NaN for NaN. */
const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN);

/**
 * Roll measure (get_roll_measure): 2 sqrt(|cov(d_t, d_{t-1})|) over the window, d the close's
 * changes, cov the sample covariance (ddof 1); from t = w + 1.
 */
export function seriesRollMeasure(close: Float64Array, n: number, w: number, out: Float64Array): void {
  for (let t = 0; t < n; t++) {
    if (t < w + 1) {
      out[t] = NaN;
      continue;
    }
    let sx = 0;
    let sy = 0;
    for (let i = t - w + 1; i <= t; i++) {
      sx += close[i] - close[i - 1];
      sy += close[i - 1] - close[i - 2];
    }
    const mx = sx / w;
    const my = sy / w;
    let c = 0;
    for (let i = t - w + 1; i <= t; i++) c += (close[i] - close[i - 1] - mx) * (close[i - 1] - close[i - 2] - my);
    out[t] = 2 * Math.sqrt(Math.abs(c / (w - 1)));
  }
}

/** Roll impact (get_roll_impact): the Roll measure over the bar's dollar volume. */
export function seriesRollImpact(close: Float64Array, dv: Float64Array, n: number, w: number, out: Float64Array): void {
  seriesRollMeasure(close, n, w, out);
  for (let t = 0; t < n; t++) out[t] /= dv[t];
}

const SQRT2 = Math.sqrt(2);
const CS_DEN = 3 - 2 * SQRT2;
const K2 = Math.sqrt(8 / Math.PI);

/**
 * Corwin-Schultz (get_corwin_schultz_estimator, get_bekker_parkinson_vol): beta the window's mean of
 * ln(H_t/L_t)^2 + ln(H_{t-1}/L_{t-1})^2, gamma ln(max(H_t, H_{t-1}) / min(L_t, L_{t-1}))^2; alpha and
 * sigma floored at 0; from t = w.
 */
export function seriesCorwinSchultz(
  high: Float64Array,
  low: Float64Array,
  n: number,
  w: number,
  spread: Float64Array,
  sigma: Float64Array,
): void {
  const b = new Float64Array(n);
  b[0] = NaN;
  for (let t = 1; t < n; t++) {
    const r0 = Math.log(high[t] / low[t]);
    const r1 = Math.log(high[t - 1] / low[t - 1]);
    b[t] = r0 * r0 + r1 * r1;
  }
  for (let t = 0; t < n; t++) {
    if (t < w) {
      spread[t] = NaN;
      sigma[t] = NaN;
      continue;
    }
    const beta = windowMean(b, t, w);
    const g = Math.log(Math.max(high[t], high[t - 1]) / Math.min(low[t], low[t - 1]));
    const gamma = g * g;
    let alpha = ((SQRT2 - 1) * Math.sqrt(beta)) / CS_DEN - Math.sqrt(gamma / CS_DEN);
    if (alpha < 0) alpha = 0;
    const e = Math.exp(alpha);
    spread[t] = (2 * (e - 1)) / (1 + e);
    let s = ((Math.SQRT1_2 - 1) * Math.sqrt(beta)) / (K2 * CS_DEN) + Math.sqrt(gamma / (K2 * K2 * CS_DEN));
    if (s < 0) s = 0;
    sigma[t] = s;
  }
}

/**
 * The bar-based lambdas' signed terms: x_t = num_t / (sign_t den_t), sign_t the sign of num_t with a
 * 0 replaced by the previous sign (pandas' replace(0, method='pad'): from bar 0's NaN), x_0 NaN.
 */
function signedTerms(num: Float64Array, den: Float64Array, n: number, x: Float64Array): void {
  let prev = NaN;
  x[0] = NaN;
  for (let t = 1; t < n; t++) {
    let s = sign(num[t]);
    if (s === 0) s = prev;
    prev = s;
    x[t] = num[t] / (den[t] * s);
  }
}

/** Kyle lambda (get_bar_based_kyle_lambda): the window's mean of d_t / (V_t sign(d_t)); from t = w. */
export function seriesKyleLambda(close: Float64Array, volume: Float64Array, n: number, w: number, out: Float64Array): void {
  const d = new Float64Array(n);
  for (let t = 1; t < n; t++) d[t] = close[t] - close[t - 1];
  const x = new Float64Array(n);
  if (n > 0) signedTerms(d, volume, n, x);
  rollingMean(x, n, w, w, out);
}

/** Amihud lambda (get_bar_based_amihud_lambda): the window's mean of |ln(C_t / C_{t-1})| / DV_t; from t = w. */
export function seriesAmihudLambda(close: Float64Array, dv: Float64Array, n: number, w: number, out: Float64Array): void {
  const x = new Float64Array(n);
  x[0] = NaN;
  for (let t = 1; t < n; t++) x[t] = Math.abs(Math.log(close[t] / close[t - 1])) / dv[t];
  rollingMean(x, n, w, w, out);
}

/** Hasbrouck lambda (get_bar_based_hasbrouck_lambda): the window's mean of r_t / (sign(r_t) sqrt(DV_t)), r the log return; from t = w. */
export function seriesHasbrouckLambda(close: Float64Array, dv: Float64Array, n: number, w: number, out: Float64Array): void {
  const r = new Float64Array(n);
  const root = new Float64Array(n);
  for (let t = 1; t < n; t++) {
    r[t] = Math.log(close[t] / close[t - 1]);
    root[t] = Math.sqrt(dv[t]);
  }
  const x = new Float64Array(n);
  if (n > 0) signedTerms(r, root, n, x);
  rollingMean(x, n, w, w, out);
}

const LN2 = Math.log(2);

/**
 * Range volatility (util/volatility.py): estimator 0 Parkinson sqrt(mean(ln(H/L)^2 / (4 ln 2))), 1
 * Garman-Klass sqrt(mean(0.5 ln(H/L)^2 - (2 ln 2 - 1) ln(C/O)^2)), from t = w - 1; 2 Rogers-Satchell
 * sqrt(mean(ln(H/C) ln(H/O) + ln(L/C) ln(L/O))), from t = w - 1; 3 Yang-Zhang sqrt(s_o + k s_c + (1 - k)
 * s_rs), s = the window's sums over w - 1 of ln(O_t/C_{t-1})^2, ln(C_t/O_{t-1})^2 and the
 * Rogers-Satchell term, k = 0.34 / (1.34 + (w + 1)/(w - 1)), from t = w. Each times sqrt(annualize).
 */
export function seriesRangeVolatility(
  open: Float64Array,
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  n: number,
  estimator: number,
  w: number,
  annualize: number,
  out: Float64Array,
): void {
  const scale = Math.sqrt(annualize);
  const rs = (t: number) => {
    const hc = Math.log(high[t] / close[t]);
    const ho = Math.log(high[t] / open[t]);
    const lc = Math.log(low[t] / close[t]);
    const lo = Math.log(low[t] / open[t]);
    return hc * ho + lc * lo;
  };
  const e = new Float64Array(n);
  if (estimator === 3) {
    const so = new Float64Array(n);
    const sc = new Float64Array(n);
    so[0] = NaN;
    sc[0] = NaN;
    for (let t = 1; t < n; t++) {
      const a = Math.log(open[t] / close[t - 1]);
      const b = Math.log(close[t] / open[t - 1]);
      so[t] = a * a;
      sc[t] = b * b;
    }
    for (let t = 0; t < n; t++) e[t] = rs(t);
    const k = 0.34 / (1.34 + (w + 1) / (w - 1));
    for (let t = 0; t < n; t++) {
      if (t < w) {
        out[t] = NaN;
        continue;
      }
      const o = (1 / (w - 1)) * windowSum(so, t, w);
      const c = (1 / (w - 1)) * windowSum(sc, t, w);
      const r = (1 / (w - 1)) * windowSum(e, t, w);
      out[t] = Math.sqrt(o + k * c + (1 - k) * r) * scale;
    }
    return;
  }
  for (let t = 0; t < n; t++) {
    if (estimator === 0) {
      const hl = Math.log(high[t] / low[t]);
      e[t] = (1 / (4 * LN2)) * (hl * hl);
    } else if (estimator === 1) {
      const hl = Math.log(high[t] / low[t]);
      const co = Math.log(close[t] / open[t]);
      e[t] = 0.5 * (hl * hl) - (2 * LN2 - 1) * (co * co);
    } else e[t] = rs(t);
  }
  for (let t = 0; t < n; t++) out[t] = t >= w - 1 ? Math.sqrt(windowMean(e, t, w)) * scale : NaN;
}

/**
 * `series(ins, n, outs)` over each column of the rows x cols inputs (row-major) into the outputs:
 * a column gathered into contiguous arrays, computed whole, scattered back.
 */
function perColumn(
  inputs: readonly Float64Array[],
  rows: number,
  cols: number,
  outputs: readonly Float64Array[],
  series: (ins: Float64Array[], n: number, outs: Float64Array[]) => void,
): void {
  if (cols === 1) {
    series(inputs as Float64Array[], rows, outputs as Float64Array[]);
    return;
  }
  const ins = inputs.map(() => new Float64Array(rows));
  const outs = outputs.map(() => new Float64Array(rows));
  for (let c = 0; c < cols; c++) {
    for (let k = 0; k < inputs.length; k++) for (let t = 0; t < rows; t++) ins[k][t] = inputs[k][t * cols + c];
    series(ins, rows, outs);
    for (let k = 0; k < outputs.length; k++) for (let t = 0; t < rows; t++) outputs[k][t * cols + c] = outs[k][t];
  }
}

type Name = 'rollMeasure' | 'rollImpact' | 'corwinSchultz' | 'kyleLambda' | 'amihudLambda' | 'hasbrouckLambda' | 'rangeVolatility';

/** A reference kernel: its inputs, rows, cols, then its packed parameters; its outputs from the descriptor. */
function kernel(name: Name, inputs: number, series: (ins: Float64Array[], n: number, outs: Float64Array[], p: number[]) => void) {
  return (...args: (Float64Array | number)[]): Float64Array => {
    const { out, views } = allocateOutputs(FEATURES_KERNELS[name], ...args);
    const ins = args.slice(0, inputs) as Float64Array[];
    const [rows, cols, ...p] = args.slice(inputs) as number[];
    perColumn(ins, rows, cols, Object.values(views), (x, n, o) => series(x, n, o, p));
    return out;
  };
}

export const referenceEstimators = {
  rollMeasure: kernel('rollMeasure', 1, (x, n, o, p) => seriesRollMeasure(x[0], n, p[0], o[0])),
  rollImpact: kernel('rollImpact', 2, (x, n, o, p) => seriesRollImpact(x[0], x[1], n, p[0], o[0])),
  corwinSchultz: kernel('corwinSchultz', 2, (x, n, o, p) => seriesCorwinSchultz(x[0], x[1], n, p[0], o[0], o[1])),
  kyleLambda: kernel('kyleLambda', 2, (x, n, o, p) => seriesKyleLambda(x[0], x[1], n, p[0], o[0])),
  amihudLambda: kernel('amihudLambda', 2, (x, n, o, p) => seriesAmihudLambda(x[0], x[1], n, p[0], o[0])),
  hasbrouckLambda: kernel('hasbrouckLambda', 2, (x, n, o, p) => seriesHasbrouckLambda(x[0], x[1], n, p[0], o[0])),
  rangeVolatility: kernel('rangeVolatility', 4, (x, n, o, p) => seriesRangeVolatility(x[0], x[1], x[2], x[3], n, p[0], p[1], p[2], o[0])),
};
