/**
 * The backtest family as the API offers it (BacktestKernels) and its descriptors (BACKTEST_KERNELS):
 * `backtestSignals` (vectorbt's Portfolio.from_signals) and `backtestOrders` (Portfolio.from_orders),
 * and `backtestStats` over their results. Conventions: docs/backtest.md.
 */
import { KernelInputError } from '../../errors.js';
import type { Call, Returned } from '../descriptor.js';
import { requireKnownOptions } from '../descriptor.js';
import { labelVector, type Vector } from '../labels.js';
import type { Matrix } from '../matrix.js';
import type { Sampler } from '../sample.js';
import { freshOutput, resultMatrix, resultObject } from '../fresh-output.js';
import { describeValue } from '../validate.js';
import { SIMULATION, STATS_INPUT } from './backtest-records.js';
import {
  SERIES,
  SIM_ORDERS,
  SIM_SIGNALS,
  type BacktestFamily,
  type Flex,
  type OrderColumns,
  type OrderRecords,
  type SeriesInput,
  type SimulationOutput,
  type SimulationSeries,
  type TradeRecords,
} from './backtest.js';
import {
  ORDERS_OPTIONS,
  resolveBacktest,
  SIGNALS_OPTIONS,
  type BacktestPrices,
  type OrdersOptions,
  type ResolvedBacktest,
  type SignalsOptions,
} from './backtest-resolve.js';
import {
  resolvePeriodsPerYear,
  resolveStatFields,
  STAT_FIELDS,
  type BacktestStats,
  VALUE_STATS,
  type StatField,
  type StatsInput,
} from './backtest-stats.js';

/** The value of a stats call whose fields read none, or whose result's value was not read (the backend makes it). */
const EMPTY = new Float64Array(0);

export type { BacktestPrices, OrdersOptions, PerElement, Signals, SignalsOptions } from './backtest-resolve.js';
export type { BacktestStats } from './backtest-stats.js';
export type { OrderRecords, TradeRecords } from './backtest.js';

/**
 * A backtest's result: value and cash per column (T x K), or per group with `groups` (T x G), the
 * positions (T x K), the order and exit-trade records. One price series with series options gives
 * Float64Arrays of T; otherwise Matrices labelled from the inputs.
 *
 * The series are made on request, as vectorbt's are: `value`, `cash` and `assets` each in one pass over
 * the records and the close at its first read, then kept (a call that reads none of them makes none).
 * The result holds the close it was given, not a copy: a series first read after the caller changed
 * the close is valued at the changed close (read it first, or pass a copy, to keep the first).
 * With `out`, the three are written at the call, into `out`'s arrays.
 */
export interface BacktestResult<S = Matrix | Float64Array> {
  /** Cash plus positions at the close (filled forward, then backward, where NaN). */
  readonly value: S;
  readonly cash: S;
  /** Units held at each bar's end (signed: short < 0). */
  readonly assets: S;
  readonly orders: OrderRecords;
  readonly trades: TradeRecords;
  /** The initial cash of each column (or group). */
  readonly initCash: Float64Array;
}

/**
 * A result's state: what its series are made of (its resolved call, the records' SeriesInput and the
 * backend's series call), the series read so far, and what the statistics read. Held in a
 * non-enumerable property of the result (STATE), read by the accessors below, which every result
 * shares: an accessor made per result (a closure) would go into a hidden class of its own, kept in
 * V8's old generation, and hold the result's records and series until a major collection (a loop of
 * calls then collected only by mark-compacts: docs/backtest.md, "Two threads and the collector").
 *
 * The state and its SeriesInput are made by `new`, the result and its series by resultObject(), never
 * by an object literal: V8 makes a literal's later objects in the old generation once most of them
 * have outlived young-generation collections (fresh-output.ts, resultObject).
 */
class ResultState {
  /** The series read so far, by SERIES' names. */
  assets?: Matrix | Float64Array;
  cash?: Matrix | Float64Array;
  value?: Matrix | Float64Array;
  /** The result's `initCash`, a copy of input.initCash made at its first read. */
  initCash?: Float64Array;
  constructor(
    readonly r: ResolvedBacktest,
    readonly input: SeriesInput,
    readonly series: SimulationOutput['series'],
    readonly trades: TradeRecords,
  ) {}
}

/** What a result's series are made of (a class: see ResultState). */
class ResultSeriesInput implements SeriesInput {
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly close: Flex,
    readonly groupLens: Int32Array,
    readonly initCash: Float64Array,
    readonly orders: OrderColumns,
  ) {}
}

const STATE = Symbol('kernelbus.backtestResult');
type Stateful = { readonly [STATE]?: ResultState };

/** The state of `result`, a result of backtestSignals or backtestOrders; a KernelInputError naming `result` for anything else. */
function stateOfResult(result: unknown): ResultState {
  const state = typeof result === 'object' && result !== null ? (result as Stateful)[STATE] : undefined;
  if (!state) throw new KernelInputError('result', 'a result of backtestSignals or backtestOrders', describeValue(result));
  return state;
}

/** The column labels of series `which` (SERIES' order; the value's are the stats' too): the inputs', unless it is per value group of several columns. */
function seriesColumns(r: ResolvedBacktest, which: number): readonly string[] | undefined {
  return which === 0 || r.valueGroups.length === r.sim.cols ? r.labels.columns : undefined;
}

/** Series `which` (SERIES' order) of a result's state as the API returns it: a Matrix labelled from the inputs, or the array for one price series with series options. */
function wrapSeries(state: ResultState, data: Float64Array, which: number): Matrix | Float64Array {
  const { sim, valueGroups, labels } = state.r;
  const cols = which === 0 ? sim.cols : valueGroups.length;
  const columns = seriesColumns(state.r, which);
  return state.r.series && cols === 1 ? data : resultMatrix(data, sim.rows, cols, columns, labels.index);
}

/** Series `which` of a result: made at its first read (by the backend's pass over the records and the close), then kept. */
function seriesOf(state: ResultState, which: number): Matrix | Float64Array {
  const name = SERIES[which];
  let made = state[name];
  if (made === undefined) {
    const { sim, valueGroups } = state.r;
    // unzeroed memory (the pass writes every element: V8 zeroes a new typed array, and a large one is
    // fresh pages each call; unzeroed memory comes from what the process freed)
    const data = freshOutput(sim.rows * (which === 0 ? sim.cols : valueGroups.length));
    state.series(state.input, { [name]: data });
    made = state[name] = wrapSeries(state, data, which);
  }
  return made;
}

/** The accessors of `initCash`, `value`, `cash` and `assets`, the same for every result. */
const RESULT_PROPERTIES: PropertyDescriptorMap = {
  initCash: {
    enumerable: true,
    get(this: unknown) {
      const state = stateOfResult(this);
      return (state.initCash ??= state.input.initCash.slice());
    },
  },
  ...Object.fromEntries(
    SERIES.map((name, which) => [
      name,
      {
        enumerable: true,
        get(this: unknown) {
          return seriesOf(stateOfResult(this), which);
        },
      },
    ]),
  ),
};

/** A result's value where it was read (its array), else undefined. */
function madeValue(state: ResultState): Float64Array | undefined {
  const v = state.value;
  return v === undefined || ArrayBuffer.isView(v) ? v : v.data;
}

/** `backtestStats`' result: one column's numbers, or a Vector per field for several (the fields `F` asked for). */
export type BacktestStatsResult<F extends StatField = StatField> = Pick<BacktestStats, F> | BacktestStatsColumns<F>;
/** backtestStats of several columns (or groups): one labelled Vector per field, a value a column. */
export type BacktestStatsColumns<F extends StatField = StatField> = { [K in F]: Vector };

export interface BacktestKernels<A extends boolean = false> {
  /**
   * vectorbt 1.1.0's `Portfolio.from_signals`: entries and exits (T x K, or one series; a close of
   * one column serves K strategies) into orders at the close (or `price`), with fees, slippage,
   * stops and vectorbt's rules for opposite entries and accumulation (docs/backtest.md).
   */
  backtestSignals(prices: BacktestPrices, options: SignalsOptions): Returned<A, BacktestResult>;
  /** vectorbt 1.1.0's `Portfolio.from_orders`: one order per element of `size` (NaN none), of `sizeType`. */
  backtestOrders(prices: BacktestPrices, options: OrdersOptions): Returned<A, BacktestResult>;
  /**
   * vectorbt 1.1.0's `Portfolio.stats()` of a backtest's result, per column (or group): a number per
   * field for one column, a Float64Array per field (labelled by the columns) for several. Fractions,
   * not %; durations in bars; `periodsPerYear` (default 365: vectorbt's year of 365 days over daily
   * bars) annualizes the Sharpe, Calmar and Sortino ratios. `fields` (default all): only these are
   * computed and returned, and only the work they need is done (`['totalReturn', 'sharpeRatio']` over
   * a grid of thousands of columns). Definitions: docs/backtest.md.
   */
  backtestStats<F extends StatField = StatField>(
    result: BacktestResult,
    options?: { periodsPerYear?: number; fields?: readonly F[] },
  ): Returned<A, BacktestStatsResult<F>>;
}

/**
 * The initial cash of each value group: its cash groups' (a cash group lies in one value group), summed
 * in column order. With each value group a cash group (cash sharing, or neither groups nor sharing) it
 * is the simulation's own array (kept by the resolve: the result's `initCash` is a copy of it).
 */
function valueGroupCash(sim: ResolvedBacktest['sim'], valueGroups: Int32Array): Float64Array {
  if (valueGroups === sim.groupLens) return sim.initCash;
  const initCash = new Float64Array(valueGroups.length);
  // the cash group of column c, and the column its next one starts at
  let cashGroup = 0;
  let next = sim.groupLens[0];
  for (let g = 0, col = 0; g < valueGroups.length; col += valueGroups[g++]) {
    for (let c = col; c < col + valueGroups[g]; c++) {
      let starts = c === col;
      for (; c >= next; starts = true) next += sim.groupLens[++cashGroup];
      if (starts) initCash[g] += sim.initCash[cashGroup];
    }
  }
  return initCash;
}

/** The result of a backend's output for `r`: its series made by the backend's call at their first read (into `r.out` at once where given). */
function shapeResult(r: ResolvedBacktest, out: SimulationOutput): BacktestResult {
  const { sim, valueGroups } = r;
  const initCash = valueGroupCash(sim, valueGroups);
  const { orders, trades } = out;
  const input = new ResultSeriesInput(sim.rows, sim.cols, sim.close, valueGroups, initCash, orders);
  const state = new ResultState(r, input, out.series, trades);
  if (r.out) {
    // all three at the call, into `out`, in one pass
    out.series(input, r.out);
    SERIES.forEach((name, which) => (state[name] = wrapSeries(state, (r.out as SimulationSeries)[name], which)));
  }
  const result = resultObject();
  result.orders = orders;
  result.trades = trades;
  Object.defineProperty(result, STATE, { value: state });
  return Object.defineProperties(result, RESULT_PROPERTIES) as unknown as BacktestResult;
}

function backtestCall(prices: BacktestPrices, options: SignalsOptions | OrdersOptions, kind: number): Call<BacktestResult> {
  const r = resolveBacktest(prices, options as SignalsOptions & OrdersOptions, kind);
  return {
    size: r.sim.rows * r.sim.cols,
    call: (f: BacktestFamily) => (kind === SIM_SIGNALS ? f.backtestSignals : f.backtestOrders)(r.sim, r.valueGroups),
    shape: (out: SimulationOutput) => shapeResult(r, out),
  };
}

/** A random walk of T closes in `cols` columns and sparse signals, for the sampled parity suite. */
function sampleCase(s: Sampler, kind: 'signals' | 'orders'): readonly unknown[] {
  const T = s.int(2, 60);
  const K = s.int(1, 4);
  const closeCols = s.pick(1, K);
  const close = s.matrix(T, closeCols, () => 0);
  for (let c = 0; c < closeCols; c++) {
    let p = s.uniform(5, 50);
    for (let i = 0; i < T; i++) close.data[i * closeCols + c] = p = s.random() < 0.03 ? NaN : Math.abs(p * (1 + 0.05 * s.normal())) || 1;
  }
  const signal = (rate: number) => s.matrix(T, K, () => (s.random() < rate ? 1 : 0));
  const common = { fees: s.pick(0, 0.001, 0.01), slippage: s.pick(0, 0.0005), fixedFees: s.pick(0, 0.1) };
  if (kind === 'orders') {
    const size = s.matrix(T, K, () => (s.random() < 0.4 ? s.uniform(-3, 3) : NaN));
    return [{ close }, { ...common, size, direction: s.pick('long', 'short', 'both') }];
  }
  return [
    { close },
    {
      ...common,
      entries: signal(0.15),
      exits: signal(0.15),
      direction: s.pick('long', 'short', 'both'),
      accumulate: s.pick(false, true),
      slStop: s.pick(NaN, 0.05),
      tpStop: s.pick(NaN, 0.08),
    },
  ];
}

/** One descriptor per kernel of the backtest family. */
export const BACKTEST_KERNELS = {
  backtestSignals: {
    params: [],
    records: { sim: SIMULATION },
    options: SIGNALS_OPTIONS,
    sample: (s: Sampler) => sampleCase(s, 'signals'),
    api(prices: BacktestPrices, options: SignalsOptions) {
      requireKnownOptions(BACKTEST_KERNELS.backtestSignals, options);
      return backtestCall(prices, options, SIM_SIGNALS);
    },
  },
  backtestOrders: {
    params: [],
    records: { sim: SIMULATION },
    options: ORDERS_OPTIONS,
    sample: (s: Sampler) => sampleCase(s, 'orders'),
    api(prices: BacktestPrices, options: OrdersOptions) {
      requireKnownOptions(BACKTEST_KERNELS.backtestOrders, options);
      return backtestCall(prices, options, SIM_ORDERS);
    },
  },
  backtestStats: {
    params: [],
    records: { input: STATS_INPUT },
    options: ['periodsPerYear', 'fields'],
    api(result: BacktestResult, options: { periodsPerYear?: number; fields?: readonly StatField[] } = {}) {
      requireKnownOptions(BACKTEST_KERNELS.backtestStats, options);
      const parts = stateOfResult(result);
      const periods = resolvePeriodsPerYear(options);
      const fields = resolveStatFields(options);
      // the result's value where it was read and a field reads it; else the backend makes each value
      // group's from the records where a field reads it, and keeps none (the T x G series never in memory)
      const value = (fields.mask & VALUE_STATS) !== 0 ? (madeValue(parts) ?? EMPTY) : EMPTY;
      const input: StatsInput = { ...parts.input, value, trades: parts.trades };
      return {
        size: input.rows * input.cols,
        call: (f: BacktestFamily) => f.backtestStats(input, periods, fields.mask),
        shape: (rows: Float64Array) => statsResult(rows, input.groupLens.length, seriesColumns(parts.r, 2), fields.names),
      } satisfies Call<BacktestStatsResult>;
    },
  },
} as const;

/**
 * The stats rows (G x STAT_FIELDS) as the API returns them, the fields `names` only: numbers for one
 * group, labelled Vectors for several.
 */
function statsResult(
  rows: Float64Array,
  G: number,
  columns: readonly string[] | undefined,
  names: readonly StatField[],
): BacktestStatsResult {
  const F = STAT_FIELDS.length;
  const at = names.map((field) => STAT_FIELDS.indexOf(field));
  if (G === 1) return Object.fromEntries(names.map((field, i) => [field, rows[at[i]]])) as unknown as BacktestStats;
  return Object.fromEntries(
    names.map((field, i) => [
      field,
      labelVector(
        Float64Array.from({ length: G }, (_, g) => rows[g * F + at[i]]),
        columns,
      ),
    ]),
  ) as unknown as BacktestStatsResult;
}
