/**
 * The labeling family's fault messages (its codes of fault-codes.ts), read by faults.ts inputFault
 * through families.ts FAMILY_FAULTS. The kinds below are the `previous` of an EVENT_INVALID or
 * LABEL_VALUE_INVALID fault, equal to labeling::EventFault and labeling::ValueFault in
 * native/kernels/labeling/labeling.hpp.
 */
import { KernelInputError } from '../../errors.js';
import { Fault, type FamilyFault } from '../fault-codes.js';

/** What is wrong with an event time (EVENT_INVALID's previous). */
export const EventFault = {
  T0_NOT_A_BAR: 0,
  T0_NOT_INCREASING: 1,
  T1_NOT_A_BAR: 2,
  T1_BEFORE_T0: 3,
  T1_NAN: 4,
  T0_NOT_FINITE: 5,
} as const;

/** Which input value is wrong (LABEL_VALUE_INVALID's previous). */
export const ValueFault = {
  CUSUM_THRESHOLD: 0,
  SIDE: 1,
  LEADING_NAN: 2,
  X_INFINITE: 3,
  HORIZON_THRESHOLD: 4,
  INDICATOR: 5,
  /** An array whose length is not one the call allows: index = its length, value = the one expected. */
  CUSUM_THRESHOLD_LENGTH: 10,
  TARGET_LENGTH: 11,
  T1_LENGTH: 12,
  SIDE_LENGTH: 13,
  HORIZON_THRESHOLD_LENGTH: 14,
  /** A count the API derives that is wrong: index = the count given, value = the right one. */
  FOLDS_COUNT: 20,
  INDICATOR_ROWS: 21,
} as const;

function eventFault(kind: number, index: number, v: string): KernelInputError {
  switch (kind) {
    case EventFault.T0_NOT_A_BAR:
      return new KernelInputError('t0', 'times of the bars (values of ts)', `t0[${index}] = ${v}`);
    case EventFault.T0_NOT_INCREASING:
      return new KernelInputError('t0', 'strictly increasing times', `t0[${index}] = ${v}, not after t0[${index - 1}]`);
    case EventFault.T1_NOT_A_BAR:
      return new KernelInputError('t1', 'times of the bars (values of ts), or NaN', `t1[${index}] = ${v}`);
    case EventFault.T1_BEFORE_T0:
      return new KernelInputError('t1', 'times at or after their t0', `t1[${index}] = ${v}, before t0[${index}]`);
    case EventFault.T1_NAN:
      return new KernelInputError('t1', 'a time for every event (mlfinlab refuses NaN here)', `t1[${index}] = NaN`);
    default:
      return new KernelInputError('t0', 'finite times', `t0[${index}] = ${v}`);
  }
}

const LENGTHS: Record<number, string> = {
  [ValueFault.CUSUM_THRESHOLD_LENGTH]: 'threshold',
  [ValueFault.TARGET_LENGTH]: 'target',
  [ValueFault.T1_LENGTH]: 't1',
  [ValueFault.SIDE_LENGTH]: 'side',
  [ValueFault.HORIZON_THRESHOLD_LENGTH]: 'threshold',
};

function valueFault(kind: number, index: number, value: number): KernelInputError {
  const v = String(value);
  switch (kind) {
    case ValueFault.CUSUM_THRESHOLD:
      return new KernelInputError('options.threshold', 'thresholds > 0 (NaN: no event at that bar)', `threshold[${index}] = ${v}`);
    case ValueFault.SIDE:
      return new KernelInputError('options.side', 'finite sides', `side[${index}] = ${v}`);
    case ValueFault.LEADING_NAN:
      return new KernelInputError(
        'x',
        'a first value in each column (mlfinlab drops a leading NaN and misaligns the column)',
        `column ${index} starts with NaN`,
      );
    case ValueFault.X_INFINITE:
      return new KernelInputError('x', 'finite values (NaN: carried forward)', `x[${index}] = ${v}`);
    case ValueFault.HORIZON_THRESHOLD:
      return new KernelInputError('options.threshold', 'finite thresholds', `threshold[${index}] = ${v}`);
    case ValueFault.INDICATOR:
      return new KernelInputError('indicator', 'finite values >= 0', `data[${index}] = ${v}`);
    case ValueFault.FOLDS_COUNT:
      return new KernelInputError('folds', `C(splits, testSplits) = ${v}`, String(index));
    case ValueFault.INDICATOR_ROWS:
      return new KernelInputError('rows', `the bars from the earliest t0 to the latest t1 (${v})`, String(index));
    default: {
      const name = LENGTHS[kind] ?? 'an array';
      const allowed = kind === ValueFault.T1_LENGTH || kind === ValueFault.SIDE_LENGTH ? `0 or ${v}` : `1 or ${v}`;
      return new KernelInputError(`options.${name}`, `length ${allowed}`, `length ${index}`);
    }
  }
}

/** The error of a labeling fault, or undefined for another family's code. */
export const labelingFault: FamilyFault = (code, index, value, previous) => {
  switch (code) {
    case Fault.LABEL_TS_INVALID:
      return Number.isFinite(value) && index > 0
        ? new KernelInputError('series.ts', 'strictly increasing times', `ts[${index}] = ${value} after ${previous}`)
        : new KernelInputError('series.ts', 'finite times', `ts[${index}] = ${value}`);
    case Fault.EVENT_INVALID:
      return eventFault(previous, index, String(value));
    case Fault.LABEL_VALUE_INVALID:
      return valueFault(previous, index, value);
    case Fault.SPLITS_ABOVE_EVENTS:
      return new KernelInputError('options.splits', `at most the events (${value})`, String(index));
    default:
      return undefined;
  }
};
