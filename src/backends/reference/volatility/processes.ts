/**
 * Each volatility process's recursion and simulated paths (the reference's side of
 * src/kernels/volatility/volatility-processes.ts; native/kernels/volatility/garch.cpp, egarch.cpp and
 * aparch.cpp are the same):
 * arch 8.0's recursions.pyx garch_recursion, egarch_recursion and aparch_recursion with their forward
 * derivatives, and the _simulate_paths of GARCH, EGARCH and APARCH on our draws.
 */
import { powerOf } from '../../../math/elementary.js';
import { type Problem, residualDerivative } from './problem.js';
import { exp, ln as log } from './numbers.js';

/** arch's recursions.pyx constants. */
export const SQRT2_OV_PI = Math.sqrt(2 / Math.PI);
export const LNSIGMA_MAX = log(Number.MAX_VALUE) - 0.1;

/** A process's recursion and its simulated paths. */
export interface ProcessRecursion {
  /**
   * The recursion at `theta` over pr.e into pr.sigma2 (and pr.ln, pr.z); with `ds` (nobs x k) the
   * derivatives of sigma^2_t (EGARCH: of ln sigma^2_t, and `dz` those of z_t).
   */
  recursion(pr: Problem, theta: ArrayLike<number>, ds?: Float64Array, dz?: Float64Array): void;
  /**
   * The paths of a simulation forecast from `ext` (the recursion over the observations and one more):
   * a function that takes one path's standardized shocks (horizon) and writes each step's variance.
   */
  paths(ext: Problem, params: Float64Array, horizon: number): (z: Float64Array, variance: Float64Array) => void;
}

/** arch's bounds_check of sigma^2_t, the derivatives d (k at ds[at..]) carried through it. */
function boundVariance(pr: Problem, t: number, s: number, ds: Float64Array | undefined, at: number): number {
  const { lower, upper, k } = pr;
  if (s < lower[t]) {
    if (ds) ds.fill(0, at, at + k);
    return lower[t];
  }
  if (s > upper[t]) {
    if (Number.isFinite(s)) {
      if (ds) for (let i = 0; i < k; i++) ds[at + i] /= s;
      return upper[t] + log(s / upper[t]);
    }
    if (ds) ds.fill(0, at, at + k);
    return upper[t] + 1000;
  }
  return s;
}

function garchRecursion(pr: Problem, theta: ArrayLike<number>, ds?: Float64Array): void {
  const { m, nobs, e, sigma2, backcast: bc, k, iw, ia, ig, ib } = pr;
  const km = iw;
  for (let t = 0; t < nobs; t++) {
    const d = ds ? t * k : 0;
    if (ds) {
      ds.fill(0, d, d + k);
      ds[d + iw] = 1;
    }
    let s = theta[iw];
    for (let j = 0; j < m.p; j++) {
      const lag = t - 1 - j;
      const a = theta[ia + j];
      if (lag < 0) {
        s += a * bc;
        if (ds) ds[d + ia + j] += bc;
      } else {
        s += a * (e[lag] * e[lag]);
        if (ds) {
          ds[d + ia + j] += e[lag] * e[lag];
          for (let i = 0; i < km; i++) ds[d + i] += a * 2 * e[lag] * residualDerivative(pr, lag, i);
        }
      }
    }
    for (let j = 0; j < m.o; j++) {
      const lag = t - 1 - j;
      const g = theta[ig + j];
      if (lag < 0) {
        s += g * 0.5 * bc;
        if (ds) ds[d + ig + j] += 0.5 * bc;
      } else if (e[lag] < 0) {
        s += g * (e[lag] * e[lag]);
        if (ds) {
          ds[d + ig + j] += e[lag] * e[lag];
          for (let i = 0; i < km; i++) ds[d + i] += g * 2 * e[lag] * residualDerivative(pr, lag, i);
        }
      }
    }
    for (let j = 0; j < m.q; j++) {
      const lag = t - 1 - j;
      const b = theta[ib + j];
      if (lag < 0) {
        s += b * bc;
        if (ds) ds[d + ib + j] += bc;
      } else {
        s += b * sigma2[lag];
        if (ds) {
          ds[d + ib + j] += sigma2[lag];
          const l = lag * k;
          for (let i = 0; i < k; i++) ds[d + i] += b * ds[l + i];
        }
      }
    }
    sigma2[t] = boundVariance(pr, t, s, ds, d);
  }
}

function egarchRecursion(pr: Problem, theta: ArrayLike<number>, dl?: Float64Array, dz?: Float64Array): void {
  const { m, nobs, e, sigma2, ln, z, lower, upper, backcast: bc, k, iw, ia, ig, ib } = pr;
  const km = iw;
  for (let t = 0; t < nobs; t++) {
    const d = dl ? t * k : 0;
    if (dl) {
      dl.fill(0, d, d + k);
      dl[d + iw] = 1;
    }
    let l = theta[iw];
    for (let j = 0; j < m.p; j++) {
      const lag = t - 1 - j;
      if (lag < 0) continue;
      const a = theta[ia + j];
      l += a * (Math.abs(z[lag]) - SQRT2_OV_PI);
      if (dl && dz) {
        dl[d + ia + j] += Math.abs(z[lag]) - SQRT2_OV_PI;
        const sign = z[lag] > 0 ? 1 : z[lag] < 0 ? -1 : 0;
        for (let i = 0; i < k; i++) dl[d + i] += a * sign * dz[lag * k + i];
      }
    }
    for (let j = 0; j < m.o; j++) {
      const lag = t - 1 - j;
      if (lag < 0) continue;
      const g = theta[ig + j];
      l += g * z[lag];
      if (dl && dz) {
        dl[d + ig + j] += z[lag];
        for (let i = 0; i < k; i++) dl[d + i] += g * dz[lag * k + i];
      }
    }
    for (let j = 0; j < m.q; j++) {
      const lag = t - 1 - j;
      const b = theta[ib + j];
      if (lag < 0) {
        l += b * bc;
        if (dl) dl[d + ib + j] += bc;
      } else {
        l += b * ln[lag];
        if (dl) {
          dl[d + ib + j] += ln[lag];
          for (let i = 0; i < k; i++) dl[d + i] += b * dl[lag * k + i];
        }
      }
    }
    if (l > LNSIGMA_MAX) {
      l = LNSIGMA_MAX;
      if (dl) dl.fill(0, d, d + k);
    }
    let s = exp(l);
    if (s < lower[t]) {
      s = lower[t];
      l = log(s);
      if (dl) dl.fill(0, d, d + k);
    } else if (s > upper[t]) {
      s = upper[t] + log(s) - log(upper[t]);
      l = log(s);
      if (dl) for (let i = 0; i < k; i++) dl[d + i] /= s;
    }
    sigma2[t] = s;
    ln[t] = l;
    const sd = Math.sqrt(s);
    z[t] = e[t] / sd;
    if (dz && dl) {
      for (let i = 0; i < k; i++) dz[d + i] = -0.5 * z[t] * dl[d + i];
      for (let i = 0; i < km; i++) dz[d + i] += residualDerivative(pr, t, i) / sd;
    }
  }
}

/**
 * APARCH (arch's aparch_recursion): sigma^delta_t = omega + sum alpha_j (|e| - gamma_j e)^delta_{t-1-j}
 * + sum beta_j sigma^delta_{t-1-j}, before the sample sqrt(backcast)^delta and backcast^(delta / 2);
 * sigma^2_t = (sigma^delta_t)^(2 / delta) bounded, and sigma^delta_t kept as sigma^2_t^(delta / 2)
 * (arch's round trip). pr.ln holds sigma^delta. With `ds`, d sigma^2_t: the chain through the powers.
 */
/** APARCH's power: the model's fixed one, else theta's. */
const aparchDelta = (pr: Problem, theta: ArrayLike<number>) => (pr.m.delta === 0 ? theta[pr.ix] : pr.m.delta);

function aparchRecursion(pr: Problem, theta: ArrayLike<number>, ds?: Float64Array): void {
  const { m, nobs, e, sigma2, ln: sd, backcast: bc, k, iw, ia, ig, ib, ix } = pr;
  const km = iw;
  const free = m.delta === 0;
  const delta = aparchDelta(pr, theta);
  const rootBc = Math.sqrt(bc);
  const rootBcPower = powerOf(rootBc, delta);
  const bcPower = powerOf(bc, delta / 2);
  for (let t = 0; t < nobs; t++) {
    const d = t * k;
    if (ds) {
      ds.fill(0, d, d + k);
      ds[d + iw] = 1;
    }
    let s = theta[iw];
    for (let j = 0; j < m.p; j++) {
      const lag = t - 1 - j;
      const a = theta[ia + j];
      if (lag < 0) {
        s += a * rootBcPower;
        if (ds) {
          ds[d + ia + j] += rootBcPower;
          if (free && rootBc > 0) ds[d + ix] += a * rootBcPower * log(rootBc);
        }
        continue;
      }
      const g = j < m.o ? theta[ig + j] : 0;
      let shock = Math.abs(e[lag]);
      if (j < m.o) shock -= g * e[lag];
      const power = powerOf(shock, delta);
      s += a * power;
      if (ds) {
        ds[d + ia + j] += power;
        if (shock > 0) {
          // d (shock^delta) = delta shock^(delta - 1) d shock + shock^delta ln shock d delta
          const f = (a * delta * power) / shock;
          const slope = (e[lag] > 0 ? 1 : e[lag] < 0 ? -1 : 0) - g;
          for (let i = 0; i < km; i++) ds[d + i] += f * slope * residualDerivative(pr, lag, i);
          if (j < m.o) ds[d + ig + j] -= f * e[lag];
          if (free) ds[d + ix] += a * power * log(shock);
        }
      }
    }
    for (let j = 0; j < m.q; j++) {
      const lag = t - 1 - j;
      const b = theta[ib + j];
      if (lag < 0) {
        s += b * bcPower;
        if (ds) {
          ds[d + ib + j] += bcPower;
          if (free && bc > 0) ds[d + ix] += b * bcPower * 0.5 * log(bc);
        }
        continue;
      }
      s += b * sd[lag];
      if (ds) {
        // d sigma^delta = sigma^delta (delta / 2 d sigma^2 / sigma^2 + ln sigma^2 / 2 d delta)
        ds[d + ib + j] += sd[lag];
        const l = lag * k;
        const f = (b * sd[lag] * (delta / 2)) / sigma2[lag];
        for (let i = 0; i < k; i++) ds[d + i] += f * ds[l + i];
        if (free) ds[d + ix] += b * sd[lag] * 0.5 * log(sigma2[lag]);
      }
    }
    const v = powerOf(s, 2 / delta);
    if (ds) {
      // d s^(2 / delta) = s^(2 / delta) (2 / delta ds / s - 2 / delta^2 ln s d delta)
      const f = (v * (2 / delta)) / s;
      for (let i = 0; i < k; i++) ds[d + i] *= f;
      if (free) ds[d + ix] -= v * (2 / (delta * delta)) * log(s);
    }
    sigma2[t] = boundVariance(pr, t, v, ds, d);
    sd[t] = powerOf(sigma2[t], delta / 2);
  }
}

/** GARCH's paths: each lag's e^2, e^2 1(e < 0) and sigma^2 (before the sample the backcast, half of it and the backcast). */
function garchPaths(ext: Problem, params: Float64Array, horizon: number) {
  const { m, iw, ia, ig, ib } = ext;
  const n = ext.nobs - 1;
  const mx = Math.max(m.p, m.o, m.q);
  const sym = new Float64Array(mx + horizon);
  const asym = new Float64Array(mx + horizon);
  const s = new Float64Array(mx + horizon);
  for (let i = 0; i < mx; i++) {
    const t = n - mx + i;
    if (t < 0) {
      sym[i] = ext.backcast;
      asym[i] = 0.5 * ext.backcast;
      s[i] = ext.backcast;
    } else {
      sym[i] = ext.e[t] * ext.e[t];
      asym[i] = ext.e[t] < 0 ? sym[i] : 0;
      s[i] = ext.sigma2[t];
    }
  }
  return (z: Float64Array, variance: Float64Array) => {
    for (let h = 0; h < horizon; h++) {
      const at = mx + h;
      let v = params[iw];
      for (let j = 0; j < m.p; j++) v += params[ia + j] * sym[at - 1 - j];
      for (let j = 0; j < m.o; j++) v += params[ig + j] * asym[at - 1 - j];
      for (let j = 0; j < m.q; j++) v += params[ib + j] * s[at - 1 - j];
      s[at] = v;
      const shock = z[h] * Math.sqrt(v);
      sym[at] = shock * shock;
      asym[at] = shock < 0 ? sym[at] : 0;
      variance[h] = v;
    }
  };
}

/** EGARCH's paths: each lag's |z|, z and ln sigma^2 (before the sample sqrt(2 / pi), 0 and the backcast). */
function egarchPaths(ext: Problem, params: Float64Array, horizon: number) {
  const { m, iw, ia, ig, ib } = ext;
  const n = ext.nobs - 1;
  const mx = Math.max(m.p, m.o, m.q);
  const sym = new Float64Array(mx + horizon);
  const asym = new Float64Array(mx + horizon);
  const s = new Float64Array(mx + horizon);
  for (let i = 0; i < mx; i++) {
    const t = n - mx + i;
    if (t < 0) {
      sym[i] = SQRT2_OV_PI;
      asym[i] = 0;
      s[i] = ext.backcast;
    } else {
      const zt = ext.e[t] / Math.sqrt(ext.sigma2[t]);
      sym[i] = Math.abs(zt);
      asym[i] = zt;
      s[i] = log(ext.sigma2[t]);
    }
  }
  return (z: Float64Array, variance: Float64Array) => {
    for (let h = 0; h < horizon; h++) {
      const at = mx + h;
      let v = params[iw];
      for (let j = 0; j < m.p; j++) v += params[ia + j] * (sym[at - 1 - j] - SQRT2_OV_PI);
      for (let j = 0; j < m.o; j++) v += params[ig + j] * asym[at - 1 - j];
      for (let j = 0; j < m.q; j++) v += params[ib + j] * s[at - 1 - j];
      s[at] = v;
      sym[at] = Math.abs(z[h]);
      asym[at] = z[h];
      variance[h] = exp(v);
    }
  };
}

/**
 * APARCH's paths (APARCH._simulate_paths): each lag's e, |e| and sigma^delta from the last max(p, q)
 * observations. arch's term of lag j is computed in the |e| array itself (a numpy view), so for p >= 2
 * a later step's lag j + 1 reads |e| - gamma_j e: the paths reproduce that (scripts/volatility-fixtures-notes.md).
 */
function aparchPaths(ext: Problem, params: Float64Array, horizon: number) {
  const { m, iw, ia, ig, ib } = ext;
  const n = ext.nobs - 1;
  const mx = Math.max(m.p, m.q);
  const delta = aparchDelta(ext, params);
  const shock = new Float64Array(mx + horizon);
  const abs = new Float64Array(mx + horizon);
  const sd = new Float64Array(mx + horizon);
  const start = new Float64Array(3 * mx);
  for (let i = 0; i < mx; i++) {
    const t = n - mx + i;
    const e = t < 0 ? Math.sqrt(ext.backcast) : ext.e[t];
    start[i] = e;
    start[mx + i] = Math.abs(e);
    start[2 * mx + i] = powerOf(t < 0 ? ext.backcast : ext.sigma2[t], delta / 2);
  }
  return (z: Float64Array, variance: Float64Array) => {
    shock.set(start.subarray(0, mx));
    abs.set(start.subarray(mx, 2 * mx));
    sd.set(start.subarray(2 * mx));
    for (let h = 0; h < horizon; h++) {
      const loc = h + mx - 1;
      let v = params[iw];
      for (let j = 0; j < m.p; j++) {
        if (j < m.o) abs[loc - j] -= params[ig + j] * shock[loc - j];
        v += params[ia + j] * powerOf(abs[loc - j], delta);
      }
      for (let j = 0; j < m.q; j++) v += params[ib + j] * sd[loc - j];
      sd[loc + 1] = v;
      shock[loc + 1] = z[h] * powerOf(v, 1 / delta);
      abs[loc + 1] = Math.abs(shock[loc + 1]);
      variance[h] = powerOf(v, 2 / delta);
    }
  };
}

/** The processes' recursions, indexed by the model's `vol` code (volatility-processes.ts PROCESSES: GARCH, EGARCH, APARCH). */
export const RECURSIONS: readonly ProcessRecursion[] = [
  { recursion: (pr, theta, ds) => garchRecursion(pr, theta, ds), paths: garchPaths },
  { recursion: egarchRecursion, paths: egarchPaths },
  { recursion: (pr, theta, ds) => aparchRecursion(pr, theta, ds), paths: aparchPaths },
];
