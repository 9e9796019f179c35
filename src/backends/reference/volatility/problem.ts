/**
 * A model over one series (src/backends/reference/volatility/): what stays fixed while its parameters
 * move (the series, the parameters' places, the backcast and bounds) and its work arrays; the
 * recursions (processes.ts) and the likelihood (model.ts) read it. native/kernels/volatility/model.hpp
 * Problem is the same.
 */
import { extraCount, type Model, meanCount, observations, paramCount } from '../../../kernels/volatility/volatility.js';

/** A model over one series with what stays fixed while its parameters move. */
export interface Problem {
  readonly m: Model;
  /** The whole series (T); the fit uses y[lags..T). */
  readonly y: Float64Array;
  readonly nobs: number;
  readonly k: number;
  /** Where omega, alpha, gamma, beta, the process's extras and the distribution's parameters start in a parameter vector. */
  readonly iw: number;
  readonly ia: number;
  readonly ig: number;
  readonly ib: number;
  readonly ix: number;
  readonly id: number;
  /** The recursion's pre-sample value (EGARCH: its log) and the per-observation variance bounds. */
  backcast: number;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Work: residuals, variances, the process's own state (EGARCH ln sigma^2, APARCH sigma^delta) and EGARCH's standardized residuals. */
  readonly e: Float64Array;
  readonly sigma2: Float64Array;
  readonly ln: Float64Array;
  readonly z: Float64Array;
}

/** A problem over `y` with its fixed parts unset (call `fixAt` with the residuals they come from). */
export function problem(m: Model, y: Float64Array): Problem {
  const nobs = observations(m, y.length);
  const km = meanCount(m);
  const n = Math.max(nobs, 0);
  return {
    m,
    y,
    nobs,
    k: paramCount(m),
    iw: km,
    ia: km + 1,
    ig: km + 1 + m.p,
    ib: km + 1 + m.p + m.o,
    ix: km + 1 + m.p + m.o + m.q,
    id: km + 1 + m.p + m.o + m.q + extraCount(m),
    backcast: 0,
    lower: new Float64Array(n),
    upper: new Float64Array(n),
    e: new Float64Array(n),
    sigma2: new Float64Array(n),
    ln: new Float64Array(n),
    z: new Float64Array(n),
  };
}

/** d e_t / d theta_i for a mean parameter i (the others are 0). */
export function residualDerivative(pr: Problem, t: number, i: number): number {
  return i === 0 ? -1 : -pr.y[t + pr.m.lags - i];
}
