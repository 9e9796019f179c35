/**
 * The caller's prices and options made into a `Simulation` (backtest.ts), each checked with a
 * KernelInputError naming the option: shapes (T x K, T x 1 broadcast, or a scalar), codes, ranges.
 */
import { KernelInputError } from '../../errors.js';
import type { Matrix, Series } from '../matrix.js';
import { describeValue, requireOut } from '../validate.js';
import {
  ACCUMULATION_MODES,
  DIRECTIONS,
  OPPOSITE_ENTRY_MODES,
  SIM_ORDERS,
  SIM_SIGNALS,
  SIZE_TYPES,
  type AccumulationMode,
  type BacktestLabels,
  type Direction,
  type Flex,
  type OppositeEntryMode,
  type Simulation,
  type SimSignals,
  type SimulationSeries,
  type SizeType,
} from './backtest.js';

/** A signal series or panel: non-zero (and not NaN) values are true. */
export type Signals =
  | Float64Array
  | Uint8Array
  | Matrix
  | { readonly data: Uint8Array; readonly rows: number; readonly cols: number; readonly columns?: readonly string[] };
/** A per-element option: one number, or a T-length series / T x K (or T x 1) Matrix. */
export type PerElement = number | Series;

/** Prices of one series (Float64Arrays of T) or a panel (T x K or T x 1 Matrices). */
export interface BacktestPrices {
  close: Series;
  /** Only the stops read open, high and low (a stop that the bar opens past fills at the open). */
  open?: Series;
  high?: Series;
  low?: Series;
}

/** Options both simulations share (vectorbt's names in camelCase and its defaults). */
export interface CommonOptions {
  /** Order price; default Infinity: the bar's close (-Infinity: the bar's open, else the previous close). */
  price?: PerElement;
  /** Fees as a fraction of each order's notional (size x price after slippage); default 0. */
  fees?: PerElement;
  /** A fixed fee per order; default 0. */
  fixedFees?: PerElement;
  /** A fraction moving buys up and sells down, included in the order's price; default 0. */
  slippage?: PerElement;
  /** Orders smaller than this are not placed; default 1e-8. */
  minSize?: PerElement;
  /** Initial cash per column, or per group with cashSharing (a number, or one per column/group); default 100. */
  initCash?: number | Float64Array;
  /** The columns of a group share one cash balance (requires `groups`, or all columns form one group). */
  cashSharing?: boolean;
  /** Group id of each column (0-based, non-decreasing, consecutive); value and cash are reported per group. */
  groups?: Int32Array;
  /** 'auto': each bar, a group's orders run by approximate value, sells first (vectorbt's call_seq='auto'). */
  callSeq?: 'default' | 'auto';
  /**
   * An earlier result of the same shape (of either kernel): its value, cash and assets arrays are
   * written again in place and returned as this result's (the earlier result then holds this one's
   * series), so a loop of large backtests allocates no series: no page faults and no collector work
   * for them. They may share no memory with the inputs. The records are new arrays each call.
   */
  out?: SeriesOut;
}

/** What `out` takes: a result's series (Float64Arrays, or Matrices over them). */
export interface SeriesOut {
  readonly value: Series;
  readonly cash: Series;
  readonly assets: Series;
}

/** Options of `backtestSignals` (vectorbt's Portfolio.from_signals). */
export interface SignalsOptions extends CommonOptions {
  entries?: Signals;
  exits?: Signals;
  /** Given (with shortExits), entries/exits are long signals and `direction` is ignored, as in vectorbt. */
  shortEntries?: Signals;
  shortExits?: Signals;
  /** 'long' (default), 'short' or 'both' (exits are then short entries). */
  direction?: Direction | Matrix;
  /** Default Infinity: all the cash. */
  size?: PerElement;
  sizeType?: 'amount' | 'value' | 'percent';
  /** Add to a position on repeated entries (and reduce it on exits by `size`); default false. */
  accumulate?: AccumulationMode;
  /** What an entry opposite to the position does; default 'reverseReduce'. */
  uponOppositeEntry?: OppositeEntryMode;
  /** Stop-loss as a fraction below (long) or above (short) the entry bar's close; NaN none. */
  slStop?: PerElement;
  /** The stop-loss trails the high (long) or low (short) since the entry. */
  slTrail?: boolean | Matrix;
  /** Take-profit as a fraction; NaN none. */
  tpStop?: PerElement;
}

/** Options of `backtestOrders` (vectorbt's Portfolio.from_orders). */
export interface OrdersOptions extends CommonOptions {
  /** The order of each bar (NaN: none); + buys, - sells. Default Infinity (buy with all the cash). */
  size?: PerElement;
  sizeType?: SizeType;
  /** Default 'both'. */
  direction?: Direction | Matrix;
}

export const COMMON_OPTIONS = [
  'price',
  'fees',
  'fixedFees',
  'slippage',
  'minSize',
  'initCash',
  'cashSharing',
  'groups',
  'callSeq',
  'out',
] as const;
export const SIGNALS_OPTIONS = [
  ...COMMON_OPTIONS,
  'entries',
  'exits',
  'shortEntries',
  'shortExits',
  'direction',
  'size',
  'sizeType',
  'accumulate',
  'uponOppositeEntry',
  'slStop',
  'slTrail',
  'tpStop',
] as const;
export const ORDERS_OPTIONS = [...COMMON_OPTIONS, 'size', 'sizeType', 'direction'] as const;

const scalar = (v: number): Flex => ({ data: Float64Array.of(v), rows: 1, cols: 1 });
const EMPTY: Flex = { data: new Float64Array(0), rows: 0, cols: 0 };
const NO_SIGNALS: Flex<Uint8Array> = { data: new Uint8Array(1), rows: 1, cols: 1 };
const EVERY_BAR: Flex<Uint8Array> = { data: Uint8Array.of(1), rows: 1, cols: 1 };

/** A series or panel's shape (a typed array is one column), or undefined for what is neither. */
function shapeOf(value: unknown): { rows: number; cols: number } | undefined {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return { rows: (value as Float64Array).length, cols: 1 };
  if (typeof value === 'object' && value !== null && 'data' in value) {
    const { rows, cols, data } = value as Matrix;
    if (
      Number.isInteger(rows) &&
      Number.isInteger(cols) &&
      rows >= 0 &&
      cols >= 0 &&
      ArrayBuffer.isView(data) &&
      (data as Float64Array).length === rows * cols
    ) {
      return { rows, cols };
    }
  }
  return undefined;
}

/** The shape every input must broadcast to: T from close, K the widest input. */
interface Target {
  readonly T: number;
  readonly K: number;
}

/** `value` (a Float64Array or Matrix of T rows and 1 or K columns) as a Flex; KernelInputError naming `name`. */
function seriesFlex(value: unknown, name: string, t: Target): Flex {
  const shape = shapeOf(value);
  const data = ArrayBuffer.isView(value) ? value : (value as Matrix | undefined)?.data;
  if (!shape || !(data instanceof Float64Array))
    throw new KernelInputError(name, 'a Float64Array or a Matrix { data, rows, cols } of Float64Array', describeValue(value));
  if (shape.rows !== t.T || (shape.cols !== 1 && shape.cols !== t.K)) {
    throw new KernelInputError(name, `${t.T} rows and 1 or ${t.K} columns`, `${shape.rows} x ${shape.cols}`);
  }
  return { data, rows: shape.rows, cols: shape.cols };
}

/** A per-element option as a Flex, each value checked by `ok` (its text `expected`). */
function perElement(value: unknown, name: string, t: Target, fallback: number, ok: (x: number) => boolean, expected: string): Flex {
  if (value === undefined) return scalar(fallback);
  if (typeof value === 'number') {
    if (!ok(value)) throw new KernelInputError(name, expected, describeValue(value));
    return scalar(value);
  }
  const f = seriesFlex(value, name, t);
  for (let i = 0; i < f.data.length; i++) {
    if (!ok(f.data[i])) throw new KernelInputError(name, `${expected} at every element`, `${describeValue(f.data[i])} at element ${i}`);
  }
  return f;
}

/**
 * A signal input as a Simulation's SimSignals: a typed array as it is (the backend reads it:
 * docs/backtest.md), an Int8Array or Uint8ClampedArray viewed as bytes (non-zero stays non-zero).
 */
function signalFlex(value: unknown, name: string, t: Target): Flex<SimSignals> {
  if (value === undefined) return NO_SIGNALS;
  const shape = shapeOf(value);
  if (!shape) throw new KernelInputError(name, 'a typed array or a Matrix { data, rows, cols } of signals', describeValue(value));
  if (shape.rows !== t.T || (shape.cols !== 1 && shape.cols !== t.K)) {
    throw new KernelInputError(name, `${t.T} rows and 1 or ${t.K} columns`, `${shape.rows} x ${shape.cols}`);
  }
  const data = (ArrayBuffer.isView(value) ? value : (value as Matrix).data) as SimSignals | Int8Array | Uint8ClampedArray;
  if (data instanceof Int8Array || data instanceof Uint8ClampedArray) {
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), rows: shape.rows, cols: shape.cols };
  }
  return { data, rows: shape.rows, cols: shape.cols };
}

/** A name of `list` as its index (a scalar Flex), or a Matrix of codes; KernelInputError otherwise. */
function codeFlex(value: unknown, name: string, list: readonly string[], fallback: string, t: Target): Flex {
  if (value === undefined) value = fallback;
  if (typeof value === 'string') {
    const code = list.indexOf(value);
    if (code < 0) throw new KernelInputError(name, `one of ${list.map((x) => `'${x}'`).join(', ')}`, describeValue(value));
    return scalar(code);
  }
  const ok = (x: number) => Number.isInteger(x) && x >= 0 && x < list.length;
  return perElement(value, name, t, 0, ok, `one of ${list.map((x) => `'${x}'`).join(', ')} or its code 0 .. ${list.length - 1}`);
}

const finiteAtLeast0 = (x: number) => Number.isFinite(x) && x >= 0;
const stopValue = (x: number) => Number.isNaN(x) || (x >= 0 && x !== Infinity);

/**
 * Arrays a call only reads and never hands back (a group per column, the same initial cash for every
 * column), kept for the calls after it (the last few sizes): a call then makes no array of its own
 * beyond its results, so that V8 frees a loop's results with young-generation collections, where a
 * few small arrays a call scavenged twice while the caller still held the previous result, which
 * went to the old generation (docs/backtest.md, "Two threads and the collector").
 */
const KEPT = new Map<string, Int32Array | Float64Array>();
function kept<T extends Int32Array | Float64Array>(key: string, make: () => T): T {
  let a = KEPT.get(key) as T | undefined;
  if (a === undefined) {
    if (KEPT.size >= 8) KEPT.delete(KEPT.keys().next().value as string);
    KEPT.set(key, (a = make()));
  }
  return a;
}
/** One group per column: K ones (kept). */
const onePerColumn = (K: number) => kept(`ones ${K}`, () => new Int32Array(K).fill(1));

/** The columns per group from `groups` (or one group of all columns with cashSharing, each column its own otherwise). */
function groupLens(groups: unknown, K: number, sharing: boolean): Int32Array {
  if (groups === undefined) return sharing ? Int32Array.of(K) : onePerColumn(K);
  if (!(groups instanceof Int32Array) || groups.length !== K) {
    throw new KernelInputError('options.groups', `an Int32Array of ${K} group ids (one per column)`, describeValue(groups));
  }
  const lens: number[] = [];
  for (let k = 0; k < K; k++) {
    const g = groups[k];
    const expected = k === 0 ? 0 : groups[k - 1];
    if (g !== expected && g !== expected + 1) {
      throw new KernelInputError('options.groups', 'ids from 0, non-decreasing, each the last or the next', `${g} at column ${k}`);
    }
    if (g === lens.length) lens.push(0);
    lens[g]++;
  }
  return Int32Array.from(lens);
}

/** The resolved call: the simulation, the value groups, and the labels its outputs carry. */
export interface ResolvedBacktest {
  readonly sim: Simulation;
  readonly valueGroups: Int32Array;
  readonly labels: BacktestLabels;
  /** Every input a single series: the outputs are then Float64Arrays. */
  readonly series: boolean;
  /** The arrays of `out`, checked, or undefined. */
  readonly out?: SimulationSeries;
}

/** The labels of the first labelled Matrix among `values`. */
function labelsFrom(values: readonly unknown[], K: number): BacktestLabels {
  let columns: readonly string[] | undefined;
  let index: BacktestLabels['index'];
  for (const v of values) {
    if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) continue;
    const m = v as Matrix;
    if (!columns && m.columns && m.cols === K) columns = m.columns;
    if (!index && m.index) index = m.index;
  }
  return { ...(columns && { columns }), ...(index && { index }) };
}

/** `backtestSignals`' or `backtestOrders`' arguments resolved (kind SIM_SIGNALS or SIM_ORDERS). */
export function resolveBacktest(prices: BacktestPrices, options: SignalsOptions & OrdersOptions, kind: number): ResolvedBacktest {
  if (typeof prices !== 'object' || prices === null || ArrayBuffer.isView(prices)) {
    throw new KernelInputError('prices', 'an object { close, open?, high?, low? }', describeValue(prices));
  }
  const closeShape = shapeOf(prices.close);
  if (!closeShape)
    throw new KernelInputError('prices.close', 'a Float64Array or a Matrix { data, rows, cols }', describeValue(prices.close));
  const T = closeShape.rows;
  if (T === 0) throw new KernelInputError('prices.close', 'at least 1 row', '0 rows');
  const o = options ?? {};
  const inputs =
    kind === SIM_SIGNALS
      ? [
          o.entries,
          o.exits,
          o.shortEntries,
          o.shortExits,
          o.size,
          o.price,
          o.fees,
          o.fixedFees,
          o.slippage,
          o.minSize,
          o.slStop,
          o.tpStop,
          o.slTrail,
          o.direction,
        ]
      : [o.size, o.price, o.fees, o.fixedFees, o.slippage, o.minSize, o.direction];
  let K = closeShape.cols;
  for (const v of inputs) K = Math.max(K, shapeOf(v)?.cols ?? 1);
  if (closeShape.cols !== 1 && closeShape.cols !== K) {
    throw new KernelInputError('prices.close', `1 or ${K} columns (the options' columns)`, `${closeShape.cols} columns`);
  }
  if (K === 0) throw new KernelInputError('prices.close', 'at least 1 column', '0 columns');
  const t: Target = { T, K };
  const close = seriesFlex(prices.close, 'prices.close', t);
  const bar = (key: 'open' | 'high' | 'low') => {
    const v = prices[key];
    if (v === undefined) return EMPTY;
    const f = seriesFlex(v, `prices.${key}`, t);
    if (f.cols !== close.cols)
      throw new KernelInputError(`prices.${key}`, `the shape of prices.close (${T} x ${close.cols})`, `${f.rows} x ${f.cols}`);
    return f;
  };
  const open = bar('open');
  const high = bar('high');
  const low = bar('low');
  if ((prices.high === undefined) !== (prices.low === undefined)) {
    throw new KernelInputError(
      prices.high === undefined ? 'prices.high' : 'prices.low',
      'given with the other of high and low',
      'undefined',
    );
  }

  const sharing = o.cashSharing ?? false;
  if (typeof sharing !== 'boolean') throw new KernelInputError('options.cashSharing', 'a boolean', describeValue(sharing));
  const valueGroups = groupLens(o.groups, K, sharing);
  const lens = sharing ? valueGroups : onePerColumn(K);
  const initCash = resolveInitCash(o.initCash, lens.length, sharing);
  const callSeq = o.callSeq ?? 'default';
  if (callSeq !== 'default' && callSeq !== 'auto')
    throw new KernelInputError('options.callSeq', "'default' or 'auto'", describeValue(callSeq));

  const signals = kind === SIM_SIGNALS;
  const lsMode = signals && (o.shortEntries !== undefined || o.shortExits !== undefined);
  const sizeTypes = signals ? SIZE_TYPES.slice(0, 3) : SIZE_TYPES;
  const slStop = signals ? perElement(o.slStop, 'options.slStop', t, NaN, stopValue, 'a fraction >= 0, or NaN for none') : scalar(NaN);
  const tpStop = signals ? perElement(o.tpStop, 'options.tpStop', t, NaN, stopValue, 'a fraction >= 0, or NaN for none') : scalar(NaN);
  const slTrail = signals ? resolveFlag(o.slTrail, 'options.slTrail', t) : scalar(0);
  const useStops = signals && !(isNoStop(slStop) && isNoStop(tpStop) && slTrail.data.every((x) => x === 0));
  const sim: Simulation = {
    kind: signals ? SIM_SIGNALS : SIM_ORDERS,
    rows: T,
    cols: K,
    close,
    open,
    high,
    low,
    groupLens: lens,
    initCash,
    autoCallSeq: callSeq === 'auto' ? 1 : 0,
    lsMode: lsMode ? 1 : 0,
    useStops: useStops ? 1 : 0,
    // vectorbt: no signals at all is an entry at every bar (buy and hold)
    entries: !signals
      ? NO_SIGNALS
      : o.entries === undefined && o.exits === undefined && !lsMode
        ? EVERY_BAR
        : signalFlex(o.entries, 'options.entries', t),
    exits: signals ? signalFlex(o.exits, 'options.exits', t) : NO_SIGNALS,
    shortEntries: signals ? signalFlex(o.shortEntries, 'options.shortEntries', t) : NO_SIGNALS,
    shortExits: signals ? signalFlex(o.shortExits, 'options.shortExits', t) : NO_SIGNALS,
    direction: codeFlex(o.direction, 'options.direction', DIRECTIONS, signals ? 'long' : 'both', t),
    size: perElement(
      o.size,
      'options.size',
      t,
      Infinity,
      signals ? (x) => Number.isNaN(x) || x >= 0 : () => true,
      signals ? 'a size >= 0 (or NaN: no order)' : 'a number',
    ),
    sizeType: codeFlex(o.sizeType, 'options.sizeType', sizeTypes, 'amount', t),
    price: perElement(
      o.price,
      'options.price',
      t,
      Infinity,
      (x) => x === -Infinity || !(x <= 0),
      'a price > 0, Infinity (the close), -Infinity (the open) or NaN',
    ),
    fees: perElement(o.fees, 'options.fees', t, 0, finiteAtLeast0, 'a finite fraction >= 0'),
    fixedFees: perElement(o.fixedFees, 'options.fixedFees', t, 0, finiteAtLeast0, 'a finite amount >= 0'),
    slippage: perElement(o.slippage, 'options.slippage', t, 0, finiteAtLeast0, 'a finite fraction >= 0'),
    minSize: perElement(o.minSize, 'options.minSize', t, 1e-8, finiteAtLeast0, 'a finite size >= 0'),
    accumulate: signals ? resolveAccumulate(o.accumulate) : scalar(0),
    uponOppositeEntry: signals
      ? codeFlex(o.uponOppositeEntry, 'options.uponOppositeEntry', OPPOSITE_ENTRY_MODES, 'reverseReduce', t)
      : scalar(4),
    slStop,
    slTrail,
    tpStop,
  };
  const labels = labelsFrom([prices.close, o.entries, o.exits, o.shortEntries, o.shortExits, o.size], K);
  const series =
    inputs.every(
      (v) => v === undefined || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || ArrayBuffer.isView(v),
    ) && ArrayBuffer.isView(prices.close);
  const groups = sharing || o.groups !== undefined ? valueGroups : lens;
  return { sim, valueGroups: groups, labels, series, out: resolveOut(o.out, sim, groups.length) };
}

/** `out`'s arrays, each of its series' length and sharing no memory with the simulation's inputs. */
function resolveOut(out: unknown, sim: Simulation, G: number): SimulationSeries | undefined {
  if (out === undefined) return undefined;
  if (typeof out !== 'object' || out === null)
    throw new KernelInputError('options.out', 'a result of backtestSignals or backtestOrders', describeValue(out));
  const o = out as Record<string, unknown>;
  const inputs: ArrayBufferView[] = [sim.groupLens, sim.initCash];
  for (const f of Object.values(sim)) if (typeof f === 'object' && f !== null && 'data' in f) inputs.push((f as Flex).data);
  const array = (key: 'value' | 'cash' | 'assets', length: number, others: readonly ArrayBufferView[]) => {
    const v = o[key];
    const data = typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && 'data' in v ? (v as Matrix).data : v;
    if (data === undefined)
      throw new KernelInputError(
        'options.out',
        'a result of backtestSignals or backtestOrders ({ value, cash, assets })',
        describeValue(out),
      );
    return requireOut(data, Float64Array, length, [...inputs, ...others], `options.out.${key}`) as Float64Array;
  };
  const value = array('value', sim.rows * G, []);
  const cash = array('cash', sim.rows * G, [value]);
  const assets = array('assets', sim.rows * sim.cols, [value, cash]);
  return { value, cash, assets };
}

const isNoStop = (f: Flex) => f.data.every((x) => Number.isNaN(x));

function resolveFlag(value: unknown, name: string, t: Target): Flex {
  if (value === undefined || typeof value === 'boolean') return scalar(value ? 1 : 0);
  return perElement(value, name, t, 0, (x) => x === 0 || x === 1, 'a boolean, or a Matrix of 0 and 1');
}

function resolveAccumulate(value: unknown): Flex {
  if (value === undefined || typeof value === 'boolean') return scalar(value ? 1 : 0);
  const code = ACCUMULATION_MODES.indexOf(value as (typeof ACCUMULATION_MODES)[number]);
  if (code < 0)
    throw new KernelInputError(
      'options.accumulate',
      `a boolean or one of ${ACCUMULATION_MODES.map((x) => `'${x}'`).join(', ')}`,
      describeValue(value),
    );
  return scalar(code);
}

function resolveInitCash(value: unknown, n: number, sharing: boolean): Float64Array {
  const ok = (x: number) => Number.isFinite(x) && x >= 0;
  if (value === undefined) value = 100;
  if (typeof value === 'number') {
    if (!ok(value)) throw new KernelInputError('options.initCash', 'a finite amount >= 0', describeValue(value));
    const amount = value;
    return kept(`cash ${n} ${Object.is(amount, -0) ? '-0' : amount}`, () => new Float64Array(n).fill(amount));
  }
  if (!(value instanceof Float64Array) || value.length !== n) {
    throw new KernelInputError(
      'options.initCash',
      `a number or a Float64Array of ${n} (one per ${sharing ? 'group' : 'column'})`,
      describeValue(value),
    );
  }
  const bad = value.findIndex((x) => !ok(x));
  if (bad >= 0) throw new KernelInputError('options.initCash', 'finite amounts >= 0', `${describeValue(value[bad])} at ${bad}`);
  return value.slice(); // the result's initial cash the caller's at the call, whatever it does with its array after
}
