/**
 * The indicators as the API offers them (IndicatorsKernels) and one descriptor per indicator
 * (INDICATORS_KERNELS, see descriptor.ts): the columns it reads, its packed parameters (TA-Lib's
 * options in camelCase, with TA-Lib's defaults and ranges), its outputs (each rows x cols) and `api`.
 * The family's shapes, warm-up and NaN rule: indicators.ts.
 */
import { packedOutput, requireKnownOptions, type Outputs, type OutputSpec, type Returned } from '../descriptor.js';
import { columnSplit, type ColumnsOf } from '../labels.js';
import type { Matrix, Series } from '../matrix.js';
import { atLeast, checkParam, code, finite, int, option, type RuledParam } from '../param-rules.js';
import type { Sampler } from '../sample.js';
import { KernelInputError } from '../../errors.js';
import { requireOut } from '../validate.js';
import { gridColumns, gridOutputs, isGrid, type ParamGrid, resolveGrid } from './grid.js';
import {
  type BarField,
  type Bars,
  freshOutput,
  type IndicatorName,
  type IndicatorsFamily,
  resolveBars,
  type ResolvedBars,
} from './indicators.js';

/** A TA-Lib period: an integer in [lo, 100000]. */
const period = (key: string, lo: number) => option(key, int(lo, 100000));

/** Each packed parameter with TA-Lib's default. */
type Param = readonly [spec: RuledParam, fallback: number | string];

/**
 * TA-Lib's moving averages an MA type option names, in TA_MAType's order (packed as that number);
 * MAMA and T3 (7 and 8) are not computed here.
 */
export const MA_TYPES = ['sma', 'ema', 'wma', 'dema', 'tema', 'trima', 'kama'] as const;
/** An MA type: its name, or TA_MAType's number (0 SMA, 1 EMA, 2 WMA, 3 DEMA, 4 TEMA, 5 TRIMA, 6 KAMA). */
export type MaType = (typeof MA_TYPES)[number] | 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** An MA type given as TA_MAType's number (0 .. 6, as python talib takes it) by its name; any other value as it is. */
const maName = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < MA_TYPES.length ? MA_TYPES[value] : value;

/** The packed value of `param` from `options` (the option checked by its rule), else its default. */
function paramValue([p, fallback]: Param, options: Record<string, unknown> | undefined): number {
  const given = options?.[p.key];
  return checkParam(p, (p.rule.kind === 'code' ? maName(given) : given) ?? fallback);
}

/** An MA type option, TA-Lib's SMA by default. */
const maType = (key: string): Param => [option(key, code(MA_TYPES)), 'sma'];

/**
 * A period option: one period, or an array of periods (a grid: a Matrix with a column per period,
 * src/kernels/indicators/grid.ts; several arrays in one call are zipped, of one length).
 */
export type Period = number | readonly number[] | Int32Array;

/** Options of an indicator with a time period. */
export interface PeriodOptions {
  timePeriod?: Period;
}
export interface MacdOptions {
  fastPeriod?: Period;
  slowPeriod?: Period;
  signalPeriod?: Period;
}
export interface BbandsOptions {
  timePeriod?: Period;
  nbDevUp?: number;
  nbDevDn?: number;
  maType?: MaType;
}
export interface StochfOptions {
  fastKPeriod?: Period;
  fastDPeriod?: Period;
  fastDMAType?: MaType;
}
export interface StochRsiOptions {
  timePeriod?: Period;
  fastKPeriod?: Period;
  fastDPeriod?: Period;
  fastDMAType?: MaType;
}
export interface AdoscOptions {
  fastPeriod?: Period;
  slowPeriod?: Period;
}
export interface SarOptions {
  acceleration?: number;
  maximum?: number;
}
export interface UltoscOptions {
  timePeriod1?: Period;
  timePeriod2?: Period;
  timePeriod3?: Period;
}
export interface StochOptions {
  fastKPeriod?: Period;
  slowKPeriod?: Period;
  slowKMAType?: MaType;
  slowDPeriod?: Period;
  slowDMAType?: MaType;
}

/** An indicator's result for input R: the series or panel itself, or its named outputs (T). */
type ResultOf<R extends Series, T> = T extends Record<string, unknown> ? { [K in keyof T]: ColumnsOf<R> } : ColumnsOf<R>;

/** The options of O given in P as arrays (a grid), never when none is (`out` is not one of O's). */
type Listed<P, O> = { [K in keyof P & keyof O]-?: P[K] extends ArrayLike<number> ? K : never }[keyof P & keyof O];

/** The result for input R and options P of O: a grid's Matrices when an option is an array, else ResultOf<R>. */
type Shaped<P, O, R extends Series, T> = [P] extends [never]
  ? ResultOf<R, T>
  : [Listed<P, O>] extends [never]
    ? ResultOf<R, T>
    : ResultOf<Matrix, T>;

/**
 * `out`: a result of an earlier call of the same indicator and shape, its arrays as returned, filled
 * again in place (an engine recomputing every bar allocates nothing; the values returned are views
 * of it). It may share no memory with the inputs.
 */
export interface OutOption<R> {
  out?: R;
}

/**
 * An indicator of closes: a series gives a series, a panel a panel with its labels; with a period
 * option given as an array (a grid), a T x (P x N) Matrix (src/kernels/indicators/grid.ts).
 */
export type CloseIndicator<A extends boolean, O, T = ColumnsOf<Series>> = <R extends Series, P extends O = O>(
  close: R,
  options?: P & OutOption<Shaped<P, O, R, T>>,
) => Returned<A, Shaped<P, O, R, T>>;

/** An indicator of bars ({ high, low, close, volume }, the fields it reads), shaped as `CloseIndicator`. */
export type BarsIndicator<A extends boolean, F extends BarField, O, T = ColumnsOf<Series>> = <R extends Series, P extends O = O>(
  bars: { [K in F]: R },
  options?: P & OutOption<Shaped<P, O, R, T>>,
) => Returned<A, Shaped<P, O, R, T>>;

/** Outputs of several series: their names. */
type Named<K extends string> = Record<K, unknown>;

/**
 * TA-Lib's indicators (TA-Lib 0.6.0 C, as python `talib` returns them: NaN over the warm-up; the
 * family's rules in src/kernels/indicators/indicators.ts). Each also exists as `<name>Async`. Each
 * period option also takes an array of periods: a grid, one column a period (and symbol), equal bit
 * for bit to the single calls (src/kernels/indicators/grid.ts).
 */
export interface IndicatorsKernels<A extends boolean = false> {
  /** TA-Lib SMA: the mean of the last `timePeriod` closes (default 30, in [2, 100000]), a running sum. */
  sma: CloseIndicator<A, PeriodOptions>;
  /**
   * TA-Lib EMA (default period 30): seeded by the SMA of the first `timePeriod` closes, then
   * `e = (x - e) * k + e` with k = 2 / (timePeriod + 1).
   */
  ema: CloseIndicator<A, PeriodOptions>;
  /**
   * TA-Lib RSI (default period 14): Wilder's averages of gains and losses, seeded by their plain
   * means over the first `timePeriod` moves, then `a = (a * (n - 1) + x) / n`; 100 g / (g + l), and 0
   * where g + l is zero (TA-Lib's |x| < 1e-14).
   */
  rsi: CloseIndicator<A, PeriodOptions>;
  /**
   * TA-Lib MACD (12, 26, 9): the fast EMA minus the slow EMA, the fast one seeded by the SMA of the
   * `fastPeriod` closes that end where the slow one starts (TA-Lib aligns them), the signal an EMA of
   * the MACD, `hist` their difference; all three start at slowPeriod + signalPeriod - 2. A slow period
   * below the fast one is swapped with it, as TA-Lib does. signalPeriod is at least 2: TA-Lib accepts 1
   * but its output is then undefined (it reads before its buffer: its EMA lookback of 1 is -1).
   */
  macd: CloseIndicator<A, MacdOptions, Named<'macd' | 'signal' | 'hist'>>;
  /**
   * TA-Lib BBANDS (period 5, nbDevUp 2, nbDevDn 2, maType 'sma'): the middle band the MA, the bands
   * the middle plus and minus nbDev times the population deviation sqrt(E[x^2] - mean^2) (0 where
   * that is below 1e-14): with the SMA from a running sum of squares less the squared SMA, with
   * another MA TA_STDDEV's running sums from the MA's first value.
   */
  bbands: CloseIndicator<A, BbandsOptions, Named<'upper' | 'middle' | 'lower'>>;
  /** TA-Lib TRANGE: max(high - low, |high - previous close|, |low - previous close|), from the second bar. */
  trange: BarsIndicator<A, 'high' | 'low' | 'close', never>;
  /**
   * TA-Lib ATR (default period 14, in [1, 100000]): Wilder's average of the true range, seeded by the
   * mean of the first `timePeriod` true ranges (bars 1 .. n), `a = (a * (n - 1) + tr) / n`.
   */
  atr: BarsIndicator<A, 'high' | 'low' | 'close', PeriodOptions>;
  /**
   * TA-Lib ADX (default period 14): Wilder's sums of +DM, -DM and the true range, DX = 100 |+DI - -DI|
   * / (+DI + -DI), the ADX seeded by the mean DX of the first `timePeriod` and smoothed as Wilder's
   * average; a DX TA-Lib cannot form (a zero range or zero DI sum) leaves the ADX as it was.
   */
  adx: BarsIndicator<A, 'high' | 'low' | 'close', PeriodOptions>;
  /**
   * TA-Lib STOCH (fastKPeriod 5, slowKPeriod 3, slowDPeriod 3, both MA types 'sma'): fast %K =
   * (close - lowest low) / ((highest high - lowest low) / 100), 0 where that range is 0; slow %K its
   * MA of slowKMAType, %D the MA of slowDMAType of slow %K (a period of 1: the series itself).
   */
  stoch: BarsIndicator<A, 'high' | 'low' | 'close', StochOptions, Named<'k' | 'd'>>;
  /** TA-Lib WMA (default period 30): weights 1 .. timePeriod, TA-Lib's running weighted and plain sums. */
  wma: CloseIndicator<A, PeriodOptions>;
  /** TA-Lib DEMA (default period 30): 2 EMA - EMA(EMA), each EMA seeded by an SMA; from 2 (period - 1). */
  dema: CloseIndicator<A, PeriodOptions>;
  /** TA-Lib TEMA (default period 30): EMA3 + (3 EMA1 - 3 EMA2), each the EMA of the one before; from 3 (period - 1). */
  tema: CloseIndicator<A, PeriodOptions>;
  /** TA-Lib TRIMA (default period 30): the triangular average as TA-Lib's two running half sums give it. */
  trima: CloseIndicator<A, PeriodOptions>;
  /**
   * TA-Lib KAMA (default period 30): Kaufman's adaptive average, the efficiency ratio over
   * `timePeriod` moves between the fastest (2) and slowest (30) EMA weights, squared; from the
   * close at timePeriod - 1.
   */
  kama: CloseIndicator<A, PeriodOptions>;
  /**
   * TA-Lib NATR (default period 14): 100 ATR / close, 0 where the close is 0 (and, as TA-Lib does,
   * a later zero close leaves that bar NaN and sets the first value to 0).
   */
  natr: BarsIndicator<A, 'high' | 'low' | 'close', PeriodOptions>;
  /** TA-Lib STOCHF (fastKPeriod 5, fastDPeriod 3, fastDMAType 'sma'): fast %K as in stoch, %D its MA. */
  stochf: BarsIndicator<A, 'high' | 'low' | 'close', StochfOptions, Named<'k' | 'd'>>;
  /** TA-Lib STOCHRSI (timePeriod 14, fastKPeriod 5, fastDPeriod 3, fastDMAType 'sma'): stochf of the RSI series. */
  stochRsi: CloseIndicator<A, StochRsiOptions, Named<'k' | 'd'>>;
  /** TA-Lib ADXR (default period 14): (ADX + the ADX timePeriod - 1 bars before) / 2. */
  adxr: BarsIndicator<A, 'high' | 'low' | 'close', PeriodOptions>;
  /**
   * TA-Lib PLUS_DI (default period 14): 100 (+DM) / TR of Wilder's sums, 0 where TR is 0; with
   * timePeriod 1 TA-Lib's +DM / TR of the bar (not times 100).
   */
  plusDi: BarsIndicator<A, 'high' | 'low' | 'close', PeriodOptions>;
  /** TA-Lib MINUS_DI (default period 14): plusDi's rules for -DM. */
  minusDi: BarsIndicator<A, 'high' | 'low' | 'close', PeriodOptions>;
  /**
   * TA-Lib CCI (default period 14): (tp - mean) / (0.015 mean deviation) of the typical price
   * (h + l + c) / 3, 0 where either is 0.
   */
  cci: BarsIndicator<A, 'high' | 'low' | 'close', PeriodOptions>;
  /**
   * TA-Lib MFI (default period 14): 100 positive / (positive + negative) money flow (typical price
   * times volume, by its move), 0 where the sum is below 1 (TA-Lib's rule).
   */
  mfi: BarsIndicator<A, 'high' | 'low' | 'close' | 'volume', PeriodOptions>;
  /** TA-Lib OBV: from volume[0], adding the volume on a rising close and subtracting it on a falling one. */
  obv: BarsIndicator<A, 'close' | 'volume', never>;
  /** TA-Lib AD: the running sum of ((c - l) - (h - c)) / (h - l) volume, nothing added where h - l is not above 0. */
  ad: BarsIndicator<A, 'high' | 'low' | 'close' | 'volume', never>;
  /**
   * TA-Lib ADOSC (fastPeriod 3, slowPeriod 10): EMA(AD) fast less slow, both seeded by the first AD
   * value and written k ad + (1 - k) e; from the longer period - 1.
   */
  adosc: BarsIndicator<A, 'high' | 'low' | 'close' | 'volume', AdoscOptions>;
  /** TA-Lib ROC (default period 10): (close / close timePeriod bars before - 1) 100, 0 where that close is 0. */
  roc: CloseIndicator<A, PeriodOptions>;
  /** TA-Lib MOM (default period 10): close - the close timePeriod bars before. */
  mom: CloseIndicator<A, PeriodOptions>;
  /** TA-Lib WILLR (default period 14): -100 (highest - close) / (highest - lowest), 0 where the range is 0. */
  willr: BarsIndicator<A, 'high' | 'low' | 'close', PeriodOptions>;
  /**
   * TA-Lib AROON (default period 14): 100 (timePeriod - bars since the lowest low, resp. highest high)
   * / timePeriod over the last timePeriod + 1 bars, the latest extreme on ties.
   */
  aroon: BarsIndicator<A, 'high' | 'low', PeriodOptions, Named<'down' | 'up'>>;
  /** TA-Lib AROONOSC (default period 14): aroon up less down. */
  aroonOsc: BarsIndicator<A, 'high' | 'low', PeriodOptions>;
  /**
   * TA-Lib SAR (acceleration 0.02, maximum 0.2): Wilder's parabolic SAR with TA-Lib's start: long
   * unless bar 1's -DM is positive, the SAR starting at bar 0's low (resp. high); from bar 1.
   */
  sar: BarsIndicator<A, 'high' | 'low', SarOptions>;
  /**
   * TA-Lib ULTOSC (7, 14, 28; TA-Lib sorts them): 100 (4 A1 + 2 A2 + A3) / 7 of the ratios of
   * buying pressure to true range over the three periods.
   */
  ultosc: BarsIndicator<A, 'high' | 'low' | 'close', UltoscOptions>;
}

/** A random walk of closes around 100, with a leading NaN now and then (a symbol listed late). */
function walk(s: Sampler, rows: number, cols: number, late: number): Float64Array {
  const data = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    let x = 100;
    for (let t = 0; t < rows; t++) {
      x *= 1 + 0.02 * s.normal();
      data[t * cols + c] = t < late && c === 0 ? NaN : Math.round(x * 100) / 100;
    }
  }
  return data;
}

/** Seeded bars for an indicator reading `fields`: a series or a panel, high >= close >= low. */
function sampleBars(s: Sampler, fields: readonly BarField[]): unknown {
  const rows = s.int(0, 90);
  const cols = s.random() < 0.4 ? 0 : s.int(1, 4);
  const n = Math.max(cols, 1);
  const late = s.random() < 0.3 ? s.int(1, 10) : 0;
  const close = walk(s, rows, n, late);
  const high = close.map((x) => x * (1 + 0.01 * s.random()));
  const low = close.map((x) => x * (1 - 0.01 * s.random()));
  const volume = close.map(() => Math.round(1000 * s.random()));
  const series: Record<BarField, Float64Array> = { high, low, close, volume };
  const shaped = (x: Float64Array) => (cols === 0 ? s.view(x) : { data: s.view(x), rows, cols });
  if (fields.length === 1 && fields[0] === 'close') return shaped(close);
  return Object.fromEntries(fields.map((f) => [f, shaped(series[f])]));
}

/**
 * The descriptor of an indicator reading `fields` with the packed parameters `params` (each with
 * TA-Lib's default) and the outputs `outputs` (one: the result is the series or panel itself).
 */
function indicator<const O extends readonly string[]>(name: string, fields: readonly BarField[], params: readonly Param[], outputs: O) {
  const specs = params.map(([spec]) => spec);
  const spec = {
    /** The bar fields it reads (['close']: a series or panel of prices). */
    fields,
    params: specs,
    signature: `${fields.map((f) => `${f}[rows x cols]`).join(', ')}, rows, cols`,
    outputs: Object.fromEntries(outputs.map((o) => [o, ['T', 'N'] as const])) as { [K in O[number]]: readonly ['T', 'N'] },
    dims: { T: 'rows', N: 'cols' },
    options: [...specs.map((p) => p.key), 'out'],
    arity: fields.length + 2 + params.length,
    sample: (s: Sampler) => {
      // an MA type option now and then (TA-Lib's SMA otherwise), and now and then a grid: some period
      // options as arrays of one length (zipped) of small periods
      const types = specs.filter((p) => p.rule.kind === 'code' && s.random() < 0.5);
      const options: Record<string, unknown> = Object.fromEntries(types.map((p) => [p.key, s.pick(...MA_TYPES)]));
      const periods = specs.filter((p) => p.rule.kind === 'int');
      if (periods.length > 0 && s.random() < 0.3) {
        const count = s.int(1, 4);
        for (const p of periods.filter((_, j) => j === 0 || s.random() < 0.5)) {
          const lo = p.rule.kind === 'int' ? p.rule.lo : 1;
          const list = Array.from({ length: count }, () => s.int(lo, lo + 8));
          options[p.key] = s.random() < 0.2 ? Int32Array.from(list) : list;
        }
      }
      return [sampleBars(s, fields), options];
    },
    api(input: Series | Bars, options?: Record<string, unknown>) {
      requireKnownOptions(spec, options);
      const bars = resolveBars(input, fields);
      if (isGrid(specs, options)) {
        const grid = resolveGrid(specs, options!, (j) => paramValue(params[j], options));
        return gridCall(name, spec, bars, grid, outputs, options?.out);
      }
      const values = params.map((param) => paramValue(param, options));
      const { rows, cols } = bars.shape;
      const given = options?.out;
      let out: Float64Array | undefined;
      if (given !== undefined) {
        // one output: the result is that output itself
        const result = outputs.length === 1 ? { [outputs[0]]: given } : given;
        const packed = packedOutput(spec, { T: rows, N: cols }, result, 'options.out', name);
        out = given instanceof Float64Array ? given : packed; // a series' one output: returned as it was given

        requireOut(out, Float64Array, out.length, bars.columns);
      } else {
        out = freshOutput(rows * cols * outputs.length);
      }
      return {
        size: rows * cols,
        args: [...bars.columns, rows, cols, ...values],
        out,
        split: columnSplit(bars.input, bars.shape),
        shape: outputs.length === 1 ? (o: Outputs) => o[outputs[0]] : (o: Outputs) => (given as Outputs | undefined) ?? o,
      };
    },
  } as const;
  return spec;
}

/** The most values a grid's outputs may hold together: one array of 4 GB (Node's largest Buffer, freshOutput's memory). */
const MAX_GRID_VALUES = 2 ** 29;

/**
 * The Call of indicator `name` over the parameter sets of `grid` (src/kernels/indicators/grid.ts):
 * the backend's `grid` into one output array (each output rows x (P x cols), in the descriptor's
 * order: the single call's layout with P x cols columns), or into `given` (options.out: a result of
 * the same grid call, filled again in place), shaped as labelled Matrices.
 */
function gridCall(name: string, spec: OutputSpec, bars: ResolvedBars, grid: ParamGrid, outputs: readonly string[], given: unknown) {
  const { rows, cols } = bars.shape;
  const width = grid.count * cols;
  const length = rows * width * outputs.length;
  if (length > MAX_GRID_VALUES) {
    throw new KernelInputError(grid.option, 'a grid whose outputs fit in one array of 4 GB (2^29 values)', `${length} values`);
  }
  let out: Float64Array;
  if (given !== undefined) {
    const result = outputs.length === 1 ? { [outputs[0]]: given } : given;
    out = packedOutput(spec, { T: rows, N: width }, result, 'options.out', name);
    requireOut(out, Float64Array, out.length, bars.columns);
  } else {
    out = freshOutput(length);
  }
  const columns = gridColumns(name, grid, cols, bars.shape.columns);
  return {
    size: rows * width,
    via: 'grid',
    call: (f: IndicatorsFamily) => f.grid(name as IndicatorName, bars.columns, rows, cols, grid.sets, grid.count, out),
    shape: (filled: Float64Array) => {
      if (given !== undefined) return given;
      const o = gridOutputs(outputs, filled, rows, width, columns, bars.shape.index);
      return outputs.length === 1 ? o[outputs[0]] : o;
    },
  };
}

const CLOSE = ['close'] as const;
const HLC = ['high', 'low', 'close'] as const;
const HL = ['high', 'low'] as const;
const HLCV = ['high', 'low', 'close', 'volume'] as const;

/** One descriptor per indicator (TA-Lib's parameter names in camelCase, its defaults and ranges). */
export const INDICATORS_KERNELS = {
  sma: indicator('sma', CLOSE, [[period('timePeriod', 2), 30]], ['value']),
  ema: indicator('ema', CLOSE, [[period('timePeriod', 2), 30]], ['value']),
  wma: indicator('wma', CLOSE, [[period('timePeriod', 2), 30]], ['value']),
  dema: indicator('dema', CLOSE, [[period('timePeriod', 2), 30]], ['value']),
  tema: indicator('tema', CLOSE, [[period('timePeriod', 2), 30]], ['value']),
  trima: indicator('trima', CLOSE, [[period('timePeriod', 2), 30]], ['value']),
  kama: indicator('kama', CLOSE, [[period('timePeriod', 2), 30]], ['value']),
  rsi: indicator('rsi', CLOSE, [[period('timePeriod', 2), 14]], ['value']),
  macd: indicator(
    'macd',
    CLOSE,
    [
      [period('fastPeriod', 2), 12],
      [period('slowPeriod', 2), 26],
      [period('signalPeriod', 2), 9], // TA-Lib takes 1 but then reads outside its buffer (EMA_Lookback(1) is -1)
    ],
    ['macd', 'signal', 'hist'],
  ),
  bbands: indicator(
    'bbands',
    CLOSE,
    [[period('timePeriod', 2), 5], [option('nbDevUp', finite()), 2], [option('nbDevDn', finite()), 2], maType('maType')],
    ['upper', 'middle', 'lower'],
  ),
  atr: indicator('atr', HLC, [[period('timePeriod', 1), 14]], ['value']),
  natr: indicator('natr', HLC, [[period('timePeriod', 1), 14]], ['value']),
  trange: indicator('trange', HLC, [], ['value']),
  stoch: indicator(
    'stoch',
    HLC,
    [
      [period('fastKPeriod', 1), 5],
      [period('slowKPeriod', 1), 3],
      maType('slowKMAType'),
      [period('slowDPeriod', 1), 3],
      maType('slowDMAType'),
    ],
    ['k', 'd'],
  ),
  stochf: indicator('stochf', HLC, [[period('fastKPeriod', 1), 5], [period('fastDPeriod', 1), 3], maType('fastDMAType')], ['k', 'd']),
  stochRsi: indicator(
    'stochRsi',
    CLOSE,
    [[period('timePeriod', 2), 14], [period('fastKPeriod', 1), 5], [period('fastDPeriod', 1), 3], maType('fastDMAType')],
    ['k', 'd'],
  ),
  adx: indicator('adx', HLC, [[period('timePeriod', 2), 14]], ['value']),
  adxr: indicator('adxr', HLC, [[period('timePeriod', 2), 14]], ['value']),
  plusDi: indicator('plusDi', HLC, [[period('timePeriod', 1), 14]], ['value']),
  minusDi: indicator('minusDi', HLC, [[period('timePeriod', 1), 14]], ['value']),
  cci: indicator('cci', HLC, [[period('timePeriod', 2), 14]], ['value']),
  mfi: indicator('mfi', HLCV, [[period('timePeriod', 2), 14]], ['value']),
  obv: indicator('obv', ['close', 'volume'], [], ['value']),
  ad: indicator('ad', HLCV, [], ['value']),
  adosc: indicator(
    'adosc',
    HLCV,
    [
      [period('fastPeriod', 2), 3],
      [period('slowPeriod', 2), 10],
    ],
    ['value'],
  ),
  roc: indicator('roc', CLOSE, [[period('timePeriod', 1), 10]], ['value']),
  mom: indicator('mom', CLOSE, [[period('timePeriod', 1), 10]], ['value']),
  willr: indicator('willr', HLC, [[period('timePeriod', 2), 14]], ['value']),
  aroon: indicator('aroon', HL, [[period('timePeriod', 2), 14]], ['down', 'up']),
  aroonOsc: indicator('aroonOsc', HL, [[period('timePeriod', 2), 14]], ['value']),
  sar: indicator(
    'sar',
    HL,
    [
      [option('acceleration', atLeast(0)), 0.02],
      [option('maximum', atLeast(0)), 0.2],
    ],
    ['value'],
  ),
  ultosc: indicator(
    'ultosc',
    HLC,
    [
      [period('timePeriod1', 1), 7],
      [period('timePeriod2', 1), 14],
      [period('timePeriod3', 1), 28],
    ],
    ['value'],
  ),
} as const satisfies { [K in IndicatorName]: OutputSpec };
