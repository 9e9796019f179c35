/**
 * garchVar: the one-step VaR and ES of each bar from a model fitted on the `window` returns before it,
 * refitted every `refit` bars (warm-started from the previous fit; no standard errors), the forecast
 * between refits at the last fit's parameters (arch's am.fix(params) then forecast(horizon=1)):
 * VaR = -(mu + sigma q), ES = -(mu + sigma E[z | z <= q]), q the fitted distribution's quantile at
 * 1 - confidence, or for 'filtered' numpy's linear-interpolation percentile of the refit's standardized
 * residuals (E the mean of those at or below it). native/kernels/volatility/var.cpp is the same.
 */
import { DIST_SKEWT, DIST_T, FAULT_OMEGA, type Model, fitLayout, forecastLayout } from '../../../kernels/volatility/volatility.js';
import { logGamma } from '../../../math/gamma.js';
import { normalPdf, normalQuantile } from '../../../math/normal.js';
import { studentTCdf, studentTQuantile } from '../../../math/student-t.js';
import { forecastSeries } from './filter.js';
import { fitSeries } from './fit.js';
import { exp, ln } from './numbers.js';

/** The packed options: [window, refit, confidence, method (0 parametric, 1 filtered)]. */
export const VAR_WINDOW = 0;
export const VAR_REFIT = 1;
export const VAR_CONFIDENCE = 2;
export const VAR_METHOD = 3;

/** The standard Student-t density. */
function tPdf(t: number, nu: number): number {
  return exp(logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * ln(Math.PI * nu) - ((nu + 1) / 2) * ln(1 + (t * t) / nu));
}
/** The integral of t g(t) from -inf to x, g the standard t density: -(nu + x^2) / (nu - 1) g(x). */
function tPartialMean(x: number, nu: number): number {
  return (-(nu + x * x) / (nu - 1)) * tPdf(x, nu);
}

/**
 * The quantile q at alpha and E[z | z <= q] of the model's standardized distribution at its shape
 * parameters: the normal, the unit-variance t (t_nu scaled by sqrt((nu - 2) / nu)), Hansen's skew-t
 * (arch's ppf; its tail mean by the two branches of the density, each a scaled t).
 */
export function tail(dist: number, shape: Float64Array, alpha: number): [number, number] {
  if (dist === DIST_T) {
    const nu = shape[0];
    const s = Math.sqrt((nu - 2) / nu);
    const t = studentTQuantile(alpha, nu);
    return [t * s, (s * tPartialMean(t, nu)) / alpha];
  }
  if (dist === DIST_SKEWT) {
    const eta = shape[0];
    const lam = shape[1];
    const c = exp(logGamma((eta + 1) / 2) - logGamma(eta / 2) - ln(Math.PI * (eta - 2)) / 2);
    const a = (4 * lam * c * (eta - 2)) / (eta - 1);
    const b = Math.sqrt(1 + 3 * (lam * lam) - a * a);
    const s = Math.sqrt((eta - 2) / eta);
    // arch's ppf: the lower branch below (1 - lambda) / 2
    const lower = alpha < (1 - lam) / 2;
    const t = lower ? studentTQuantile(alpha / (1 - lam), eta) : studentTQuantile(0.5 + (alpha - (1 - lam) / 2) / (1 + lam), eta);
    const q = (t * (1 + Math.sign(alpha - (1 - lam) / 2) * lam) * s - a) / b;
    // E[z; z <= q]: z = ((1 -+ lambda) s t - a) / b with weight (1 -+ lambda) g(t) on each branch
    const k1 = 1 - lam;
    let mean = ((k1 * k1 * s) / b) * tPartialMean(lower ? t : 0, eta) - (a / b) * k1 * (lower ? studentTCdf(t, eta) : 0.5);
    if (!lower) {
      const k2 = 1 + lam;
      mean += ((k2 * k2 * s) / b) * (tPartialMean(t, eta) - tPartialMean(0, eta)) - (a / b) * k2 * (studentTCdf(t, eta) - 0.5);
    }
    return [q, mean / alpha];
  }
  const q = normalQuantile(alpha);
  return [q, -normalPdf(q) / alpha];
}

/** numpy's default percentile (linear interpolation) of z at alpha, and the mean of the values at or below it. */
export function empiricalTail(z: Float64Array, alpha: number): [number, number] {
  const sorted = Float64Array.from(z).sort();
  const n = sorted.length;
  const h = (n - 1) * alpha;
  const lo = Math.floor(h);
  const q = lo + 1 < n ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n && sorted[i] <= q; i++) {
    sum += sorted[i];
    count++;
  }
  return [q, sum / count];
}

/** VaR and ES of each bar of y into out ([var T, es T], NaN before the window); returns a fault status or 0. */
export function varSeries(m: Model, y: Float64Array, options: Float64Array, out: Float64Array): number {
  const T = y.length;
  const window = options[VAR_WINDOW];
  const refit = options[VAR_REFIT];
  const alpha = 1 - options[VAR_CONFIDENCE];
  const filtered = options[VAR_METHOD] === 1;
  out.fill(Number.NaN);
  const lay = fitLayout(m, window);
  const fit = new Float64Array(lay.length);
  const fcast = new Float64Array(forecastLayout(1).length);
  let params: Float64Array | undefined;
  let q = 0;
  let eq = 0;
  for (let t = window; t < T; t++) {
    const y0 = y.subarray(t - window, t);
    // a refit on schedule, or where the last fit's omega left this window's bounds
    let due = params === undefined || (t - window) % refit === 0;
    if (!due) {
      forecastSeries(m, y0, params!, 1, fcast);
      due = fcast[0] === FAULT_OMEGA;
    }
    if (due) {
      fitSeries(m, y0, fit, params, false);
      const status = fit[lay.status];
      if (status >= 10) return status;
      params = fit.slice(lay.params, lay.params + lay.k);
      [q, eq] = filtered
        ? empiricalTail(fit.subarray(lay.std + m.lags, lay.std + window), alpha)
        : tail(m.dist, params.subarray(lay.k - m.dist), alpha);
      forecastSeries(m, y0, params, 1, fcast);
    }
    if (fcast[0] !== 0) return fcast[0];
    const mu = fcast[1];
    const sigma = Math.sqrt(fcast[3]);
    out[t] = -(mu + sigma * q);
    out[T + t] = -(mu + sigma * eq);
  }
  return 0;
}
