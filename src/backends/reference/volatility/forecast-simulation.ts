/**
 * The simulation forecast (arch 8.0's GARCH._simulation_forecast and EGARCH._simulation_forecast, our
 * draws): from the last observations' residuals and variances, `simulations` paths of standardized
 * shocks drawn from the fitted distribution, each step's variance the mean over the paths. The first
 * step is the recursion's (the same on every path). The draws are the distribution's quantile of
 * Philox4x32-10 uniforms (src/math/random.ts; key the seed, counter (path, step / 2, "vol")), so every
 * backend draws the same; arch's own random draws are not reproduced. native/kernels/volatility/forecast_simulation.cpp
 * is the same.
 */
import { DISTRIBUTIONS } from '../../../kernels/volatility/volatility-dists.js';
import { philox4x32, uniform52 } from '../../../math/random.js';
import type { Problem } from './model.js';
import { SQRT2_OV_PI } from './model.js';
import { exp, ln } from './numbers.js';

/** The counter word that tags the volatility family's draws ("vol"). */
const TAG = 0x766f6c;

/**
 * The residual variance of each step by simulation into vf (horizon values): `ext` holds the recursion
 * over the observations and one more (its residuals e, variances sigma2, EGARCH's ln sigma^2 and z, the
 * backcast), its last index the forecast's first step.
 */
export function simulateVariance(
  ext: Problem,
  params: Float64Array,
  horizon: number,
  simulations: number,
  seed: number,
  vf: Float64Array,
): void {
  const { m, iw, ia, ig, ib, id } = ext;
  const n = ext.nobs - 1; // the observations; ext.sigma2[n] is the first step
  const mx = Math.max(m.p, m.o, m.q);
  const shape = params.subarray(id);
  const { ppf } = DISTRIBUTIONS[m.dist];
  const k0 = seed % 4294967296;
  const k1 = Math.floor(seed / 4294967296);
  const words = new Uint32Array(4);
  const z = new Float64Array(horizon);
  const sums = new Float64Array(horizon);
  // each lag's terms before the first step: GARCH e^2, e^2 1(e < 0), sigma^2 (the backcast, half of it
  // and the backcast before the sample); EGARCH |z|, z, ln sigma^2 (sqrt(2/pi), 0 and the backcast)
  const sym = new Float64Array(mx + horizon);
  const asym = new Float64Array(mx + horizon);
  const s = new Float64Array(mx + horizon);
  for (let i = 0; i < mx; i++) {
    const t = n - mx + i;
    if (t < 0) {
      sym[i] = m.egarch ? SQRT2_OV_PI : ext.backcast;
      asym[i] = m.egarch ? 0 : 0.5 * ext.backcast;
      s[i] = ext.backcast;
    } else if (m.egarch) {
      const zt = ext.e[t] / Math.sqrt(ext.sigma2[t]);
      sym[i] = Math.abs(zt);
      asym[i] = zt;
      s[i] = ln(ext.sigma2[t]);
    } else {
      sym[i] = ext.e[t] * ext.e[t];
      asym[i] = ext.e[t] < 0 ? sym[i] : 0;
      s[i] = ext.sigma2[t];
    }
  }
  for (let path = 0; path < simulations; path++) {
    for (let h = 0; h < horizon; h += 2) {
      philox4x32(path, h / 2, TAG, 0, k0, k1, words);
      z[h] = ppf(shape, uniform52(words[0], words[1]));
      if (h + 1 < horizon) z[h + 1] = ppf(shape, uniform52(words[2], words[3]));
    }
    for (let h = 0; h < horizon; h++) {
      const at = mx + h;
      let v = params[iw];
      for (let j = 0; j < m.p; j++) v += params[ia + j] * (m.egarch ? sym[at - 1 - j] - SQRT2_OV_PI : sym[at - 1 - j]);
      for (let j = 0; j < m.o; j++) v += params[ig + j] * asym[at - 1 - j];
      for (let j = 0; j < m.q; j++) v += params[ib + j] * s[at - 1 - j];
      s[at] = v;
      if (m.egarch) {
        sym[at] = Math.abs(z[h]);
        asym[at] = z[h];
        sums[h] += exp(v);
      } else {
        const shock = z[h] * Math.sqrt(v);
        sym[at] = shock * shock;
        asym[at] = shock < 0 ? sym[at] : 0;
        sums[h] += v;
      }
    }
  }
  for (let h = 0; h < horizon; h++) vf[h] = sums[h] / simulations;
}
