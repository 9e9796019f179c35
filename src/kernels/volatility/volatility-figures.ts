/**
 * What a fitted model says beyond its parameters: the empirical tail of standardized residuals
 * ('filtered' VaR and ES; the distributions' own tails are theirs, volatility-dists.ts), and its
 * persistence, half-life and long-run variance (`kernelbus risk --garch`, RiskEngine). docs/volatility.md.
 */
import type { Vol } from './volatility.js';
import type { GarchParams } from './volatility-resolve.js';
import { PROCESSES, processOf } from './volatility-processes.js';

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

/**
 * The persistence (GARCH and GJR: sum alpha + sum gamma / 2 + sum beta, arch's stationarity constraint;
 * EGARCH: sum beta; APARCH: sigma^delta's, sum alpha_j E(|z| - gamma_j z)^delta + sum beta under normal
 * z) and the long-run variance (omega / (1 - persistence); EGARCH exp(omega / (1 - sum beta)), the
 * log-variance's mean where |z| and z average out; APARCH (omega / (1 - persistence))^(2 / delta)) of
 * volatility-processes.ts; the half-life ln(1/2) / ln(persistence). NaN where the process is not
 * stationary. `delta`: APARCH's power where the model fixes it (else params.delta).
 */
export function persistenceOf(
  vol: Vol,
  params: Pick<GarchParams, 'omega' | 'alpha' | 'gamma' | 'beta' | 'delta'>,
  delta?: number,
): Persistence {
  const { persistence, longRunVariance } = PROCESSES[processOf(vol)].persistence({ ...params, delta: delta ?? params.delta });
  const stationary = persistence < 1;
  const halfLife = stationary && persistence > 0 ? Math.log(0.5) / Math.log(persistence) : Number.NaN;
  return { persistence, halfLife, longRunVariance };
}
