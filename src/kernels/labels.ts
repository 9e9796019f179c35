/**
 * Labels that travel with the data, as pandas keeps them: a Matrix may carry `columns` (asset names,
 * symbols, factor names) and `index` (one label per row: epoch-ms dates, or names for a square
 * matrix such as a covariance); a Float64Array may carry `index` (one label per value: dates for a
 * series of returns, names for a vector of weights) and `name`. Kernels read them from their inputs
 * and put them on every output that is per asset or per date (descriptor.ts `splitOutputs`), without
 * copying any data: a label is a reference to the caller's array, or a view of it.
 *
 * `toRecords` turns a result into rows of `{ name: value }` (console.table, JSON, writeTable);
 * `byName` reads a labelled vector by name.
 */
import { KernelInputError } from '../errors.js';
import { describeValue, requireFloat64Array } from './validate.js';

/** One label per value or row: names, or dates as epoch milliseconds. */
export type Index = readonly string[] | Float64Array | readonly number[];

/** A Float64Array that may carry labels (a pandas Series): `index` one per value, `name` its own. */
export type Vector = Float64Array & { readonly index?: Index; readonly name?: string };

/** A per-column statistic for returns of type R: a number for a series, one value per column (a Vector) for a Matrix. */
export type PerColumn<R> = R extends Float64Array ? number : Vector;

/** A per-row output for an input of type R (one series or columns): a Vector for a series, else a Matrix. */
export type ColumnsOf<R> = R extends Float64Array ? Vector : import('./matrix.js').Matrix;

/** Labels per dimension of a kernel's outputs (descriptor.ts Shape names: 'T' dates, 'N' assets, ...). */
export type DimLabels = Readonly<Record<string, Index | undefined>>;

/**
 * How a call's outputs are split (a Call's `split`):
 * - `one`: the dimension (of size 1) that one problem drops: an output over it alone is a number, a
 *   matrix with it as a side a vector of the other side (a series' statistics: 'N'; one portfolio: 'P');
 * - `labels`: the labels of each dimension the caller gave (labels.ts): a vector over a labelled
 *   dimension carries them as its `index`, a matrix as its `index` (rows) and `columns`.
 */
export interface Split {
  readonly one?: string;
  readonly labels?: DimLabels;
}

const NO_SPLIT: Split = {};
const ONE_COLUMN: Split = { one: 'N' };

/**
 * The Split of a kernel computed per column of `m` (the input as columns: asColumns): a series
 * (`input` a Float64Array) drops N, so its statistics are numbers; `T` (default: m's index) labels the
 * dates, m's columns the assets. Shared objects when nothing is labelled (the hot path allocates none).
 */
export function columnSplit(input: unknown, m: { columns?: readonly string[]; index?: Index }, T: Index | undefined = m.index): Split {
  const one = input instanceof Float64Array;
  if (T === undefined && m.columns === undefined) return one ? ONE_COLUMN : NO_SPLIT;
  return { one: one ? 'N' : undefined, labels: { T, N: m.columns } };
}

const ONE_PROBLEM: Split = { one: 'P' };

/**
 * The Split of a kernel per problem or portfolio (P: an optimizer's problems, the rows of weights):
 * one problem (`one`) drops P, so that its statistics are numbers and its per-asset outputs Vectors of
 * N; `names` label the assets (N), `dates` the rows of a per-date output (T). Shared objects when
 * nothing is labelled (the hot path allocates none).
 */
export function problemSplit(one: boolean, names: readonly string[] | undefined, dates?: Index): Split {
  if (names === undefined && dates === undefined) return one ? ONE_PROBLEM : NO_SPLIT;
  return { one: one ? 'P' : undefined, labels: { N: names, T: dates } };
}

/** A row-major matrix's labels: `columns` one per column, `index` one per row. */
export interface MatrixLabels {
  readonly columns?: readonly string[];
  readonly index?: Index;
}

/** Labels of a series: `index` one per value, `name` the series'. */
export interface SeriesLabels {
  readonly index?: Index;
  readonly name?: string;
}

/** Requires `index`, when given, to hold `length` labels (KernelInputError naming `name`). */
export function requireIndex(index: unknown, length: number, name: string): asserts index is Index | undefined {
  if (index === undefined) return;
  const ok = index instanceof Float64Array || Array.isArray(index);
  if (!ok) throw new KernelInputError(name, 'an array of names or a Float64Array of epoch-ms dates', describeValue(index));
  if ((index as Index).length !== length) {
    throw new KernelInputError(name, `${length} labels`, `${(index as Index).length}`);
  }
}

/** Requires `columns`, when given, to be `length` strings (KernelInputError naming `name`). */
export function requireColumns(columns: unknown, length: number, name: string): asserts columns is readonly string[] | undefined {
  if (columns === undefined) return;
  if (!Array.isArray(columns) || columns.some((c) => typeof c !== 'string')) {
    throw new KernelInputError(name, 'an array of names (strings)', describeValue(columns));
  }
  if (columns.length !== length) throw new KernelInputError(name, `${length} names`, `${columns.length}`);
}

/** Puts `labels` on `v` (no copy; not enumerable, so that console.log shows the values). Returns `v`. */
export function labelVector<V extends Float64Array>(v: V, index: Index | undefined, name?: string): V & Vector {
  if (index !== undefined) Object.defineProperty(v, 'index', { value: index, configurable: true, writable: true });
  if (name !== undefined) Object.defineProperty(v, 'name', { value: name, configurable: true, writable: true });
  return v;
}

/**
 * A series with labels: `data` itself (no copy) carrying `index` (one label per value: epoch-ms dates,
 * or names) and `name`. KernelInputError when the index does not hold one label per value.
 */
export function series(data: Float64Array, labels: SeriesLabels = {}): Vector {
  requireFloat64Array(data, 'data');
  requireIndex(labels.index, data.length, 'labels.index');
  if (labels.name !== undefined && typeof labels.name !== 'string') {
    throw new KernelInputError('labels.name', 'a string', describeValue(labels.name));
  }
  return labelVector(data, labels.index, labels.name);
}

/** `index` when it holds n names (strings), else undefined. */
export function namesIn(index: Index | undefined, n: number): readonly string[] | undefined {
  return Array.isArray(index) && index.length === n && typeof index[0] === 'string' ? (index as readonly string[]) : undefined;
}

/**
 * The asset names of a covariance (or a stack of them): its `columns`, else (one N x N matrix) its
 * `index` when that holds names.
 */
export function covNames(cov: { rows: number; cols: number; columns?: readonly string[]; index?: Index }): readonly string[] | undefined {
  return cov.columns ?? (cov.rows === cov.cols ? namesIn(cov.index, cov.cols) : undefined);
}

/** The index of a labelled Float64Array, or undefined. */
export function indexOf(v: Float64Array): Index | undefined {
  return (v as Vector).index;
}

/** `index` without its first `drop` labels (a view for a Float64Array), or undefined. */
export function dropLabels(index: Index | undefined, drop: number): Index | undefined {
  if (index === undefined) return undefined;
  return index instanceof Float64Array ? index.subarray(drop) : index.slice(drop);
}

/** The label of row or value `i` as a record's key column holds it. */
const labelAt = (index: Index | undefined, i: number): string | number => (index === undefined ? i : index[i]);

/** The key a record's label goes under: `date` for epoch-ms dates, `name` for names, `index` for positions. */
function keyOf(index: Index | undefined): string {
  if (index === undefined) return 'index';
  return index.length > 0 && typeof index[0] === 'string' ? 'name' : 'date';
}

type Matrixish = { data: Float64Array; rows: number; cols: number; columns?: readonly string[]; index?: Index };

const isMatrix = (v: unknown): v is Matrixish =>
  typeof v === 'object' && v !== null && (v as Matrixish).data instanceof Float64Array && typeof (v as Matrixish).rows === 'number';

/**
 * A result (or a labelled input) as rows of `{ name: value }`, for console.table, JSON and writeTable:
 * - a Matrix: one row per row, `{ date | name | index, <column>: value, ... }`;
 * - a Float64Array: one row per value, `{ date | name | index, value }`;
 * - an object of numbers (one problem's statistics): one row of them;
 * - an object with vectors or matrices (per-asset or per-date results): one row per value of its
 *   longest ones, each vector a column and each matrix column one (`<field>.<column>` when the object
 *   holds several matrices); numbers and shorter fields are left out.
 * The label column is `date` (epoch ms) or `name` where the result carries labels, else `index`.
 */
export function toRecords(result: unknown): Record<string, string | number>[] {
  if (result instanceof Float64Array)
    return recordsOf([{ key: 'value', rows: result.length, at: (i) => result[i] }], result.length, indexOf(result));
  if (isMatrix(result)) return recordsOf(matrixColumns(result), result.rows, result.index);
  if (typeof result !== 'object' || result === null) {
    throw new KernelInputError('result', 'a kernel result (an object, a Matrix or a Float64Array)', describeValue(result));
  }
  const fields = Object.entries(result);
  // the columns of the records: each vector, each column of each matrix (`<field>.<column>` when there are several matrices)
  const matrices = fields.filter(([, v]) => isMatrix(v)).length;
  const columns: RecordColumn[] = [];
  for (const [k, v] of fields) {
    if (v instanceof Float64Array) columns.push({ key: k, rows: v.length, at: (i) => v[i], index: indexOf(v) });
    else if (isMatrix(v)) columns.push(...matrixColumns(v, matrices > 1 ? `${k}.` : ''));
  }
  if (columns.length === 0) {
    const row: Record<string, string | number> = {};
    for (const [k, v] of fields) if (typeof v === 'number' || typeof v === 'string') row[k] = v;
    return [row];
  }
  const length = Math.max(...columns.map((c) => c.rows));
  const kept = columns.filter((c) => c.rows === length);
  return recordsOf(
    kept,
    length,
    kept.map((c) => c.index).find((i) => i !== undefined),
  );
}

/** A column of toRecords' rows: its key, its length, its value at a row, the labels of its rows. */
interface RecordColumn {
  key: string;
  rows: number;
  at: (i: number) => number;
  index?: Index;
}

/** A matrix's columns as record columns, keyed by its column names (else positions) after `prefix`. */
function matrixColumns(m: Matrixish, prefix = ''): RecordColumn[] {
  return Array.from({ length: m.cols }, (_, c) => ({
    key: prefix + (m.columns?.[c] ?? String(c)),
    rows: m.rows,
    at: (i: number) => m.data[i * m.cols + c],
    index: m.index,
  }));
}

/** `length` rows of `columns`, each led by its label (`index`) under keyOf's key. */
function recordsOf(columns: readonly RecordColumn[], length: number, index: Index | undefined): Record<string, string | number>[] {
  const key = keyOf(index);
  return Array.from({ length }, (_, i) => {
    const row: Record<string, string | number> = { [key]: labelAt(index, i) };
    for (const c of columns) row[c.key] = c.at(i);
    return row;
  });
}

/**
 * A vector labelled by names (a per-asset result: weights, contributions, a statistic per column) as
 * `{ name: value }`. KernelInputError naming `name` when it carries no names.
 */
export function byName(v: Float64Array, name = 'vector'): Record<string, number> {
  requireFloat64Array(v, name);
  const index = indexOf(v);
  if (index === undefined || index instanceof Float64Array || (index.length > 0 && typeof index[0] !== 'string')) {
    throw new KernelInputError(name, 'a vector labelled by names (its input had columns or an index of names)', 'no names');
  }
  const out: Record<string, number> = {};
  for (let i = 0; i < v.length; i++) out[index[i] as string] = v[i];
  return out;
}

/** A portfolio result's weights by asset name (`byName(result.weights)`). */
export function weightsByName(result: { weights: Float64Array }): Record<string, number> {
  if (typeof result !== 'object' || result === null || !(result.weights instanceof Float64Array)) {
    throw new KernelInputError('result', 'a result of one problem with weights (a Float64Array)', describeValue(result));
  }
  return byName(result.weights, 'result.weights');
}
