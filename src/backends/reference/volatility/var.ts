/**
 * garchVar: the one-step VaR and ES of each bar from a model fitted on the `window` returns before it,
 * refitted every `refit` bars (warm-started from the previous fit; no standard errors), the forecast
 * between refits at the last fit's parameters (arch's am.fix(params) then forecast(horizon=1)):
 * VaR = -(mu + sigma q), ES = -(mu + sigma E[z | z <= q]), q the fitted distribution's quantile at
 * 1 - confidence, or for 'filtered' numpy's linear-interpolation percentile of the refit's standardized
 * residuals (E the mean of those at or below it). native/kernels/volatility/var.cpp is the same.
 */
import { FAULT_OMEGA, type Model, distCount, fitLayout, forecastLayout } from '../../../kernels/volatility/volatility.js';
import { DISTRIBUTIONS } from '../../../kernels/volatility/volatility-dists.js';
import { empiricalTail } from '../../../kernels/volatility/volatility-figures.js';
import { forecastSeries } from './filter.js';
import { fitSeries } from './fit.js';

/** The packed options: [window, refit, confidence, method (0 parametric, 1 filtered)]. */
export const VAR_WINDOW = 0;
export const VAR_REFIT = 1;
export const VAR_CONFIDENCE = 2;
export const VAR_METHOD = 3;

/** VaR and ES of each bar of y into out ([var T, es T], NaN before the window); returns a fault status or 0. */
export function varSeries(m: Model, y: Float64Array, options: Float64Array, out: Float64Array): number {
  const T = y.length;
  const window = options[VAR_WINDOW];
  const refit = options[VAR_REFIT];
  const alpha = 1 - options[VAR_CONFIDENCE];
  const filtered = options[VAR_METHOD] === 1;
  out.fill(Number.NaN);
  const lay = fitLayout(m, window);
  const fit = new Float64Array(lay.length);
  const fcast = new Float64Array(forecastLayout(1).length);
  let params: Float64Array | undefined;
  let q = 0;
  let eq = 0;
  for (let t = window; t < T; t++) {
    const y0 = y.subarray(t - window, t);
    // a refit on schedule, or where the last fit's omega left this window's bounds
    let due = params === undefined || (t - window) % refit === 0;
    if (!due) {
      forecastSeries(m, y0, params!, 1, fcast);
      due = fcast[0] === FAULT_OMEGA;
    }
    if (due) {
      fitSeries(m, y0, fit, params, false);
      const status = fit[lay.status];
      if (status >= 10) return status;
      params = fit.slice(lay.params, lay.params + lay.k);
      [q, eq] = filtered
        ? empiricalTail(fit.subarray(lay.std + m.lags, lay.std + window), alpha)
        : DISTRIBUTIONS[m.dist].tail(params.subarray(lay.k - distCount(m)), alpha);
      forecastSeries(m, y0, params, 1, fcast);
    }
    if (fcast[0] !== 0) return fcast[0];
    const mu = fcast[1];
    const sigma = Math.sqrt(fcast[3]);
    out[t] = -(mu + sigma * q);
    out[T + t] = -(mu + sigma * eq);
  }
  return 0;
}
