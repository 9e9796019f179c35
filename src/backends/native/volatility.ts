/**
 * The volatility family on the addon (native/binding/volatility_binding.cc): the same calls as the
 * backend interface, each column of a fit on the pool's threads; the Async forms run off the JS thread.
 */
import type { VolatilityFamily } from '../../kernels/volatility/volatility.js';
import type { AsyncFamily } from '../types.js';
import type { NativeBinding } from './binding.js';

export function nativeVolatility(b: NativeBinding): VolatilityFamily {
  return { garch: b.garch, garchFilter: b.garchFilter, garchForecast: b.garchForecast, garchVar: b.garchVar };
}

export function nativeVolatilityAsync(b: NativeBinding): AsyncFamily<VolatilityFamily> {
  return { garch: b.garchAsync, garchFilter: b.garchFilterAsync, garchForecast: b.garchForecastAsync, garchVar: b.garchVarAsync };
}
