/**
 * The simulation forecast (arch 8.0's _simulation_forecast of GARCH, EGARCH and APARCH, our draws;
 * each process's paths in processes.ts): from the last observations' residuals and variances, `simulations` paths of standardized
 * shocks drawn from the fitted distribution, each step's variance the mean over the paths. The first
 * step is the recursion's (the same on every path). The draws are the distribution's quantile of
 * Philox4x32-10 uniforms (src/math/random.ts; key the seed, counter (path, step / 2, "vol")), so every
 * backend draws the same; arch's own random draws are not reproduced. native/kernels/volatility/forecast_simulation.cpp
 * is the same.
 */
import { DISTRIBUTIONS } from '../../../kernels/volatility/volatility-dists.js';
import { philox4x32, uniform52 } from '../../../math/random.js';
import type { Problem } from './model.js';
import { RECURSIONS } from './processes.js';

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
  const { m, id } = ext;
  const shape = params.subarray(id);
  const { ppf } = DISTRIBUTIONS[m.dist];
  const k0 = seed % 4294967296;
  const k1 = Math.floor(seed / 4294967296);
  const words = new Uint32Array(4);
  const z = new Float64Array(horizon);
  const sums = new Float64Array(horizon);
  const variance = new Float64Array(horizon);
  const path = RECURSIONS[m.vol].paths(ext, params, horizon);
  for (let p = 0; p < simulations; p++) {
    for (let h = 0; h < horizon; h += 2) {
      philox4x32(p, h / 2, TAG, 0, k0, k1, words);
      z[h] = ppf(shape, uniform52(words[0], words[1]));
      if (h + 1 < horizon) z[h + 1] = ppf(shape, uniform52(words[2], words[3]));
    }
    path(z, variance);
    for (let h = 0; h < horizon; h++) sums[h] += variance[h];
  }
  for (let h = 0; h < horizon; h++) vf[h] = sums[h] / simulations;
}
