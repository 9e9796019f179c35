/**
 * Parameter grids of the indicators (issue 68): an indicator's period options (its integer
 * parameters: `timePeriod`, `fastPeriod`, `slowPeriod`, `signalPeriod`, `fastKPeriod`, ...) each take
 * an array of periods as well as one. Several arrays in one call are zipped (vectorbt's default,
 * `param_product=False`): set p takes element p of each, and they must be of one length; the other
 * options are the same in every set.
 *
 * Shape: a series (T bars) over P sets gives a T x P Matrix, one column a set; a panel of N symbols a
 * T x (P x N) Matrix, period-major as vectorbt's (param, column) MultiIndex: column p x N + n is the
 * single call of set p on symbol n, bit for bit. An indicator of several outputs gives each output so.
 * Columns are labelled `<name>(<option>=<value>,...)` (the array options only: `sma(timePeriod=20)`,
 * `macd(fastPeriod=12,slowPeriod=26)`), followed by `/<symbol>` for a panel or a named series (its
 * label, else the column's number); the rows keep the input's index.
 */
import { KernelInputError } from '../../errors.js';
import type { Outputs } from '../descriptor.js';
import { resultMatrix, resultObject } from '../fresh-output.js';
import type { Index } from '../labels.js';
import { checkParam, type RuledParam } from '../param-rules.js';
import { describeValue } from '../validate.js';

/** An option given as several values (a grid): an Array or a typed array of numbers. */
export function isValueList(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** Whether a parameter is a period option (an integer rule): the options that take arrays. */
export const isPeriodParam = (p: RuledParam): boolean => p.rule.kind === 'int';

/** P parameter sets of an indicator, as the backends take them, and each set's label. */
export interface ParamGrid {
  /** P x k, row-major: each row the k packed parameters of one set, in the descriptor's order. */
  readonly sets: Float64Array;
  /** P. */
  readonly count: number;
  /** Per set: its array options' values, `timePeriod=20` (`key=value` joined by ','). */
  readonly labels: readonly string[];
  /** The first option given as an array (`options.timePeriod`): what an error about the grid's size names. */
  readonly option: string;
}

/** Whether any period option of `options` is given as an array (the call is a grid). */
export function isGrid(params: readonly RuledParam[], options: Record<string, unknown> | undefined): boolean {
  if (options === undefined || options === null) return false;
  for (let i = 0; i < params.length; i++) if (isValueList(options[params[i].key])) return true;
  return false;
}

/**
 * The parameter sets of a grid call: each period option given as an array contributes its elements
 * (each checked by the option's rule, an error naming `options.<key>[i]`), zipped with the other
 * arrays (of one length: else KernelInputError naming the option that differs); the other options
 * (`scalar(j)`: parameter j's value, checked, or its default) repeat in every set. An array for an option that
 * is not a period, or an empty one, is a KernelInputError naming it.
 */
export function resolveGrid(params: readonly RuledParam[], options: Record<string, unknown>, scalar: (j: number) => number): ParamGrid {
  const k = params.length;
  let count = -1;
  let first = '';
  const lists: (readonly number[] | undefined)[] = params.map((p) => {
    const given = options[p.key];
    if (!isValueList(given)) return undefined;
    const name = `options.${p.key}`;
    if (!isPeriodParam(p)) {
      throw new KernelInputError(name, `${p.expected} (only the period options take arrays)`, describeValue(given));
    }
    if (given.length === 0) throw new KernelInputError(name, 'a period or a non-empty array of periods', 'an empty array');
    if (count < 0) {
      count = given.length;
      first = name;
    } else if (given.length !== count) {
      throw new KernelInputError(name, `${count} periods, as ${first} (the arrays are zipped)`, `${given.length}`);
    }
    return Array.from({ length: given.length }, (_, i) => checkParam(p, given[i], `${name}[${i}]`));
  });
  const fixed = params.map((_, j) => (lists[j] === undefined ? scalar(j) : 0));
  const sets = new Float64Array(count * k);
  const labels: string[] = [];
  for (let s = 0; s < count; s++) {
    const parts: string[] = [];
    for (let j = 0; j < k; j++) {
      const list = lists[j];
      sets[s * k + j] = list === undefined ? fixed[j] : list[s];
      if (list !== undefined) parts.push(`${params[j].key}=${list[s]}`);
    }
    labels.push(parts.join(','));
  }
  return { sets, count, labels, option: first };
}

/**
 * The column labels of a grid's outputs: per set p and symbol n (column p x N + n), `<name>(<set's
 * label>)`, then `/<symbol>` when the input is a panel (its column label, else n) or a labelled series.
 */
export function gridColumns(name: string, grid: ParamGrid, cols: number, symbols: readonly string[] | undefined): string[] {
  const columns: string[] = new Array(grid.count * cols);
  for (let p = 0; p < grid.count; p++) {
    const head = `${name}(${grid.labels[p]})`;
    for (let n = 0; n < cols; n++) {
      const symbol = symbols?.[n] ?? (cols > 1 ? String(n) : undefined);
      columns[p * cols + n] = symbol === undefined ? head : `${head}/${symbol}`;
    }
  }
  return columns;
}

/**
 * A grid's outputs from the array `out` the backend filled (each rows x width, in `names`' order) as
 * Matrices with the columns' labels and the rows' `index`.
 */
export function gridOutputs(
  names: readonly string[],
  out: Float64Array,
  rows: number,
  width: number,
  columns: readonly string[],
  index: Index | undefined,
): Outputs {
  const result = resultObject() as Outputs;
  const n = rows * width;
  for (let k = 0; k < names.length; k++) result[names[k]] = resultMatrix(out.subarray(k * n, (k + 1) * n), rows, width, columns, index);
  return result;
}
