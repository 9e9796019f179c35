/**
 * The one input convention of every family: a `Matrix` is row-major `{ data, rows, cols }`; where a
 * kernel takes a Matrix, a Float64Array is one series: one column of a returns matrix (risk family:
 * rows are dates), one date of a panel (factor family: a row of assets).
 */
import { KernelInputError } from '../errors.js';
import { describeValue, requireFloat64Array } from './validate.js';

/** A row-major matrix: `data[r * cols + c]`, rows = dates or scenarios, cols = assets or portfolios. */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** One series (a Float64Array: one column) or a matrix of columns. */
export type Series = Float64Array | Matrix;

/** An integer >= 0. */
export function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

/** Builds a Matrix over `data` (no copy) after checking that it holds rows x cols values. */
export function matrix(data: Float64Array, rows: number, cols: number): Matrix {
  const m = { data, rows, cols };
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
}

/** A series or matrix as columns: its data, rows and cols (a Float64Array is one column). */
export function asColumns(value: unknown, name: string): Matrix {
  if (value instanceof Float64Array) {
    requireFloat64Array(value, name);
    return { data: value, rows: value.length, cols: 1 };
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
    return { data: value, rows: 1, cols: value.length };
  }
  requireMatrix(value, name);
  return value;
}
