/**
 * The backtest family: vectorbt 1.1.0's vectorized backtest (polakowo/vectorbt @ f9897528,
 * `vectorbt/portfolio/nb.py`: simulate_from_signals_nb, simulate_from_orders_nb, get_exit_trades_nb;
 * `base.py`: Portfolio.value/cash/assets and stats), on one price series or a panel, K strategies at
 * once. docs/backtest.md states every convention.
 *
 * The backend call is one record, a `Simulation` (what `resolveSimulation` makes of the caller's
 * prices and options): every per-element argument a `Flex` (vectorbt's flexible indexing: a scalar,
 * a row of K, a column of T, or T x K), the signals as bytes (non-zero true).
 */
import { KernelInputError } from '../../errors.js';
import type { Index } from '../labels.js';
import { describeValue } from '../validate.js';

/**
 * A Simulation's signals, true where non-zero and not NaN: bytes, or the typed array the caller passed,
 * taken as it is (the reference reads its values; the native backend turns it into bytes first, in
 * C++ on its threads: backtestSignalBytes). An Int8Array or Uint8ClampedArray arrives viewed as bytes.
 */
export type SimSignals =
  | Uint8Array
  | Float64Array
  | Float32Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A per-element argument: `data[(rows === 1 ? 0 : i) * cols + (cols === 1 ? 0 : col)]`. */
export interface Flex<A extends SimSignals = Float64Array> {
  readonly data: A;
  readonly rows: number;
  readonly cols: number;
}

/** vectorbt's Direction: LongOnly 0, ShortOnly 1, Both 2. */
export const DIRECTIONS = ['long', 'short', 'both'] as const;
export type Direction = (typeof DIRECTIONS)[number];
/** vectorbt's SizeType, in its order. */
export const SIZE_TYPES = ['amount', 'value', 'percent', 'targetAmount', 'targetValue', 'targetPercent'] as const;
export type SizeType = (typeof SIZE_TYPES)[number];
/** vectorbt's OppositeEntryMode, in its order. */
export const OPPOSITE_ENTRY_MODES = ['ignore', 'close', 'closeReduce', 'reverse', 'reverseReduce'] as const;
export type OppositeEntryMode = (typeof OPPOSITE_ENTRY_MODES)[number];
/** vectorbt's AccumulationMode: Disabled 0 (false), Both 1 (true), AddOnly 2, RemoveOnly 3. */
export const ACCUMULATION_MODES = ['disabled', 'both', 'addOnly', 'removeOnly'] as const;
export type AccumulationMode = (typeof ACCUMULATION_MODES)[number] | boolean;

/** Which simulation: from_signals (0) or from_orders (1). */
export const SIM_SIGNALS = 0;
export const SIM_ORDERS = 1;

/** One backtest as every backend runs it (resolved and checked by the API). */
export interface Simulation {
  readonly kind: typeof SIM_SIGNALS | typeof SIM_ORDERS;
  /** T bars, K columns (strategies). */
  readonly rows: number;
  readonly cols: number;
  /** Prices: close (T x 1 broadcast over K, or T x K); open/high/low the same shape or absent (length 0). */
  readonly close: Flex;
  readonly open: Flex;
  readonly high: Flex;
  readonly low: Flex;
  /** Columns per cash group (each 1 without cash sharing), summing to K. */
  readonly groupLens: Int32Array;
  /** Initial cash per cash group. */
  readonly initCash: Float64Array;
  /** 1: sort each bar's orders of a cash group by their approximate value (sells first), vectorbt's call_seq='auto'. */
  readonly autoCallSeq: number;
  /** from_signals: 1 when short signals were given (direction is then ignored). */
  readonly lsMode: number;
  /** from_signals: 1 when a stop is set anywhere. */
  readonly useStops: number;
  /** Signals (SimSignals: bytes, or the caller's typed array as given). */
  readonly entries: Flex<SimSignals>;
  readonly exits: Flex<SimSignals>;
  readonly shortEntries: Flex<SimSignals>;
  readonly shortExits: Flex<SimSignals>;
  /** Codes and values per element. */
  readonly direction: Flex;
  readonly size: Flex;
  readonly sizeType: Flex;
  readonly price: Flex;
  readonly fees: Flex;
  readonly fixedFees: Flex;
  readonly slippage: Flex;
  readonly minSize: Flex;
  readonly accumulate: Flex;
  readonly uponOppositeEntry: Flex;
  readonly slStop: Flex;
  readonly slTrail: Flex;
  readonly tpStop: Flex;
}

/** vectorbt's order records, in its order (by cash group, then bar, then call sequence). */
export interface OrderRecords {
  readonly id: Float64Array;
  readonly col: Float64Array;
  readonly idx: Float64Array;
  readonly size: Float64Array;
  readonly price: Float64Array;
  readonly fees: Float64Array;
  /** 0 buy, 1 sell. */
  readonly side: Float64Array;
}

/** vectorbt's exit trades (ExitTrades.from_orders), column by column. */
export interface TradeRecords {
  readonly id: Float64Array;
  readonly col: Float64Array;
  readonly size: Float64Array;
  readonly entryIdx: Float64Array;
  readonly entryPrice: Float64Array;
  readonly entryFees: Float64Array;
  readonly exitIdx: Float64Array;
  readonly exitPrice: Float64Array;
  readonly exitFees: Float64Array;
  readonly pnl: Float64Array;
  readonly return: Float64Array;
  /** 0 long, 1 short. */
  readonly direction: Float64Array;
  /** 0 open, 1 closed. */
  readonly status: Float64Array;
  readonly positionId: Float64Array;
}

export const TRADE_FIELDS = [
  'id',
  'col',
  'size',
  'entryIdx',
  'entryPrice',
  'entryFees',
  'exitIdx',
  'exitPrice',
  'exitFees',
  'pnl',
  'return',
  'direction',
  'status',
  'positionId',
] as const;

/** A result's records, as the series and the statistics read them. */
export type OrderColumns = Pick<OrderRecords, 'col' | 'idx' | 'size' | 'price' | 'fees' | 'side'>;

/**
 * What a result's series are made of (vectorbt's Portfolio: its records and its close): the order
 * records, the close they are valued at (filled forward, then backward: vectorbt's fillna_close) and
 * the value groups (columns each, summing to `cols`: the cash groups, or the caller's `groups`).
 */
export interface SeriesInput {
  readonly rows: number;
  readonly cols: number;
  readonly close: Flex;
  /** Columns per value group (each 1 without groups). */
  readonly groupLens: Int32Array;
  /** Initial cash per value group. */
  readonly initCash: Float64Array;
  readonly orders: OrderColumns;
}

/** The series a result makes on request: assets T x K, cash and value T x G (row-major). */
export const SERIES = ['assets', 'cash', 'value'] as const;

/**
 * Makes the series of `input` whose arrays `out` holds (each of its series' length, every element
 * written), in one pass over its records and close.
 */
export type SeriesCall = (input: SeriesInput, out: Partial<SimulationSeries>) => void;

/**
 * What a backend returns: the records, and the call that makes the series from them on request (the
 * backend's own, synchronous on every backend: a result's getters call it).
 */
export interface SimulationOutput {
  readonly orders: OrderRecords;
  readonly trades: TradeRecords;
  readonly series: SeriesCall;
}

/** What the statistics read of a result: what its series are made of, its value (empty when no field asked for reads it) and trades. */
export interface StatsInput extends SeriesInput {
  /**
   * T x G value, or length 0: then a backend makes each value group's from the records where a field
   * reads it (only the drawdowns and the ratios do), the same numbers as the result's `value`.
   */
  readonly value: Float64Array;
  readonly trades: TradeRecords;
}

/** The series' arrays of one result: assets T x K, cash and value T x G (row-major). */
export interface SimulationSeries {
  readonly assets: Float64Array;
  readonly cash: Float64Array;
  readonly value: Float64Array;
}

/**
 * Runs `sim` into its records; `valueGroups` (columns per value group, summing to K) say how the work
 * is shared out (a value group's columns on one thread).
 */
export type SimulationCall = (sim: Simulation, valueGroups: Int32Array) => SimulationOutput;

/** What a backend implementing the family provides: one simulation for both kinds, under each kernel's name. */
export interface BacktestFamily {
  backtestSignals: SimulationCall;
  backtestOrders: SimulationCall;
  /**
   * Portfolio.stats() of each value group: G rows of STAT_FIELDS (backtest-stats.ts), row-major; the
   * fields of `fields` (a mask, bit f STAT_FIELDS[f]; default all) computed, the others NaN.
   */
  backtestStats(input: StatsInput, periodsPerYear: number, fields?: number): Float64Array;
}

/** The faults a simulation raises (the same text on every backend). */
export const SIM_FAULTS = {
  price: 'a finite price > 0 where an order fills',
  longOnly: 'direction long on a column holding a short position',
  shortOnly: 'direction short on a column holding a long position',
  percentReversal: "sizeType 'percent' with a position reversal by signals",
  negativeSize: 'a size >= 0 (signals give the direction)',
  infiniteShort: 'a finite short size (vectorbt: "Attempt to go in short direction infinitely")',
  signalsSizeType: "sizeType 'amount', 'value' or 'percent' (from signals)",
  account: 'cash >= 0, a finite position and debt >= 0, free cash a number before an order (an earlier order overflowed; vectorbt raises)',
  valPrice: 'a valuation price finite and > 0 for a value or target size (vectorbt raises)',
  infiniteLong: 'a finite long size or finite cash (vectorbt: "Attempt to go in long direction infinitely")',
  fill: 'a fill of a finite size > 0 at a finite price > 0 with finite fees (vectorbt raises when it builds the trades)',
} as const;

/** The error a simulation raises at bar `i` of column `col`. */
export function simulationFault(name: string, expected: string, i: number, col: number, value: number): KernelInputError {
  return new KernelInputError(name, expected, `${describeValue(value)} at row ${i}, column ${col}`);
}

/** Labels a result carries: the price's or the signals' (columns and index). */
export interface BacktestLabels {
  readonly columns?: readonly string[];
  readonly index?: Index;
}
