/**
 * The HAR model (reference): R highfrequency 1.0's HARmodel, type 'HAR' (R/HARmodel.R, har_agg in
 * highfrequency/src/HARmodel.cpp): rv[t + 1] = b0 + sum over the lags h of b_h mean(rv[t - h + 1 .. t]), OLS on the
 * days maxLag + 1 .. n (0-based: maxLag .. n - 1), solved by modified Gram-Schmidt on [X | y].
 * native/kernels/features/har.cpp is the same arithmetic.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { FEATURES_KERNELS } from '../../../kernels/features/features-kernels.js';

/** har_agg's mean of rv[t - h + 1 .. t]: the window's sum, left to right, over h. */
export function harMean(rv: Float64Array, t: number, h: number): number {
  let sum = 0;
  for (let i = t - h + 1; i <= t; i++) sum += rv[i];
  return sum / h;
}

/** R's dqrdc2 tolerance: a column whose remainder is below 1e-7 of its norm is collinear with those before. */
const RANK_TOL = 1e-7;

/**
 * HAR of `rv` with the terms [0, lags...] (0 the intercept): coefficients (one per term), fitted (NaN
 * for the first maxLag days, then highfrequency's fitted values: below min(y, 0) or above max(y)
 * replaced by mean(y), its harInsanityFilter), forecast (the day after the last, unfiltered). A
 * collinear design (a constant rv) gives NaN everywhere.
 */
export function referenceHar(rv: Float64Array, terms: Float64Array): Float64Array {
  const { out, views } = allocateOutputs(FEATURES_KERNELS.har, rv, terms);
  const { coefficients, fitted, forecast } = views;
  const n = rv.length;
  const k = terms.length;
  const maxp = terms[k - 1];
  const m = n - maxp;
  // the columns of X (k) and y, m rows each: row r is day t = maxp - 1 + r, its y day t + 1
  const a = new Float64Array((k + 1) * m);
  for (let r = 0; r < m; r++) {
    const t = maxp - 1 + r;
    a[r] = 1;
    for (let j = 1; j < k; j++) a[j * m + r] = harMean(rv, t, terms[j]);
    a[k * m + r] = rv[t + 1];
  }
  const R = new Float64Array(k * k);
  const z = new Float64Array(k);
  let ok = true;
  for (let j = 0; j <= k && ok; j++) {
    const col = j * m;
    const norm0 = Math.sqrt(dot(a, col, a, col, m));
    for (let i = 0; i < j; i++) {
      const rij = dot(a, i * m, a, col, m);
      for (let r = 0; r < m; r++) a[col + r] -= rij * a[i * m + r];
      if (j < k) R[i * k + j] = rij;
      else z[i] = rij;
    }
    if (j === k) break;
    const rjj = Math.sqrt(dot(a, col, a, col, m));
    if (!(rjj > RANK_TOL * norm0)) ok = false;
    R[j * k + j] = rjj;
    for (let r = 0; r < m; r++) a[col + r] /= rjj;
  }
  fitted.fill(NaN);
  if (!ok) {
    out.fill(NaN);
    return out;
  }
  for (let j = k - 1; j >= 0; j--) {
    let s = z[j];
    for (let i = j + 1; i < k; i++) s -= R[j * k + i] * coefficients[i];
    coefficients[j] = s / R[j * k + j];
  }
  let lo = 0;
  let hi = -Infinity;
  let sum = 0;
  for (let t = maxp; t < n; t++) {
    if (rv[t] < lo) lo = rv[t];
    if (rv[t] > hi) hi = rv[t];
    sum += rv[t];
  }
  const mean = sum / m;
  for (let t = maxp - 1; t < n; t++) {
    let f = coefficients[0];
    for (let j = 1; j < k; j++) f += coefficients[j] * harMean(rv, t, terms[j]);
    if (t === n - 1) forecast[0] = f;
    else fitted[t + 1] = f < lo || f > hi ? mean : f;
  }
  return out;
}

function dot(x: Float64Array, i: number, y: Float64Array, j: number, m: number): number {
  let s = 0;
  for (let r = 0; r < m; r++) s += x[i + r] * y[j + r];
  return s;
}
