/**
 * The indicators family: TA-Lib's technical indicators (TA-Lib 0.6, its C library, the reference the
 * industry checks against), equal to TA-Lib to the last bit, on one series or on a panel of symbols.
 *
 * Shapes: a Float64Array (one symbol, T bars) gives Float64Arrays of T values; a Matrix (T x N, one
 * column a symbol) gives Matrices of T x N with its labels, each column equal bit for bit to the
 * series call on that column. Indicators of bars take `{ high, low, close, volume }` (the ones they
 * read) of series or of panels, all of one shape.
 *
 * Warm-up: the output has the input's length; the values TA-Lib does not emit (its lookback) are NaN
 * at the start, as python `talib` returns them. TA-Lib's unstable period is its default, 0.
 *
 * NaN inside an input (python talib's rule, one rule for every indicator): a column's leading bars
 * where any input the indicator reads is NaN (a symbol not yet listed) are skipped, and the indicator
 * starts at the first bar where all are numbers, its warm-up counted from there; a NaN after that
 * (a halted bar) goes through TA-Lib's arithmetic as it is: a running sum or average turns NaN from
 * there on, a comparison with NaN is false. A column of NaN gives NaN.
 */
import { KernelInputError } from '../../errors.js';
import type { Matrix, Series } from '../matrix.js';
import { asColumns } from '../matrix.js';
import { describeValue } from '../validate.js';

/** The kernels of the family, in documentation order. */
export const INDICATOR_NAMES = [
  'sma',
  'ema',
  'wma',
  'dema',
  'tema',
  'trima',
  'kama',
  'rsi',
  'macd',
  'bbands',
  'atr',
  'natr',
  'trange',
  'stoch',
  'stochf',
  'stochRsi',
  'adx',
  'adxr',
  'plusDi',
  'minusDi',
  'cci',
  'mfi',
  'obv',
  'ad',
  'adosc',
  'roc',
  'mom',
  'willr',
  'aroon',
  'aroonOsc',
  'sar',
  'ultosc',
] as const;

export type IndicatorName = (typeof INDICATOR_NAMES)[number];

/**
 * One indicator as a backend implements it: its input columns (each rows x cols, row-major: high,
 * low, close, volume, those it reads, in that order), rows, cols, then its packed parameters; the
 * outputs in one Float64Array, each rows x cols, in the descriptor's order.
 */
export type IndicatorCall = (...args: (Float64Array | number)[]) => Float64Array;

/**
 * One indicator over P parameter sets (a grid, grid.ts): `name`, its input columns (as IndicatorCall's),
 * rows, cols, `sets` (P x k, row-major: each row the indicator's k packed parameters), P, and `out`,
 * which it fills and returns: each output rows x (P x cols) in the descriptor's order, column
 * p x cols + n that of set p's call on column n, bit for bit.
 */
export type IndicatorGridCall = (
  name: IndicatorName,
  inputs: readonly Float64Array[],
  rows: number,
  cols: number,
  sets: Float64Array,
  count: number,
  out: Float64Array,
) => Float64Array;

/**
 * A crossover (signals.ts): `a` (rows x aCols) and `b` (rows x bCols), rows, the column pairs (output
 * column j compares a's column pairsA[j] with b's column pairsB[j]), the packed parameter `wait`, and
 * `out` (rows x pairs, 0 or 1 a value), which it fills and returns.
 */
export type CrossCall = (
  a: Float64Array,
  aCols: number,
  b: Float64Array,
  bCols: number,
  rows: number,
  pairsA: Int32Array,
  pairsB: Int32Array,
  wait: number,
  out: Uint8Array,
) => Uint8Array;

/**
 * What a backend implementing the indicators provides: each indicator, `grid` (any indicator over
 * parameter sets) and the crossovers (crossedBelow(a, b) is crossedAbove(b, a), as vectorbt computes it).
 */
export type IndicatorsFamily = { [K in IndicatorName]: IndicatorCall } & {
  grid: IndicatorGridCall;
  crossedAbove: CrossCall;
  crossedBelow: CrossCall;
};

export { freshOutput, UNZEROED_OUTPUT_BYTES } from '../fresh-output.js';

/** The price and volume columns an indicator may read, in the order they are passed. */
export const BAR_FIELDS = ['high', 'low', 'close', 'volume'] as const;
export type BarField = (typeof BAR_FIELDS)[number];

/** Bars of one symbol (Float64Arrays) or of a panel (Matrices), of one shape: the fields an indicator reads. */
export type Bars<R extends Series = Series> = Partial<Record<BarField, R>>;

/** An indicator's inputs, checked: the columns in BAR_FIELDS order, their shape and the labels. */
export interface ResolvedBars {
  readonly columns: readonly Float64Array[];
  readonly shape: Matrix;
  /** The first input as given (a Float64Array for one symbol): what the outputs are shaped by. */
  readonly input: Series;
}

/**
 * The columns `fields` of `value`: a Series for an indicator of one price (`fields` ['close'], the
 * argument named `close`), else an object of Series (named `bars`, a field `bars.low`), each of the
 * first's kind and shape. KernelInputError naming the argument otherwise.
 */
export function resolveBars(value: unknown, fields: readonly BarField[]): ResolvedBars {
  if (fields.length === 1 && fields[0] === 'close') {
    const shape = asColumns(value, 'close');
    return { columns: [shape.data], shape, input: value as Series };
  }
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Array.isArray(value)) {
    throw new KernelInputError('bars', `an object { ${fields.join(', ')} } of Float64Arrays or Matrices`, describeValue(value));
  }
  const record = value as Record<string, unknown>;
  for (const field of fields) {
    if (record[field] === undefined)
      throw new KernelInputError(`bars.${field}`, 'a Float64Array or a Matrix { data, rows, cols }', 'undefined');
  }
  const first = record[fields[0]];
  const shape = asColumns(first, `bars.${fields[0]}`);
  const columns = fields.map((field) => {
    const name = `bars.${field}`;
    const m = asColumns(record[field], name);
    if (record[field] instanceof Float64Array !== first instanceof Float64Array) {
      throw new KernelInputError(
        name,
        `a ${first instanceof Float64Array ? 'Float64Array' : 'Matrix'} like bars.${fields[0]}`,
        describeValue(record[field]),
      );
    }
    if (m.rows !== shape.rows || m.cols !== shape.cols) {
      const size = (x: Matrix) => (first instanceof Float64Array ? `length ${x.rows}` : `${x.rows} x ${x.cols}`);
      throw new KernelInputError(name, `${size(shape)} (bars.${fields[0]})`, size(m));
    }
    return m.data;
  });
  return { columns, shape, input: first as Series };
}
