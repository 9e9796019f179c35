/**
 * arch 8.0's error distributions (arch/univariate/distribution.py): the normal, Student's t
 * standardized to unit variance, Hansen's skew-t and the generalized error distribution. One
 * observation's log-likelihood is K - log(sigma^2) / 2 - h log(g) + q: K and h constants of the shape
 * parameters, g and q of the observation (normal: g = 1, q = -e^2 / (2 sigma^2); t: g = 1 + e^2 /
 * (sigma^2 (nu - 2)); skew-t: g = 1 + v^2 / (eta - 2); GED: g = 1, q = -|e / (sigma c)|^nu / 2). A sum over the observations takes the logs of products (LogProduct: one
 * log a sum, not one an observation), the partials in sigma^2, e and the shape parameters likewise.
 * native/kernels/volatility/dist.hpp is the same.
 */
import { digamma } from '../../../math/digamma.js';
import { logGamma } from '../../../math/gamma.js';
import { logGammaPositive } from '../../../math/incomplete-gamma.js';
import { exp, finiteClamp, ln } from './numbers.js';

const LOG_2PI = ln(2 * Math.PI);

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer); // little-endian: [low, high]

/**
 * The log of a product of positive numbers, kept as a mantissa and a power of 2 (the exponent moved out,
 * the mantissa back to [1, 2), whenever the mantissa leaves [2^-16, 2^16], so nothing overflows or underflows):
 * log(prod x) = ln(mantissa) + exponent ln 2, to a few ulps of the product (more accurate than a sum of
 * logs). The C++ LogProduct is the same.
 */
export class LogProduct {
  private m = 1;
  private e = 0;
  add(x: number): void {
    this.m *= x;
    // the exponent moved out past 2^+-16: the next factor (a variance >= 1e-298, or g >= 1) cannot underflow
    if (this.m >= 2 ** -16 && this.m <= 2 ** 16) return;
    bits[0] = this.m;
    let hi = words[1];
    let ex = (hi >>> 20) & 0x7ff;
    if (ex === 0x7ff || this.m === 0) return; // Infinity, NaN, 0: their log
    if (ex === 0) {
      this.m *= 2 ** 64; // subnormal: scaled to normal first
      this.e -= 64;
      bits[0] = this.m;
      hi = words[1];
      ex = (hi >>> 20) & 0x7ff;
    }
    this.e += ex - 1023;
    words[1] = (hi & 0x800fffff) | (1023 << 20);
    this.m = bits[0];
  }
  log(): number {
    return ln(this.m) + this.e * Math.LN2;
  }
}

/** One observation's parts (see the module's comment) and its partials; dA and dB without the constants and the log. */
export interface Partials {
  g: number;
  q: number;
  dSigma2: number;
  dE: number;
  dA: number;
  dB: number;
}

/** A distribution at its shape parameters. */
export interface DistTerms {
  /** K: the log-likelihood's constant per observation. */
  readonly constant: number;
  /** h: the weight of log g. */
  readonly h: number;
  /** The constant per observation of dA (the first shape parameter's partial); -dA's log g weight is 1/2. */
  readonly constantA: number;
  /** log f(e | sigma^2) of one observation, in arch's order (the scores). */
  ll(e: number, sigma2: number): number;
  /** g and q of one observation (the value alone). */
  observe(e: number, sigma2: number, out: Partials): void;
  partials(e: number, sigma2: number, out: Partials): void;
}

/**
 * psi'(x), x > 0: the recurrence up to x >= 10, then the asymptotic series (dist.hpp trigamma, the same
 * operations): the skew-t's Hessian (hessian.ts).
 */
export function trigamma(x: number): number {
  let shift = 0;
  while (x < 10) {
    shift += 1 / (x * x);
    x += 1;
  }
  const r = 1 / x;
  const r2 = r * r;
  const series = r2 * r * (1 / 6 - r2 * (1 / 30 - r2 * (1 / 42 - r2 * (1 / 30 - r2 * (5 / 66)))));
  return shift + r + 0.5 * r2 + series;
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
  constant: -0.5 * LOG_2PI,
  h: 0,
  constantA: 0,
  ll: (e, s2) => -0.5 * (LOG_2PI + ln(s2) + (e * e) / s2),
  observe(e, s2, out) {
    out.g = 1;
    out.q = -0.5 * (e * e * (1 / s2));
  },
  partials(e, s2, out) {
    const r = 1 / s2;
    const u = e * e * r;
    out.g = 1;
    out.q = -0.5 * u;
    out.dSigma2 = finiteClamp(-0.5 * (r - u * r)); // not e^2 r^2: r^2 overflows first
    out.dE = -e * r;
    out.dA = 0;
    out.dB = 0;
  },
};

function studentT(nu: number): DistTerms {
  const c = logC(nu);
  const h = (nu + 1) / 2;
  const inu2 = 1 / (nu - 2);
  const hi = h * inu2;
  const m2hi = -2 * h * inu2;
  return {
    constant: c,
    h,
    constantA: dLogC(nu),
    ll: (e, s2) => c - 0.5 * ln(s2) - h * ln(1 + (e * e) / (s2 * (nu - 2))),
    observe(e, s2, out) {
      out.g = 1 + e * e * (1 / s2) * inu2;
      out.q = 0;
    },
    partials(e, s2, out) {
      const r = 1 / s2;
      const u = e * e * r * inu2;
      const g = 1 + u;
      const ig = 1 / g;
      out.g = g;
      out.q = 0;
      const ru = u * ig;
      out.dSigma2 = (-0.5 + h * ru) * r;
      out.dE = m2hi * e * r * ig;
      out.dA = hi * ru;
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
  // reciprocals made once: an observation's partials take two divisions and a root
  const inu2 = 1 / (eta - 2);
  const aob = a / b;
  const ipl = 1 / (1 + lam);
  const iml = 1 / (1 - lam);
  const cv = -(eta + 1) * inu2;
  const hi2 = h * inu2 * inu2;
  const dbLamOb = dbLam / b;
  /** 1 / (1 + s lambda) for s = sign(z + a / b). */
  const inverseDen = (s: number) => (s > 0 ? ipl : s < 0 ? iml : 1 / (1 + s * lam));
  return {
    constant: logB + c,
    h,
    constantA: dbEta / b + dc,
    ll(e, s2) {
      const z = e / Math.sqrt(s2);
      const v = (b * z + a) / (1 + Math.sign(z + a / b) * lam);
      return logB + c - ln(s2) / 2 - h * ln(1 + (v * v) / (eta - 2));
    },
    observe(e, s2, out) {
      const z = e * (1 / Math.sqrt(s2));
      const v = (b * z + a) * inverseDen(Math.sign(z + aob));
      out.g = 1 + v * v * inu2;
      out.q = 0;
    },
    partials(e, s2, out) {
      const isd = 1 / Math.sqrt(s2);
      const z = e * isd;
      const s = Math.sign(z + aob);
      const iden = inverseDen(s);
      const v = (b * z + a) * iden;
      const g = 1 + v * v * inu2;
      const ig = 1 / g;
      out.g = g;
      out.q = 0;
      const dv = cv * v * ig; // dl/dv
      const dz = dv * b * iden;
      out.dE = dz * isd;
      out.dSigma2 = -0.5 * (isd * isd) * (1 + dz * z);
      out.dA = hi2 * (v * v) * ig + dv * (daEta + z * dbEta) * iden;
      out.dB = dbLamOb + dv * (daLam + z * dbLam) * iden - (clipped ? 0 : dv * v * s * iden);
    },
  };
}

/**
 * The generalized error distribution (arch's GeneralizedError): log c = (-2 ln 2 / nu + lgamma(1/nu) -
 * lgamma(3/nu)) / 2, K = ln nu - log c - lgamma(1/nu) - (1 + 1/nu) ln 2, and per observation q =
 * -exp(nu l) / 2, l = ln(|e| / sigma) - log c (q = 0 where |e| / sigma is 0). In nu: dK = 1/nu - d log c + (psi(1/nu) +
 * ln 2) / nu^2, d log c = (ln 2 - psi(1/nu) / 2 + 3 psi(3/nu) / 2) / nu^2, dq = q (l - nu d log c).
 */
function generalizedError(nu: number): DistTerms {
  const a = 1 / nu;
  const lgA = logGammaPositive(a);
  const logC = 0.5 * (-2 * a * Math.LN2 + lgA - logGammaPositive(3 * a));
  const constant = ln(nu) - logC - lgA - (1 + a) * Math.LN2;
  const a2 = a * a;
  const dLogC = a2 * (Math.LN2 - 0.5 * digamma(a) + 1.5 * digamma(3 * a));
  const constantA = a - dLogC + a2 * (digamma(a) + Math.LN2);
  /**
   * l = ln(|e| / sigma) - log c of one observation: -Infinity where |e| / sigma is 0, at e = 0 and where it
   * is below the doubles (a subnormal e over a large sigma: arch's |e / (sigma c)|^nu is then 0, not NaN).
   */
  const level = (e: number, s2: number) => {
    const r = Math.abs(e) / Math.sqrt(s2);
    return r === 0 ? Number.NEGATIVE_INFINITY : ln(r) - logC;
  };
  return {
    constant,
    h: 0,
    constantA,
    ll: (e, s2) => constant - 0.5 * ln(s2) - 0.5 * exp(nu * level(e, s2)),
    observe(e, s2, out) {
      out.g = 1;
      out.q = -0.5 * exp(nu * level(e, s2));
    },
    partials(e, s2, out) {
      out.g = 1;
      out.dB = 0;
      const l = level(e, s2);
      if (l === Number.NEGATIVE_INFINITY) {
        // q = 0: each partial's limit
        out.q = 0;
        out.dSigma2 = -0.5 / s2;
        out.dE = 0;
        out.dA = 0;
        return;
      }
      const q = -0.5 * exp(nu * l);
      out.q = q;
      out.dSigma2 = finiteClamp((-0.5 * (1 + nu * q)) / s2);
      out.dE = finiteClamp((nu * q) / e);
      out.dA = finiteClamp(q * (l - nu * dLogC));
    },
  };
}

/** Each distribution's terms at its shape parameters theta[id...], by code (volatility-dists.ts DISTRIBUTIONS, entry for entry). */
const TERMS: readonly ((theta: ArrayLike<number>, id: number) => DistTerms)[] = [
  () => normal,
  (theta, id) => studentT(theta[id]),
  (theta, id) => skewT(theta[id], theta[id + 1]),
  (theta, id) => generalizedError(theta[id]),
];

/** The distribution's terms at the shape parameters theta[id...]. */
export function distTerms(dist: number, theta: ArrayLike<number>, id: number): DistTerms {
  return TERMS[dist](theta, id);
}

/** The log-likelihood summed over the residuals: n K - log(prod sigma^2) / 2 - h log(prod g) + sum q. */
export function distLogLikelihood(terms: DistTerms, e: Float64Array, sigma2: Float64Array, nobs: number): number {
  const s2 = new LogProduct();
  const g = new LogProduct();
  const out: Partials = { g: 0, q: 0, dSigma2: 0, dE: 0, dA: 0, dB: 0 };
  let q = 0;
  for (let t = 0; t < nobs; t++) {
    terms.observe(e[t], sigma2[t], out);
    s2.add(sigma2[t]);
    g.add(out.g);
    q += out.q;
  }
  return nobs * terms.constant - 0.5 * s2.log() - terms.h * g.log() + q;
}

/** Each observation's -l_t into `out` (arch's individual log-likelihoods, negated). */
export function distIndividual(terms: DistTerms, e: Float64Array, sigma2: Float64Array, nobs: number, out: Float64Array): void {
  for (let t = 0; t < nobs; t++) out[t] = -terms.ll(e[t], sigma2[t]);
}
