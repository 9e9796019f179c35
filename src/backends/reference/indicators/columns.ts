/**
 * The indicators' shapes (src/kernels/indicators/indicators.ts): a panel column by column, each the
 * series call on that column, and python talib's rule for leading NaNs. The series functions
 * (averages.ts, momentum.ts, volatility.ts) fill all of their n outputs: NaN over TA-Lib's lookback.
 */
import { type OutputSpec, outputsInto } from '../../../kernels/descriptor.js';

/** One indicator on one series: its inputs (each n values), its parameters, its outputs (each n values). */
export type SeriesIndicator = (inputs: readonly Float64Array[], params: readonly number[], outputs: readonly Float64Array[]) => void;

/** TA-Lib's TA_IS_ZERO: |v| below TA_EPSILON (1e-14); false for NaN. */
export const isZero = (v: number): boolean => -1e-14 < v && v < 1e-14;

/** The first row from which every input is a number in column c (python talib's check_begidx); rows if none. */
function firstRow(inputs: readonly Float64Array[], rows: number, cols: number, c: number): number {
  for (let t = 0; t < rows; t++) {
    let ok = true;
    for (const x of inputs) ok &&= x[t * cols + c] === x[t * cols + c];
    if (ok) return t;
  }
  return rows;
}

/**
 * `series` over each column of the rows x cols inputs, into the outputs (each rows x cols): the
 * column's leading rows with a NaN input are NaN and the series starts after them.
 */
export function perColumn(
  series: SeriesIndicator,
  inputs: readonly Float64Array[],
  rows: number,
  cols: number,
  params: readonly number[],
  outputs: readonly Float64Array[],
): void {
  const ins = inputs.map(() => new Float64Array(rows));
  const outs = outputs.map(() => new Float64Array(rows));
  for (let c = 0; c < cols; c++) {
    const begin = firstRow(inputs, rows, cols, c);
    inputs.forEach((x, k) => {
      for (let t = 0; t < rows; t++) ins[k][t] = x[t * cols + c];
    });
    for (const o of outs) o.fill(NaN, 0, begin);
    series(
      ins.map((x) => x.subarray(begin)),
      params,
      outs.map((o) => o.subarray(begin)),
    );
    outs.forEach((o, k) => {
      for (let t = 0; t < rows; t++) outputs[k][t * cols + c] = o[t];
    });
  }
}

/**
 * The backend call of an indicator of `inputs` columns: (...columns, rows, cols, ...params[, out]) ->
 * its outputs, into the caller's `out` when the call carries one (past the descriptor's arity).
 */
export function indicatorCall(spec: OutputSpec, inputs: number, series: SeriesIndicator) {
  return (...args: (Float64Array | number)[]): Float64Array => {
    const given = spec.arity !== undefined && args.length > spec.arity ? (args.pop() as Float64Array) : undefined;
    const { out, views } = outputsInto(spec, given, ...args);
    const columns = args.slice(0, inputs) as Float64Array[];
    const [rows, cols] = args.slice(inputs, inputs + 2) as number[];
    perColumn(series, columns, rows, cols, args.slice(inputs + 2) as number[], Object.values(views));
    return out;
  };
}
