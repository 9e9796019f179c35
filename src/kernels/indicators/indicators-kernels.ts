/**
 * The indicators as the API offers them (IndicatorsKernels) and one descriptor per indicator
 * (INDICATORS_KERNELS, see descriptor.ts): the columns it reads, its packed parameters (TA-Lib's
 * options in camelCase, with TA-Lib's defaults and ranges), its outputs (each rows x cols) and `api`.
 * The family's shapes, warm-up and NaN rule: indicators.ts.
 */
import { requireKnownOptions, type Outputs, type OutputSpec, type Returned } from '../descriptor.js';
import { columnSplit, type ColumnsOf } from '../labels.js';
import type { Series } from '../matrix.js';
import { checkParam, finite, int, option, type RuledParam } from '../param-rules.js';
import type { Sampler } from '../sample.js';
import { type BarField, type Bars, type IndicatorName, resolveBars } from './indicators.js';

/** A TA-Lib period: an integer in [lo, 100000]. */
const period = (key: string, lo: number) => option(key, int(lo, 100000));

/** Each packed parameter with TA-Lib's default. */
type Param = readonly [spec: RuledParam, fallback: number];

/** Options of an indicator with a time period. */
export interface PeriodOptions {
  timePeriod?: number;
}
export interface MacdOptions {
  fastPeriod?: number;
  slowPeriod?: number;
  signalPeriod?: number;
}
export interface BbandsOptions {
  timePeriod?: number;
  nbDevUp?: number;
  nbDevDn?: number;
}
export interface StochOptions {
  fastKPeriod?: number;
  slowKPeriod?: number;
  slowDPeriod?: number;
}

/** An indicator of closes: a series gives a series, a panel a panel with its labels. */
export type CloseIndicator<A extends boolean, O, T = ColumnsOf<Series>> = <R extends Series>(
  close: R,
  options?: O,
) => Returned<A, T extends Record<string, unknown> ? { [K in keyof T]: ColumnsOf<R> } : ColumnsOf<R>>;

/** An indicator of bars ({ high, low, close, volume }, the fields it reads), shaped as `CloseIndicator`. */
export type BarsIndicator<A extends boolean, F extends BarField, O, T = ColumnsOf<Series>> = <R extends Series>(
  bars: { [K in F]: R },
  options?: O,
) => Returned<A, T extends Record<string, unknown> ? { [K in keyof T]: ColumnsOf<R> } : ColumnsOf<R>>;

/** Outputs of several series: their names. */
type Named<K extends string> = Record<K, unknown>;

/**
 * TA-Lib's indicators (TA-Lib 0.6.0 C, as python `talib` returns them: NaN over the warm-up; the
 * family's rules in src/kernels/indicators/indicators.ts). Each also exists as `<name>Async`.
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
   * below the fast one is swapped with it, as TA-Lib does.
   */
  macd: CloseIndicator<A, MacdOptions, Named<'macd' | 'signal' | 'hist'>>;
  /**
   * TA-Lib BBANDS with its SMA (period 5, nbDevUp 2, nbDevDn 2): the middle band the SMA, the bands
   * the middle plus and minus nbDev times the population deviation sqrt(E[x^2] - mean^2) of a running
   * sum of squares (0 where that is below 1e-14).
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
   * TA-Lib STOCH with its SMAs (fastKPeriod 5, slowKPeriod 3, slowDPeriod 3): fast %K = (close -
   * lowest low) / ((highest high - lowest low) / 100), 0 where that range is 0; slow %K its SMA, %D
   * the SMA of slow %K.
   */
  stoch: BarsIndicator<A, 'high' | 'low' | 'close', StochOptions, Named<'k' | 'd'>>;
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
function indicator<const O extends readonly string[]>(fields: readonly BarField[], params: readonly Param[], outputs: O) {
  const specs = params.map(([spec]) => spec);
  const spec = {
    params: specs,
    signature: `${fields.map((f) => `${f}[rows x cols]`).join(', ')}, rows, cols`,
    outputs: Object.fromEntries(outputs.map((o) => [o, ['T', 'N'] as const])) as { [K in O[number]]: readonly ['T', 'N'] },
    dims: { T: 'rows', N: 'cols' },
    options: specs.map((p) => p.key),
    sample: (s: Sampler) => [sampleBars(s, fields)],
    api(input: Series | Bars, options?: Record<string, unknown>) {
      requireKnownOptions(spec, options);
      const bars = resolveBars(input, fields);
      const values = params.map(([p, fallback]) => checkParam(p, options?.[p.key] ?? fallback));
      const { rows, cols } = bars.shape;
      return {
        size: rows * cols,
        args: [...bars.columns, rows, cols, ...values],
        split: columnSplit(bars.input, bars.shape),
        shape: outputs.length === 1 ? (o: Outputs) => o[outputs[0]] : (o: Outputs) => ({ ...o }),
      };
    },
  } as const;
  return spec;
}

const CLOSE = ['close'] as const;
const HLC = ['high', 'low', 'close'] as const;

/** One descriptor per indicator (TA-Lib's parameter names in camelCase, its defaults and ranges). */
export const INDICATORS_KERNELS = {
  sma: indicator(CLOSE, [[period('timePeriod', 2), 30]], ['value']),
  ema: indicator(CLOSE, [[period('timePeriod', 2), 30]], ['value']),
  rsi: indicator(CLOSE, [[period('timePeriod', 2), 14]], ['value']),
  macd: indicator(
    CLOSE,
    [
      [period('fastPeriod', 2), 12],
      [period('slowPeriod', 2), 26],
      [period('signalPeriod', 1), 9],
    ],
    ['macd', 'signal', 'hist'],
  ),
  bbands: indicator(
    CLOSE,
    [
      [period('timePeriod', 2), 5],
      [option('nbDevUp', finite()), 2],
      [option('nbDevDn', finite()), 2],
    ],
    ['upper', 'middle', 'lower'],
  ),
  trange: indicator(HLC, [], ['value']),
  atr: indicator(HLC, [[period('timePeriod', 1), 14]], ['value']),
  adx: indicator(HLC, [[period('timePeriod', 2), 14]], ['value']),
  stoch: indicator(
    HLC,
    [
      [period('fastKPeriod', 1), 5],
      [period('slowKPeriod', 1), 3],
      [period('slowDPeriod', 1), 3],
    ],
    ['k', 'd'],
  ),
} as const satisfies { [K in IndicatorName]: OutputSpec };
