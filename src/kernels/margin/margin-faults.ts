/**
 * The margin family's fault messages (MARGIN_INPUT_INVALID of fault-codes.ts), read by faults.ts
 * inputFault through families.ts FAMILY_FAULTS. The kinds are its `previous`, equal to
 * margin::MarginFault in native/kernels/margin/margin.hpp.
 */
import { KernelInputError } from '../../errors.js';
import { Fault, type FamilyFault } from '../fault-codes.js';

/** What is wrong (MARGIN_INPUT_INVALID's previous); index and value as each says. */
export const MarginFault = {
  /** returns[index] not finite (value). */
  RETURN: 0,
  /** stress[index] not finite. */
  STRESS: 1,
  /** positions[index] not finite. */
  POSITION: 2,
  /** scenarios.data[index] not finite. */
  SCENARIO: 3,
  /** pnl or column [index] not finite, or value (index -1). */
  PNL: 4,
  /** The scenario count given (index) is not the one the rows and horizon make (value). */
  SCENARIO_COUNT: 5,
  /** seed (index) above the rows (value). */
  SEED: 6,
  /** horizon (index) above the rows (value). */
  HORIZON: 7,
  /** instrument (index) not a column (value: the columns). */
  INSTRUMENT: 8,
  /** The GARCH fit of column index failed (value: its status). */
  GARCH: 9,
  /** column's length (index) neither 0 nor pnl's (value). */
  COLUMN_LENGTH: 10,
} as const;

/** The error of a margin fault, or undefined for another family's code. */
export const marginFault: FamilyFault = (code, index, value, previous) => {
  if (code !== Fault.MARGIN_INPUT_INVALID) return undefined;
  const v = String(value);
  switch (previous) {
    case MarginFault.RETURN:
      return new KernelInputError('returns', 'finite returns', `returns[${index}] = ${v}`);
    case MarginFault.STRESS:
      return new KernelInputError('options.stress', 'finite returns', `stress[${index}] = ${v}`);
    case MarginFault.POSITION:
      return new KernelInputError('positions', 'finite positions', `positions[${index}] = ${v}`);
    case MarginFault.SCENARIO:
      return new KernelInputError('scenarios', 'finite scenarios', `scenarios.data[${index}] = ${v}`);
    case MarginFault.PNL:
      return index < 0
        ? new KernelInputError('value', 'a finite value', v)
        : new KernelInputError('pnl', 'finite P&L and column values', `[${index}] = ${v}`);
    case MarginFault.SCENARIO_COUNT:
      return new KernelInputError('scenarios', `the count the rows, stress rows and horizon make (${v})`, String(index));
    case MarginFault.SEED:
      return new KernelInputError('options.seed', `at most the returns' rows (${v})`, String(index));
    case MarginFault.HORIZON:
      return new KernelInputError('options.horizon', `at most the returns' rows (${v})`, String(index));
    case MarginFault.INSTRUMENT:
      return new KernelInputError('order.instrument', `a column below ${v}`, String(index));
    case MarginFault.GARCH:
      return new KernelInputError('returns', 'columns a GARCH(1,1) fits (not constant, enough returns)', `column ${index}: status ${v}`);
    default:
      return new KernelInputError('column', `0 or ${v} values (as pnl)`, String(index));
  }
};
