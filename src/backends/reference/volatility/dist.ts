/**
 * arch 8.0's error distributions (arch/univariate/distribution.py): the normal, Student's t
 * standardized to unit variance, and Hansen's skew-t, each a log-likelihood of a residual e and its
 * variance sigma^2 with the partial derivatives the gradient needs (in sigma^2, e and the shape
 * parameters). native/kernels/volatility/dist.hpp is the same.
 */
import { DIST_SKEWT, DIST_T } from '../../../kernels/volatility/volatility.js';
import { digamma } from '../../../math/digamma.js';
import { logGamma } from '../../../math/gamma.js';
import { exp, ln } from './numbers.js';

const LOG_2PI = ln(2 * Math.PI);

/** One observation's log-likelihood and its partials (dA, dB: the first and second shape parameter's). */
export interface Partials {
  ll: number;
  dSigma2: number;
  dE: number;
  dA: number;
  dB: number;
}

/** A distribution at its shape parameters: the constants computed once per evaluation. */
export interface DistTerms {
  /** log f(e | sigma^2), arch's order of operations. */
  ll(e: number, sigma2: number): number;
  partials(e: number, sigma2: number, out: Partials): void;
}

/** log c of the (skew-)t: lgamma((nu+1)/2) - lgamma(nu/2) - log(pi (nu-2)) / 2. */
function logC(nu: number): number {
  return logGamma((nu + 1) / 2) - logGamma(nu / 2) - ln(Math.PI * (nu - 2)) / 2;
}
/** d log c / d nu. */
function dLogC(nu: number): number {
  return 0.5 * digamma((nu + 1) / 2) - 0.5 * digamma(nu / 2) - 0.5 / (nu - 2);
}

const normal: DistTerms = {
  ll: (e, s2) => -0.5 * (LOG_2PI + ln(s2) + (e * e) / s2),
  partials(e, s2, out) {
    out.ll = -0.5 * (LOG_2PI + ln(s2) + (e * e) / s2);
    out.dSigma2 = -0.5 * (1 / s2 - (e * e) / (s2 * s2));
    out.dE = -e / s2;
    out.dA = 0;
    out.dB = 0;
  },
};

function studentT(nu: number): DistTerms {
  const c = logC(nu);
  const dc = dLogC(nu);
  const h = (nu + 1) / 2;
  return {
    ll: (e, s2) => c - 0.5 * ln(s2) - h * ln(1 + (e * e) / (s2 * (nu - 2))),
    partials(e, s2, out) {
      const u = (e * e) / (s2 * (nu - 2));
      const lg = ln(1 + u);
      out.ll = c - 0.5 * ln(s2) - h * lg;
      const r = u / (1 + u);
      out.dSigma2 = (-0.5 + h * r) / s2;
      out.dE = (-h * 2 * e) / (s2 * (nu - 2) * (1 + u));
      out.dA = dc - 0.5 * lg + (h * r) / (nu - 2);
      out.dB = 0;
    },
  };
}

function skewT(eta: number, lambda: number): DistTerms {
  const c = logC(eta);
  const dc = dLogC(eta);
  const ec = exp(c);
  const a = (4 * lambda * ec * (eta - 2)) / (eta - 1);
  const b = Math.sqrt(1 + 3 * (lambda * lambda) - a * a);
  const lam = Math.abs(lambda) >= 1 ? Math.sign(lambda) * (1 - 1e-6) : lambda;
  const clipped = lam !== lambda;
  // a's and b's derivatives in eta and lambda
  const daEta = a * (dc + 1 / (eta - 2) - 1 / (eta - 1));
  const daLam = (4 * ec * (eta - 2)) / (eta - 1);
  const dbEta = (-a * daEta) / b;
  const dbLam = (3 * lambda - a * daLam) / b;
  const logB = ln(b);
  const h = (eta + 1) / 2;
  return {
    ll(e, s2) {
      const z = e / Math.sqrt(s2);
      const v = (b * z + a) / (1 + Math.sign(z + a / b) * lam);
      return logB + c - ln(s2) / 2 - h * ln(1 + (v * v) / (eta - 2));
    },
    partials(e, s2, out) {
      const sd = Math.sqrt(s2);
      const z = e / sd;
      const s = Math.sign(z + a / b);
      const den = 1 + s * lam;
      const v = (b * z + a) / den;
      const g = 1 + (v * v) / (eta - 2);
      out.ll = logB + c - ln(s2) / 2 - h * ln(g);
      const dv = (-(eta + 1) * v) / ((eta - 2) * g); // dl/dv
      const dz = (dv * b) / den;
      out.dE = dz / sd;
      out.dSigma2 = -0.5 / s2 - (dz * z) / (2 * s2);
      out.dA = dbEta / b + dc - 0.5 * ln(g) + (h * v * v) / ((eta - 2) * (eta - 2) * g) + (dv * (daEta + z * dbEta)) / den;
      out.dB = dbLam / b + (dv * (daLam + z * dbLam)) / den - (clipped ? 0 : (dv * v * s) / den);
    },
  };
}

/** The distribution's terms at the shape parameters theta[id...]. */
export function distTerms(dist: number, theta: ArrayLike<number>, id: number): DistTerms {
  if (dist === DIST_T) return studentT(theta[id]);
  if (dist === DIST_SKEWT) return skewT(theta[id], theta[id + 1]);
  return normal;
}

/** The log-likelihood summed over the residuals (and -l_t into `individual` when given). */
export function distLogLikelihood(
  terms: DistTerms,
  e: Float64Array,
  sigma2: Float64Array,
  nobs: number,
  individual?: Float64Array,
): number {
  let ll = 0;
  for (let t = 0; t < nobs; t++) {
    const l = terms.ll(e[t], sigma2[t]);
    if (individual) individual[t] = -l;
    ll += l;
  }
  return ll;
}
