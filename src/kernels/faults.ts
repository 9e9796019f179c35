/**
 * Data faults found while a kernel scans its input (they need the data, so they are found inside the
 * kernel, by the reference in TS and by the native code in C++). Both backends report a fault as
 * (code, index, value, previous) and this one function turns it into the error, so the messages are
 * identical on every backend. The codes match `enum class Fault` in native/kernels/status.hpp (one list
 * for every family: a new family appends its codes there and in fault-codes.ts). The messages of the
 * shared codes (trades, bars, parameters, returns and weights) are here; a family's own are in its
 * folder (portfolio/portfolio-faults.ts, vpin/vpin-faults.ts), listed in families.ts FAMILY_FAULTS.
 */
import { KernelInputError } from '../errors.js';
import { cell, Fault } from './fault-codes.js';
import { FAMILY_FAULTS, KERNEL_SPECS, type KernelName } from './families.js';

export { Fault } from './fault-codes.js';

/**
 * A packed parameter fault of `kernel`, from its descriptor: the parameter at `index`, or past the
 * last the count (its number of parameters).
 */
function paramFault(kernel: string | undefined, index: number, v: string): KernelInputError {
  const spec = kernel !== undefined && Object.hasOwn(KERNEL_SPECS, kernel) ? KERNEL_SPECS[kernel as KernelName] : undefined;
  const param = spec?.params[index];
  if (param) return new KernelInputError(param.name ?? param.key, param.expected, v);
  return new KernelInputError('params', `${spec?.params.length ?? 0} packed parameters`, `${v} values`);
}

/**
 * Builds the KernelInputError for a fault reported by any backend; `kernel` names the kernel that
 * raised it (the native binding passes it), for the faults whose message depends on it.
 */
export function inputFault(code: number, index: number, value: number, previous: number, kernel?: string): KernelInputError {
  const v = String(value);
  switch (code) {
    case Fault.TS_NOT_FINITE:
      return new KernelInputError('trades.ts', 'finite timestamps', `ts[${index}] = ${v}`);
    case Fault.TS_DECREASING:
      return new KernelInputError('trades.ts', 'non-decreasing timestamps', `ts[${index}] = ${v} after ${previous}`);
    case Fault.TS_IN_CLOSED_BAR:
      return new KernelInputError('trades.ts', 'a timestamp after the bar closed by flush()', `ts[${index}] = ${v}`);
    case Fault.PRICE_NOT_FINITE:
      return new KernelInputError('trades.price', 'finite prices', `price[${index}] = ${v}`);
    case Fault.VOLUME_INVALID:
      return new KernelInputError('trades.volume', 'finite volumes >= 0', `volume[${index}] = ${v}`);
    case Fault.OPEN_NOT_FINITE:
      return new KernelInputError('bars.open', 'finite prices', `open[${index}] = ${v}`);
    case Fault.CLOSE_NOT_FINITE:
      return new KernelInputError('bars.close', 'finite prices', `close[${index}] = ${v}`);
    case Fault.BAR_VOLUME_INVALID:
      return new KernelInputError('bars.volume', 'finite volumes >= 0', `volume[${index}] = ${v}`);
    case Fault.PRICE_ARG_NOT_FINITE:
      return new KernelInputError('price', 'finite prices', `price[${index}] = ${v}`);
    case Fault.PARAM_INVALID:
      return paramFault(kernel, index, v);
    case Fault.PRICE_NOT_POSITIVE:
      return new KernelInputError('prices', 'finite prices > 0 (NaN for a missing one)', `${cell('prices', index, previous)} = ${v}`);
    case Fault.RETURN_NOT_FINITE:
      return new KernelInputError('returns', 'finite returns (NaN for a missing one)', `${cell('returns', index, previous)} = ${v}`);
    case Fault.WEIGHT_NOT_FINITE:
      return new KernelInputError('weights', 'finite weights', `${cell('weights', index, previous)} = ${v}`);
    case Fault.COV_NOT_POSITIVE_DEFINITE:
      return new KernelInputError(
        'cov',
        'a positive definite matrix',
        `Cholesky pivot ${index} = ${v} (cov[${index}][${index}] less the factored part)`,
      );
    case Fault.MARKET_CAP_NOT_POSITIVE:
      return new KernelInputError(
        'marketCap',
        'finite market caps > 0 (NaN for a missing one)',
        `${cell('marketCap', index, previous)} = ${v}`,
      );
    case Fault.SECTOR_OUT_OF_RANGE:
      return new KernelInputError(
        'sectors',
        'integer sector codes in [0, m) (m: sectorNames.length, else the largest code + 1)',
        `${cell('sectors', index, previous)} = ${v}`,
      );
    case Fault.TS_BAR_OUT_OF_RANGE:
      return new KernelInputError(
        'trades.ts',
        'timestamps whose bar index ts / barMs is finite',
        `ts[${index}] = ${v} with barMs = ${previous}`,
      );
    case Fault.REALIZED_TS_INVALID:
      return Number.isFinite(value) && value < previous
        ? new KernelInputError('options.ts', 'non-decreasing timestamps', `ts[${index}] = ${v} after ${previous}`)
        : new KernelInputError('options.ts', 'finite timestamps (with options.session.offset added)', `ts[${index}] = ${v}`);
    case Fault.REALIZED_PRICE_INVALID:
      return new KernelInputError('prices', 'finite prices > 0', `prices[${index}] = ${v}`);
    case Fault.HAR_INPUT_INVALID:
      if (previous === 0) return new KernelInputError('rv', 'finite values', `rv[${index}] = ${v}`);
      if (previous === 1) return new KernelInputError('options.lags', 'increasing integers >= 1', `terms[${index}] = ${v}`);
      return new KernelInputError('rv', `at least ${index} days`, v);
    default:
      for (const familyFault of FAMILY_FAULTS) {
        const error = familyFault(code, index, value, previous);
        if (error) return error;
      }
      return new KernelInputError('input', 'valid input', `fault code ${code}`);
  }
}
