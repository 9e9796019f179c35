/**
 * What a fitted model says beyond its parameters: the empirical tail of standardized residuals
 * ('filtered' VaR and ES; the distributions' own tails are theirs, volatility-dists.ts), and its
 * persistence, half-life and long-run variance (`kernelbus risk --garch`, RiskEngine). docs/volatility.md.
 */
import type { Vol } from './volatility.js';
import type { GarchParams } from './volatility-resolve.js';

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
