/** The volatility family on the reference backend (the oracle): each column fitted in turn. */
import {
  type VolatilityFamily,
  filterLayout,
  fitLayout,
  forecastLayout,
  unpackModel,
  varLayout,
} from '../../../kernels/volatility/volatility.js';
import { requireFinite } from '../../../kernels/volatility/volatility-resolve.js';
import { varSeries } from './var.js';
import { filterSeries, forecastSeries } from './filter.js';
import { fitSeries } from './fit.js';

function column(returns: Float64Array, rows: number, cols: number, c: number): Float64Array {
  const y = new Float64Array(rows);
  for (let t = 0; t < rows; t++) y[t] = returns[t * cols + c];
  return y;
}

export const referenceVolatility: VolatilityFamily = {
  garch(returns, rows, cols, packed, start) {
    requireFinite(returns.subarray(0, rows * cols), cols); // as the native binding does (the API leaves it to the backends)
    const m = unpackModel(packed);
    const lay = fitLayout(m, rows);
    const out = new Float64Array(cols * lay.length);
    for (let c = 0; c < cols; c++) {
      const warm = start.length > 0 ? start.subarray(c * lay.k, (c + 1) * lay.k) : undefined;
      fitSeries(m, column(returns, rows, cols, c), out.subarray(c * lay.length, (c + 1) * lay.length), warm);
    }
    return out;
  },
  garchFilter(returns, rows, packed, params) {
    const out = new Float64Array(filterLayout(rows).length);
    filterSeries(unpackModel(packed), returns.subarray(0, rows), params, out);
    return out;
  },
  garchVar(returns, rows, cols, packed, options) {
    const m = unpackModel(packed);
    const lay = varLayout(rows);
    const out = new Float64Array(cols * lay.length);
    for (let c = 0; c < cols; c++) {
      const o = out.subarray(c * lay.length, (c + 1) * lay.length);
      o[lay.status] = varSeries(m, column(returns, rows, cols, c), options, o.subarray(lay.var));
    }
    return out;
  },
  garchForecast(returns, rows, packed, params, horizon, simulations, seed) {
    const out = new Float64Array(forecastLayout(horizon).length);
    forecastSeries(unpackModel(packed), returns.subarray(0, rows), params, horizon, out, simulations, seed);
    return out;
  },
};
