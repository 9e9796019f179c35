/**
 * What a fitted model says beyond its parameters: its standardized distribution's tail at a level (the
 * quantile q and E[z | z <= q] that turn a one-step forecast into VaR and ES: garchVar, RiskEngine's
 * GARCH VaR), the empirical tail of standardized residuals ('filtered'), and its persistence, half-life
 * and long-run variance (`kernelbus risk --garch`, RiskEngine). docs/volatility.md.
 */
import { logGamma } from '../../math/gamma.js';
import { expOf as exp } from '../../math/elementary.js';
import { normalPdf, normalQuantile } from '../../math/normal.js';
import { logOf as ln } from '../../math/random.js';
import { studentTCdf, studentTQuantile } from '../../math/student-t.js';
import { DIST_SKEWT, DIST_T, type Vol } from './volatility.js';
import type { GarchParams } from './volatility-resolve.js';

/** The standard Student-t density. */
function tPdf(t: number, nu: number): number {
  return exp(logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * ln(Math.PI * nu) - ((nu + 1) / 2) * ln(1 + (t * t) / nu));
}
/** The integral of t g(t) from -inf to x, g the standard t density: -(nu + x^2) / (nu - 1) g(x). */
function tPartialMean(x: number, nu: number): number {
  return (-(nu + x * x) / (nu - 1)) * tPdf(x, nu);
}

/** Hansen's skew-t constants a and b at eta and lambda (arch's SkewStudent). */
function skewtAB(eta: number, lam: number): [number, number] {
  const c = exp(logGamma((eta + 1) / 2) - logGamma(eta / 2) - ln(Math.PI * (eta - 2)) / 2);
  const a = (4 * lam * c * (eta - 2)) / (eta - 1);
  return [a, Math.sqrt(1 + 3 * (lam * lam) - a * a)];
}

/** The standardized distribution's quantile at u (arch's ppf: the normal's, the unit-variance t's, Hansen's skew-t's). */
export function ppf(dist: number, shape: ArrayLike<number>, u: number): number {
  if (dist === DIST_T) {
    const nu = shape[0];
    return studentTQuantile(u, nu) * Math.sqrt((nu - 2) / nu);
  }
  if (dist === DIST_SKEWT) {
    const eta = shape[0];
    const lam = shape[1];
    const [a, b] = skewtAB(eta, lam);
    const lower = u < (1 - lam) / 2;
    const t = lower ? studentTQuantile(u / (1 - lam), eta) : studentTQuantile(0.5 + (u - (1 - lam) / 2) / (1 + lam), eta);
    return (t * (1 + Math.sign(u - (1 - lam) / 2) * lam) * Math.sqrt((eta - 2) / eta) - a) / b;
  }
  return normalQuantile(u);
}

/**
 * The quantile q at alpha and E[z | z <= q] of the model's standardized distribution (`dist` a DIST_
 * code) at its shape parameters (none; nu; eta and lambda): the normal, the unit-variance t (t_nu
 * scaled by sqrt((nu - 2) / nu)), Hansen's skew-t (arch's ppf; its tail mean by the two branches of
 * the density, each a scaled t).
 */
export function tail(dist: number, shape: ArrayLike<number>, alpha: number): [number, number] {
  if (dist === DIST_T) {
    const nu = shape[0];
    const s = Math.sqrt((nu - 2) / nu);
    const t = studentTQuantile(alpha, nu);
    return [t * s, (s * tPartialMean(t, nu)) / alpha];
  }
  if (dist === DIST_SKEWT) {
    const eta = shape[0];
    const lam = shape[1];
    const [a, b] = skewtAB(eta, lam);
    const s = Math.sqrt((eta - 2) / eta);
    // arch's ppf: the lower branch below (1 - lambda) / 2, t that branch's t quantile
    const lower = alpha < (1 - lam) / 2;
    const t = lower ? studentTQuantile(alpha / (1 - lam), eta) : studentTQuantile(0.5 + (alpha - (1 - lam) / 2) / (1 + lam), eta);
    const q = ppf(dist, shape, alpha);
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

/** A fit's persistence, half-life (periods) and long-run variance (in the units of the returns squared). */
export interface Persistence {
  persistence: number;
  halfLife: number;
  longRunVariance: number;
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/**
 * GARCH and GJR: persistence = sum alpha + sum gamma / 2 + sum beta (arch's stationarity constraint),
 * long-run variance omega / (1 - persistence); EGARCH: persistence = sum beta, long-run variance
 * exp(omega / (1 - sum beta)) (the log-variance's mean where |z| and z average out). The half-life
 * ln(1/2) / ln(persistence); NaN where the process is not stationary.
 */
export function persistenceOf(vol: Vol, params: Pick<GarchParams, 'omega' | 'alpha' | 'gamma' | 'beta'>): Persistence {
  const { omega, alpha, gamma, beta } = params;
  const persistence = vol === 'egarch' ? sum(beta) : sum(alpha) + sum(gamma) / 2 + sum(beta);
  const stationary = persistence < 1;
  const longRunVariance = !stationary ? Number.NaN : vol === 'egarch' ? Math.exp(omega / (1 - persistence)) : omega / (1 - persistence);
  const halfLife = stationary && persistence > 0 ? Math.log(0.5) / Math.log(persistence) : Number.NaN;
  return { persistence, halfLife, longRunVariance };
}
