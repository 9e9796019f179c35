/**
 * The VPIN family's fault messages (the codes of fault-codes.ts it reports: buckets per call, stream
 * state and sigma, quotes, PIN's counts), read by faults.ts inputFault through families.ts FAMILY_FAULTS.
 */
import { KernelInputError } from '../../errors.js';
import { Fault, type FamilyFault } from '../fault-codes.js';
import { MAX_BUCKETS_PER_CALL } from './vpin.js';

/** The error of a VPIN fault, or undefined for another family's code. */
export const vpinFault: FamilyFault = (code, index, value, previous) => {
  const v = String(value);
  switch (code) {
    case Fault.TOO_MANY_BUCKETS:
      return new KernelInputError(
        'options.bucketVolume',
        `at most ${MAX_BUCKETS_PER_CALL} buckets per call (a larger bucketVolume, or smaller batches)`,
        `about ${v} buckets`,
      );
    case Fault.STATE_INVALID:
      return new KernelInputError('snapshot', 'a valid VPIN stream state', `a bad value at state[${index}] = ${v}`);
    case Fault.STREAM_SIGMA_NOT_CAUSAL:
      return new KernelInputError('sigmaKind', "a causal sigma for a stream (fixed, rolling or ewma, not 'sample')", v);
    case Fault.QUOTE_INVALID: {
      // previous: 0 the trades' bid, 1 their ask, 2 the quote stream's bid, 3 its ask
      const side = previous % 2 === 0 ? 'bid' : 'ask';
      const owner = previous < 2 ? 'trades' : 'quotes';
      return new KernelInputError(`${owner}.${side}`, 'finite quotes >= 0 (NaN for no quote)', `${side}[${index}] = ${v}`);
    }
    case Fault.QUOTE_TS_INVALID:
      return Number.isFinite(value)
        ? new KernelInputError('quotes.ts', 'non-decreasing quote times', `ts[${index}] = ${v} after ${previous}`)
        : new KernelInputError('quotes.ts', 'finite quote times', `ts[${index}] = ${v}`);
    case Fault.PIN_COUNT_INVALID: {
      const name = previous === 0 ? 'buys' : 'sells';
      return new KernelInputError(name, 'integers >= 0', `${name}[${index}] = ${v}`);
    }
    default:
      return undefined;
  }
};
