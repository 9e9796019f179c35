/**
 * Crossovers of two series or panels, as signals (issue 68): vectorbt 1.1.0's `crossed_above`
 * (polakowo/vectorbt @ f9897528, vectorbt/generic/nb.py `crossed_above_1d_nb`; its Rust engine's
 * `crossed_above_1d` is the same rule), one column at a time, bar by bar:
 *
 * - a NaN in either side clears the "was below" flag and writes 0;
 * - a < b (strictly) sets the flag and writes 0;
 * - a == b writes 0 and restarts the count of bars above, keeping the flag;
 * - a > b with the flag set counts the bar (the count starts at -1, so the first bar above counts 0)
 *   and writes 1 where the count equals `wait` (vectorbt's default 0: the first bar above); a > b
 *   without the flag writes 0.
 *
 * So a tie between below and above still fires (below, tie, above: 1 at the third bar), tie then
 * above at the start or after a NaN does not (no bar below yet), and since the flag stays set once a
 * bar was below, a tie between two bars above fires again (below, above, tie, above: 1 at the second
 * and at the fourth bar). `wait` = w fires at the w-th bar after the first bar above, as long as no
 * tie, bar below or NaN came in between (with the bars in between above).
 *
 * crossedBelow(a, b) is crossedAbove(b, a), as vectorbt's `crossed_below` computes it.
 *
 * Shapes: `a` and `b` are Float64Arrays (one series each) or Matrices T x K of one row count; a
 * one-column side broadcasts over the other's K columns (vectorbt's broadcasting). `pairs` ({ a, b }:
 * Int32Arrays of one length) picks the columns instead: output column j compares a's column a[j]
 * with b's column b[j], so that a grid of window pairs reads one matrix of averages (`combinations`).
 * The output is a signal Matrix { data: Uint8Array of 0 / 1, rows, cols } (a Uint8Array for two
 * Float64Arrays and no pairs), its rows labelled by a's index (else b's), its columns by the inputs'
 * column labels: a's and b's where they differ (`<a's>|<b's>`), else the one there is.
 */
import { KernelInputError } from '../../errors.js';
import { resultMatrix } from '../fresh-output.js';
import type { Index } from '../labels.js';
import { asColumns, type Matrix, type Series } from '../matrix.js';
import { checkParam, int, option } from '../param-rules.js';
import { describeValue } from '../validate.js';

/** Signals of a panel: T x K of 0 (false) or 1 (true), row-major, labelled as its inputs. */
export interface SignalMatrix {
  readonly data: Uint8Array;
  readonly rows: number;
  readonly cols: number;
  readonly columns?: readonly string[];
  readonly index?: Index;
}

/** Signals of one series: a Uint8Array of 0 or 1, carrying the input's index. */
export type SignalVector = Uint8Array & { readonly index?: Index };

/** Column pairs: output column j compares a's column `a[j]` with b's column `b[j]`. */
export interface ColumnPairs {
  readonly a: Int32Array;
  readonly b: Int32Array;
}

/** crossedAbove's and crossedBelow's options. */
export interface CrossOptions {
  /**
   * vectorbt's `wait`: the bars above after the first one at which the signal fires (default 0, the
   * first bar above); an integer >= 0.
   */
  wait?: number;
  /** The columns compared (ColumnPairs), instead of a's and b's alike or broadcast. */
  pairs?: ColumnPairs;
}

/** The packed parameter of both crossovers. */
export const WAIT = option('wait', int(0));

/** The result of a crossover of A and B under options O: a SignalVector for two series and no pairs. */
export type CrossResult<A extends Series, B extends Series, O> = A extends Float64Array
  ? B extends Float64Array
    ? O extends { pairs: ColumnPairs }
      ? SignalMatrix
      : SignalVector
    : SignalMatrix
  : SignalMatrix;

/**
 * All pairs i < j of `n` columns, in vectorbt's `run_combs` order (itertools.combinations(range(n),
 * 2): (0, 1), (0, 2), ..., (0, n - 1), (1, 2), ...), as column pairs: `crossedAbove(ma, ma, { pairs:
 * combinations(99) })` crosses every window of a 99-period grid with every longer one (fast i over
 * slow j, as vectorbt's `fast_ma.ma_crossed_above(slow_ma)` after `MA.run_combs(close, windows)`). With
 * `columns` N (a grid of a panel: column p x N + n), each pair repeats for every symbol n, symbol-minor
 * as vectorbt's columns: a = i x N + n, b = j x N + n. n(n - 1) / 2 x N pairs; KernelInputError naming
 * `n` or `columns` for anything but integers >= 0 (n up to 65536).
 */
export function combinations(n: number, columns = 1): ColumnPairs {
  if (!Number.isInteger(n) || n < 0 || n > 65536) throw new KernelInputError('n', 'an integer in [0, 65536]', describeValue(n));
  if (!Number.isInteger(columns) || columns < 0 || ((n * (n - 1)) / 2) * columns > 2 ** 31 - 1 || n * columns > 2 ** 31) {
    throw new KernelInputError('columns', 'an integer >= 0 (pairs and column indices below 2^31)', describeValue(columns));
  }
  const count = ((n * (n - 1)) / 2) * columns;
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      for (let c = 0; c < columns; c++, k++) {
        a[k] = i * columns + c;
        b[k] = j * columns + c;
      }
    }
  }
  return { a, b };
}

/** A crossover's call, checked: its arguments as the backends take them, and how to shape the output. */
export interface ResolvedCross {
  readonly a: Float64Array;
  readonly aCols: number;
  readonly b: Float64Array;
  readonly bCols: number;
  readonly rows: number;
  readonly pairsA: Int32Array;
  readonly pairsB: Int32Array;
  readonly wait: number;
  /** The output's columns (K). */
  readonly cols: number;
  /** Two series without pairs: the output is a SignalVector. */
  readonly one: boolean;
  readonly columns?: readonly string[];
  readonly index?: Index;
}

/** `[0, 1, ..., n - 1]`, or `n` zeros (a broadcast side). */
function columnsOf(n: number, broadcast: boolean): Int32Array {
  const out = new Int32Array(n);
  if (!broadcast) for (let j = 0; j < n; j++) out[j] = j;
  return out;
}

/** `pairs.<side>` checked: an Int32Array of indices in [0, cols) (KernelInputError naming the element). */
function requireIndices(value: unknown, side: 'a' | 'b', cols: number): Int32Array {
  const name = `options.pairs.${side}`;
  if (!(value instanceof Int32Array)) throw new KernelInputError(name, `an Int32Array of ${side}'s column indices`, describeValue(value));
  for (let j = 0; j < value.length; j++) {
    const v = value[j];
    if (v < 0 || v >= cols) {
      throw new KernelInputError(
        `${name}[${j}]`,
        cols === 0 ? `none: ${side} has no columns` : `a column of ${side}, in [0, ${cols - 1}]`,
        `${v}`,
      );
    }
  }
  return value;
}

/** The label of output column j from a's and b's labels of its two columns. */
function labelOf(la: string | undefined, lb: string | undefined): string {
  if (la === undefined) return lb as string;
  if (lb === undefined || la === lb) return la;
  return `${la}|${lb}`;
}

/**
 * A crossover's arguments checked (KernelInputError naming the argument: `a`, `b`, `options.wait`,
 * `options.pairs.a[3]`) and resolved: the columns compared, the output's shape and labels.
 */
export function resolveCross(a: unknown, b: unknown, options: CrossOptions | undefined): ResolvedCross {
  const ma = asColumns(a, 'a');
  const mb = asColumns(b, 'b');
  if (ma.rows !== mb.rows) {
    const size = (m: Matrix, x: unknown) => (x instanceof Float64Array ? `length ${m.rows}` : `${m.rows} rows`);
    throw new KernelInputError('b', `${size(ma, a)} (as a)`, size(mb, b));
  }
  const wait = checkParam(WAIT, options?.wait ?? 0);
  let pairsA: Int32Array;
  let pairsB: Int32Array;
  const pairs = options?.pairs;
  if (pairs !== undefined) {
    if (typeof pairs !== 'object' || pairs === null) {
      throw new KernelInputError('options.pairs', '{ a, b }: Int32Arrays of column indices (combinations())', describeValue(pairs));
    }
    pairsA = requireIndices(pairs.a, 'a', ma.cols);
    pairsB = requireIndices(pairs.b, 'b', mb.cols);
    if (pairsB.length !== pairsA.length) {
      throw new KernelInputError('options.pairs.b', `length ${pairsA.length} (as options.pairs.a)`, `length ${pairsB.length}`);
    }
  } else if (ma.cols === mb.cols) {
    pairsA = pairsB = columnsOf(ma.cols, false);
  } else if (ma.cols === 1 || mb.cols === 1) {
    const k = ma.cols === 1 ? mb.cols : ma.cols;
    pairsA = columnsOf(k, ma.cols === 1);
    pairsB = columnsOf(k, mb.cols === 1);
  } else {
    throw new KernelInputError('b', `1 or ${ma.cols} columns (as a), or options.pairs`, `${mb.cols} columns`);
  }
  const cols = pairsA.length;
  let columns: string[] | undefined;
  if (ma.columns !== undefined || mb.columns !== undefined) {
    columns = new Array(cols);
    for (let j = 0; j < cols; j++) columns[j] = labelOf(ma.columns?.[pairsA[j]], mb.columns?.[pairsB[j]]);
  }
  return {
    a: ma.data,
    aCols: ma.cols,
    b: mb.data,
    bCols: mb.cols,
    rows: ma.rows,
    pairsA,
    pairsB,
    wait,
    cols,
    one: a instanceof Float64Array && b instanceof Float64Array && pairs === undefined,
    columns,
    index: ma.index ?? mb.index,
  };
}

/** Outputs from this size (bytes) are allocated uninitialised (the kernels write every value). */
const UNZEROED_SIGNAL_BYTES = 64 << 10;

/** A new output of n signals for a kernel that writes each one. */
export function freshSignals(n: number): Uint8Array {
  if (n < UNZEROED_SIGNAL_BYTES) return new Uint8Array(n);
  return new Uint8Array(Buffer.allocUnsafeSlow(n).buffer, 0, n);
}

/** The signals `out` (rows x cols) shaped for the caller: a SignalVector, else a labelled SignalMatrix. */
export function shapeSignals(r: ResolvedCross, out: Uint8Array): SignalVector | SignalMatrix {
  if (r.one) {
    if (r.index !== undefined) Object.defineProperty(out, 'index', { value: r.index, configurable: true, writable: true });
    return out;
  }
  return resultMatrix(out, r.rows, r.cols, r.columns, r.index);
}
