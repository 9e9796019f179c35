/**
 * The error distributions of the volatility family as parts, one entry each (arch 8.0's
 * distribution.py: a class per distribution, combined with a mean and a volatility process at fit
 * time): its shape parameters (their names and arch's bounds, in the parameter vector after the
 * process's), its starting values, its quantile (arch's ppf) and its tail at a level (the quantile q and
 * E[z | z <= q] that turn a one-step forecast into VaR and ES). A model's `dist` code is the entry's
 * index in DISTRIBUTIONS. The likelihood's terms of each are the backends' (the reference's
 * src/backends/reference/volatility/dist.ts, native/kernels/volatility/dist.hpp), entry for entry.
 */
import { expOf as exp } from '../../math/elementary.js';
import { logGamma } from '../../math/gamma.js';
import { gammaQ, gammaQInverse, logGammaPositive } from '../../math/incomplete-gamma.js';
import { normalPdf, normalQuantile } from '../../math/normal.js';
import { logOf as ln } from '../../math/random.js';
import { studentTCdf, studentTQuantile } from '../../math/student-t.js';

/** The distributions' names, in their codes' order. */
export const DISTS = ['normal', 't', 'skewt', 'ged'] as const;
export type Dist = (typeof DISTS)[number];

/** A shape parameter's name (GarchParams' key). */
export type ShapeName = 'nu' | 'lambda';

/** One distribution (see the module comment). */
export interface Distribution {
  readonly name: Dist;
  /** Its shape parameters, in the parameter vector's order. */
  readonly shapes: readonly ShapeName[];
  /** arch's bounds of each shape parameter (the fit's box, and the check of given parameters). */
  readonly bounds: readonly (readonly [number, number])[];
  /**
   * Whether the fit's Newton steps take the first shape parameter as its reciprocal (the (skew-)t's
   * degrees of freedom: -ll is near quadratic in 1 / nu where nu is large).
   */
  readonly reciprocalShape: boolean;
  /**
   * Whether the analytic Hessian (hessian.ts: GARCH(1,1) and GJR(1,1,1)) has this distribution's
   * terms; where not, the fit takes no Newton model and the standard errors arch's numerical Hessian.
   */
  readonly curvature: boolean;
  /** arch's starting values of the shape parameters; `kurtosis` that of the standardized residuals at the variance's start. */
  start(kurtosis: () => number): number[];
  /** The standardized distribution's quantile at u (arch's ppf). */
  ppf(shape: ArrayLike<number>, u: number): number;
  /** The quantile q at alpha and E[z | z <= q]. */
  tail(shape: ArrayLike<number>, alpha: number): [number, number];
}

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

/** arch's StudentsT starting value of nu from the kurtosis: (4k - 6) / (k - 3) above 3.75, else 12; at least 4. */
function nuFromKurtosis(kurtosis: number): number {
  return Math.max(kurtosis > 3.75 ? (4 * kurtosis - 6) / (kurtosis - 3) : 12, 4);
}

const normal: Distribution = {
  name: 'normal',
  shapes: [],
  bounds: [],
  reciprocalShape: false,
  curvature: true,
  start: () => [],
  ppf: (_, u) => normalQuantile(u),
  tail(_, alpha) {
    const q = normalQuantile(alpha);
    return [q, -normalPdf(q) / alpha];
  },
};

/** Student's t standardized to unit variance: t_nu scaled by sqrt((nu - 2) / nu). */
const studentT: Distribution = {
  name: 't',
  shapes: ['nu'],
  bounds: [[2.05, 500]],
  reciprocalShape: true,
  curvature: true,
  start: (kurtosis) => [nuFromKurtosis(kurtosis())],
  ppf(shape, u) {
    const nu = shape[0];
    return studentTQuantile(u, nu) * Math.sqrt((nu - 2) / nu);
  },
  tail(shape, alpha) {
    const nu = shape[0];
    const s = Math.sqrt((nu - 2) / nu);
    const t = studentTQuantile(alpha, nu);
    return [t * s, (s * tPartialMean(t, nu)) / alpha];
  },
};

/** Hansen's skew-t (arch's SkewStudent: eta and lambda). */
const skewT: Distribution = {
  name: 'skewt',
  shapes: ['nu', 'lambda'],
  bounds: [
    [2.05, 300],
    [-1, 1],
  ],
  reciprocalShape: true,
  curvature: true,
  start: (kurtosis) => [nuFromKurtosis(kurtosis()), 0],
  ppf(shape, u) {
    const eta = shape[0];
    const lam = shape[1];
    const [a, b] = skewtAB(eta, lam);
    const lower = u < (1 - lam) / 2;
    const t = lower ? studentTQuantile(u / (1 - lam), eta) : studentTQuantile(0.5 + (u - (1 - lam) / 2) / (1 + lam), eta);
    return (t * (1 + Math.sign(u - (1 - lam) / 2) * lam) * Math.sqrt((eta - 2) / eta) - a) / b;
  },
  /** Its tail mean by the two branches of the density, each a scaled t. */
  tail(shape, alpha) {
    const eta = shape[0];
    const lam = shape[1];
    const [a, b] = skewtAB(eta, lam);
    const s = Math.sqrt((eta - 2) / eta);
    // arch's ppf: the lower branch below (1 - lambda) / 2, t that branch's t quantile
    const lower = alpha < (1 - lam) / 2;
    const t = lower ? studentTQuantile(alpha / (1 - lam), eta) : studentTQuantile(0.5 + (alpha - (1 - lam) / 2) / (1 + lam), eta);
    const q = skewT.ppf(shape, alpha);
    // E[z; z <= q]: z = ((1 -+ lambda) s t - a) / b with weight (1 -+ lambda) g(t) on each branch
    const k1 = 1 - lam;
    let mean = ((k1 * k1 * s) / b) * tPartialMean(lower ? t : 0, eta) - (a / b) * k1 * (lower ? studentTCdf(t, eta) : 0.5);
    if (!lower) {
      const k2 = 1 + lam;
      mean += ((k2 * k2 * s) / b) * (tPartialMean(t, eta) - tPartialMean(0, eta)) - (a / b) * k2 * (studentTCdf(t, eta) - 0.5);
    }
    return [q, mean / alpha];
  },
};

/**
 * x^a for x with Q(a, x) = q (the GED's |z| / s at the two-sided level q): below the doubles (a large nu
 * near the median) P(a, x) = x^a / Gamma(a + 1) to the last bit, so x^a = (1 - q) Gamma(a + 1) there.
 */
function gedPower(a: number, x: number, q: number): number {
  return x > 1e-300 ? exp(a * ln(x)) : (1 - q) * exp(logGamma(a + 1));
}

/** The GED's quantile q at u (a = 1/nu) and its parts: log Gamma(a), the scale s, x and x^a. */
function gedQuantile(a: number, u: number): { lgA: number; s: number; x: number; w: number; q: number } {
  const lgA = logGammaPositive(a);
  const s = exp(0.5 * (lgA - logGammaPositive(3 * a)));
  const two = 2 * Math.min(u, 1 - u);
  const x = gammaQInverse(a, two);
  const w = gedPower(a, x, two);
  return { lgA, s, x, w, q: (u < 0.5 ? -1 : u > 0.5 ? 1 : 0) * s * w };
}

/**
 * The generalized error distribution standardized to unit variance (arch's GeneralizedError: scipy's
 * gennorm(nu) at scale s = sqrt(Gamma(1/nu) / Gamma(3/nu))): z = +-s x^(1/nu), Q(1/nu, x) the two-sided
 * tail 2 min(u, 1 - u); E[z; z <= q] = -s Gamma(2/nu) Q(2/nu, x) / (2 Gamma(1/nu)) (arch's partial_moment).
 */
const ged: Distribution = {
  name: 'ged',
  shapes: ['nu'],
  bounds: [[1.01, 500]],
  reciprocalShape: false,
  curvature: false,
  start: () => [1.5],
  ppf: (shape, u) => gedQuantile(1 / shape[0], u).q,
  tail(shape, alpha) {
    const a = 1 / shape[0];
    const { lgA, s, x, w, q } = gedQuantile(a, alpha);
    // Q(2/nu, x), x below the doubles: 1 - x^(2/nu) / Gamma(2/nu + 1)
    const upper = x > 0 ? gammaQ(2 * a, x) : 1 - (w * w) / exp(logGamma(2 * a + 1));
    return [q, (-0.5 * s * exp(logGammaPositive(2 * a) - lgA) * upper) / alpha];
  },
};

/** The distributions by code (a model's `dist`): DISTRIBUTIONS[i].name is DISTS[i]. */
export const DISTRIBUTIONS: readonly Distribution[] = [normal, studentT, skewT, ged];
