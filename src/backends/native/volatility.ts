/**
 * The volatility family on the addon (native/kernels/volatility/volatility_entry.hpp): the same calls
 * as the backend interface, each output allocated here by its layout and filled there, each column of
 * a fit on the pool's threads; the Async forms run off the JS thread.
 */
import {
  filterLayout,
  fitLayout,
  forecastLayout,
  unpackModel,
  varLayout,
  type VolatilityFamily,
} from '../../kernels/volatility/volatility.js';
import type { AsyncFamily } from '../types.js';
import type { NativeBinding } from './binding.js';

/** An output of `length` values; none where a model out of range makes no length (the addon then names the model). */
const output = (length: number) => new Float64Array(Number.isSafeInteger(length) && length > 0 ? length : 0);

/** Each call's output, by its layout. */
const OUTPUTS: { [K in keyof VolatilityFamily]: (...args: Parameters<VolatilityFamily[K]>) => Float64Array } = {
  garch: (_returns, rows, cols, model) => output(cols * fitLayout(unpackModel(model), rows).length),
  garchFilter: (_returns, rows) => output(filterLayout(rows).length),
  garchForecast: (_returns, _rows, _model, _params, horizon) => output(forecastLayout(horizon).length),
  garchVar: (_returns, rows, cols) => output(cols * varLayout(rows).length),
};

export function nativeVolatility(b: NativeBinding): VolatilityFamily {
  return {
    garch(...args) {
      const out = OUTPUTS.garch(...args);
      b.garch(...args, out);
      return out;
    },
    garchFilter(...args) {
      const out = OUTPUTS.garchFilter(...args);
      b.garchFilter(...args, out);
      return out;
    },
    garchForecast(...args) {
      const out = OUTPUTS.garchForecast(...args);
      b.garchForecast(...args, out);
      return out;
    },
    garchVar(...args) {
      const out = OUTPUTS.garchVar(...args);
      b.garchVar(...args, out);
      return out;
    },
  };
}

export function nativeVolatilityAsync(b: NativeBinding): AsyncFamily<VolatilityFamily> {
  return {
    async garch(...args) {
      const out = OUTPUTS.garch(...args);
      await b.garchAsync(...args, out);
      return out;
    },
    async garchFilter(...args) {
      const out = OUTPUTS.garchFilter(...args);
      await b.garchFilterAsync(...args, out);
      return out;
    },
    async garchForecast(...args) {
      const out = OUTPUTS.garchForecast(...args);
      await b.garchForecastAsync(...args, out);
      return out;
    },
    async garchVar(...args) {
      const out = OUTPUTS.garchVar(...args);
      await b.garchVarAsync(...args, out);
      return out;
    },
  };
}
