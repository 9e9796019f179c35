/**
 * The one input convention of every family: a `Matrix` is row-major `{ data, rows, cols }`; where a
 * kernel takes a Matrix, a Float64Array is one series: one column of a returns matrix (risk family:
 * rows are dates), one date of a panel (factor family: a row of assets).
 */
import { KernelInputError } from '../errors.js';
import { resultMatrix } from './fresh-output.js';
import { type Index, type MatrixLabels, type Vector, requireColumns, requireIndex } from './labels.js';
import { describeValue, requireFloat64Array } from './validate.js';

/**
 * A row-major matrix: `data[r * cols + c]`, rows = dates or scenarios, cols = assets or portfolios;
 * optionally labelled (labels.ts): `columns` one name per column, `index` one label per row (epoch-ms
 * dates, or names).
 */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
  readonly columns?: readonly string[];
  readonly index?: Index;
}

/** One series (a Float64Array: one column) or a matrix of columns. */
export type Series = Float64Array | Matrix;

/** An integer >= 0. */
export function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

/**
 * Builds a Matrix over `data` (no copy) after checking that it holds rows x cols values, with the
 * labels given: `columns` (cols names) and `index` (rows labels).
 */
export function matrix(data: Float64Array, rows: number, cols: number, labels: MatrixLabels = {}): Matrix {
  const m: Matrix = resultMatrix(data, rows, cols, labels.columns || undefined, labels.index || undefined);
  requireMatrix(m, 'matrix');
  return m;
}

/** Requires a Matrix: a Float64Array of exactly rows x cols values, rows and cols integers >= 0. */
export function requireMatrix(value: unknown, name: string): asserts value is Matrix {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) {
    throw new KernelInputError(name, 'a Matrix { data, rows, cols }', describeValue(value));
  }
  const { data, rows, cols } = value as Partial<Matrix>;
  if (!isCount(rows)) throw new KernelInputError(`${name}.rows`, 'an integer >= 0', describeValue(rows));
  if (!isCount(cols)) throw new KernelInputError(`${name}.cols`, 'an integer >= 0', describeValue(cols));
  requireFloat64Array(data, `${name}.data`);
  if (data.length !== rows * cols) {
    throw new KernelInputError(`${name}.data`, `length ${rows * cols} (rows ${rows} x cols ${cols})`, `length ${data.length}`);
  }
  const { columns, index } = value as Matrix;
  if (columns !== undefined) requireColumns(columns, cols, `${name}.columns`);
  if (index !== undefined) requireIndex(index, rows, `${name}.index`);
}

/** A series or matrix as columns: its data, rows and cols (a Float64Array is one column). */
export function asColumns(value: unknown, name: string): Matrix {
  if (value instanceof Float64Array) {
    requireFloat64Array(value, name);
    const { index, name: label } = value as Vector;
    return { data: value, rows: value.length, cols: 1, index, columns: label === undefined ? undefined : [label] };
  }
  if (ArrayBuffer.isView(value) || Array.isArray(value)) {
    throw new KernelInputError(name, 'a Float64Array or a Matrix { data, rows, cols }', describeValue(value));
  }
  requireMatrix(value, name);
  return value;
}

/** A panel (rows = dates, cols = assets) or one date of it: a Float64Array is 1 x its length. */
export function asPanel(value: unknown, name: string): Matrix {
  if (value instanceof Float64Array) {
    requireFloat64Array(value, name);
    const index = (value as Vector).index;
    const columns = Array.isArray(index) && typeof index[0] === 'string' ? (index as string[]) : undefined;
    return { data: value, rows: 1, cols: value.length, columns };
  }
  requireMatrix(value, name);
  return value;
}

/** Relative asymmetry |S_ij - S_ji| / max(|S_ij|, |S_ji|) a covariance may have (rounding elsewhere). */
export const COV_SYMMETRY_RTOL = 1e-10;

/** Requires a square, symmetric (to COV_SYMMETRY_RTOL) covariance matrix without NaN or Infinity. */
export function requireCovariance(value: unknown, name: string): asserts value is Matrix {
  requireMatrix(value, name);
  const { data, rows, cols } = value;
  if (rows !== cols) throw new KernelInputError(name, 'a square matrix', `${rows} x ${cols}`);
  if (exactlySymmetric(data, cols)) return;
  // the pair that failed the quick pass, found again with the tolerance and the messages
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j <= i; j++) {
      const a = data[i * cols + j];
      const b = data[j * cols + i];
      if (!Number.isFinite(a)) throw new KernelInputError(`${name}.data`, 'finite values', `[${i}][${j}] = ${a}`);
      if (!Number.isFinite(b)) throw new KernelInputError(`${name}.data`, 'finite values', `[${j}][${i}] = ${b}`);
      if (Math.abs(a - b) > COV_SYMMETRY_RTOL * Math.max(Math.abs(a), Math.abs(b))) {
        throw new KernelInputError(name, 'a symmetric matrix', `[${i}][${j}] = ${a} but [${j}][${i}] = ${b}`);
      }
    }
  }
}

/**
 * Whether the n x n `data` is finite and exactly symmetric: the common case, a covariance computed as
 * one, checked in one quick pass (`a - a` is 0 only for a finite a); any other answer is left to
 * requireCovariance's pass with the tolerance, which gives the same result and messages as always.
 */
function exactlySymmetric(data: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const a = data[i * n + j];
      if (a !== data[j * n + i] || a - a !== 0) return false;
    }
  }
  return true;
}

/** Weights of N assets (one portfolio) or P x N, as a matrix; KernelInputError unless N = `n` (`what` names n). */
export function weightsMatrix(weights: Series, n: number, what: string): Matrix {
  const one = weights instanceof Float64Array;
  if (one) requireFloat64Array(weights, 'weights');
  const w = one ? { data: weights, rows: 1, cols: weights.length } : asColumns(weights, 'weights');
  if (w.cols !== n) throw new KernelInputError(one ? 'weights' : 'weights.cols', `${n} (${what})`, String(w.cols));
  return w;
}
