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

/** A call of the addon that fills the output it is given last. */
type Fill<R> = (...args: unknown[]) => R;

/** Each call of the family: its output allocated by OUTPUTS, filled by `fill` (the addon's entry of that name). */
function family<R>(fill: (name: keyof VolatilityFamily, args: unknown[], out: Float64Array) => R): Record<keyof VolatilityFamily, Fill<R>> {
  const calls = {} as Record<keyof VolatilityFamily, Fill<R>>;
  for (const name of Object.keys(OUTPUTS) as (keyof VolatilityFamily)[])
    calls[name] = (...args) => fill(name, args, (OUTPUTS[name] as Fill<Float64Array>)(...args));
  return calls;
}

export function nativeVolatility(b: NativeBinding): VolatilityFamily {
  return family((name, args, out) => {
    (b[name] as Fill<void>)(...args, out);
    return out;
  }) as unknown as VolatilityFamily;
}

export function nativeVolatilityAsync(b: NativeBinding): AsyncFamily<VolatilityFamily> {
  return family(async (name, args, out) => {
    await (b[`${name}Async`] as Fill<Promise<void>>)(...args, out);
    return out;
  }) as unknown as AsyncFamily<VolatilityFamily>;
}
