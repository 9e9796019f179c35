/**
 * Rolling estimators on bars: range volatility (mlfinlab's util/volatility.py, 2020: Parkinson,
 * Garman-Klass, Yang-Zhang; Rogers-Satchell alone) and the microstructural features of mlfinlab's
 * microstructural_features (first_generation.py: Roll measure and impact, Corwin-Schultz;
 * second_generation.py: Kyle, Amihud and Hasbrouck lambdas from bars). Their shapes, as the indicators':
 * a series (Float64Array, one symbol) gives series; a panel (Matrix T x N, one column a symbol) gives
 * panels with its labels, each column equal to the series call on it, the columns shared out between
 * threads. NaN is data: a window holding one gives NaN (pandas' rolling with min_periods = window),
 * and the windows after it are numbers again.
 */
import { KernelInputError } from '../../errors.js';
import { columnSplit, type Split } from '../labels.js';
import { asColumns, type Matrix, type Series } from '../matrix.js';
import { describeValue } from '../validate.js';

/** The bar columns an estimator may read, in the order they are passed. */
export const ESTIMATOR_FIELDS = ['open', 'high', 'low', 'close', 'volume', 'dollarVolume'] as const;
export type EstimatorField = (typeof ESTIMATOR_FIELDS)[number];

/** An estimator's inputs checked: its columns in order, their shape, how the outputs split. */
export interface ResolvedColumns {
  readonly columns: readonly Float64Array[];
  readonly shape: Matrix;
  readonly split: Split;
}

/**
 * The named inputs (each a Series, all of one kind and shape: the first's), KernelInputError naming
 * the argument (`close`, `bars.high`) otherwise. `values[i]` is the argument named `names[i]`.
 */
export function resolveColumns(values: readonly unknown[], names: readonly string[]): ResolvedColumns {
  const shape = asColumns(values[0], names[0]);
  const series = values[0] instanceof Float64Array;
  const columns = values.map((value, i) => {
    const m = asColumns(value, names[i]);
    if (value instanceof Float64Array !== series) {
      throw new KernelInputError(names[i], `a ${series ? 'Float64Array' : 'Matrix'} like ${names[0]}`, describeValue(value));
    }
    if (m.rows !== shape.rows || m.cols !== shape.cols) {
      const size = (x: Matrix) => (series ? `length ${x.rows}` : `${x.rows} x ${x.cols}`);
      throw new KernelInputError(names[i], `${size(shape)} (${names[0]})`, size(m));
    }
    return m.data;
  });
  return { columns, shape, split: columnSplit(values[0], shape) };
}

/** The fields `fields` of a bars object `{ open, high, low, close }` (named `bars.<field>`). */
export function barFields(bars: unknown, fields: readonly EstimatorField[]): unknown[] {
  if (typeof bars !== 'object' || bars === null || ArrayBuffer.isView(bars) || Array.isArray(bars)) {
    throw new KernelInputError('bars', `an object { ${fields.join(', ')} } of Float64Arrays or Matrices`, describeValue(bars));
  }
  return fields.map((f) => {
    const v = (bars as Record<string, unknown>)[f];
    if (v === undefined) throw new KernelInputError(`bars.${f}`, 'a Float64Array or a Matrix { data, rows, cols }', 'undefined');
    return v;
  });
}

/** rangeVolatility's estimators and the fields each reads. */
export const RANGE_ESTIMATORS = ['parkinson', 'garman-klass', 'rogers-satchell', 'yang-zhang'] as const;
export type RangeEstimator = (typeof RANGE_ESTIMATORS)[number];
export const RANGE_FIELDS: Record<RangeEstimator, readonly EstimatorField[]> = {
  parkinson: ['high', 'low'],
  'garman-klass': ['open', 'high', 'low', 'close'],
  'rogers-satchell': ['open', 'high', 'low', 'close'],
  'yang-zhang': ['open', 'high', 'low', 'close'],
};

/** Options of the rolling estimators. */
export interface WindowOptions {
  /** Bars in each estimate (mlfinlab's window). Default 20. */
  window?: number;
}

/** rangeVolatility's options. */
export interface RangeVolatilityOptions extends WindowOptions {
  estimator: RangeEstimator;
  /** Bars a year: the volatility times sqrt(annualize). Default 1 (per bar, as mlfinlab). */
  annualize?: number;
}

/** `{ open, high, low, close }` of one shape (the fields the estimator reads). */
export type OhlcBars<R extends Series = Series> = { open?: R; high: R; low: R; close?: R };

/** Corwin-Schultz's two outputs. */
export interface CorwinSchultz<R> {
  /** The spread estimate 2 (e^alpha - 1) / (1 + e^alpha), alpha floored at 0. */
  spread: R;
  /** The Becker-Parkinson volatility from the same beta and gamma, floored at 0. */
  sigma: R;
}
