/**
 * The rolling bar estimators as the API offers them (EstimatorsKernels) and their descriptors
 * (ESTIMATORS_KERNELS, joined to FEATURES_KERNELS): each call is data (a generated entry), its
 * columns, rows, cols and packed parameters in, outputs of rows x cols. Shapes and NaN: estimators.ts.
 */
import { requireKnownOptions, type KernelSpec, type Outputs } from '../descriptor.js';
import type { ColumnsOf } from '../labels.js';
import type { Series } from '../matrix.js';
import { checkParam, code, int, option, positive } from '../param-rules.js';
import type { Sampler } from '../sample.js';
import { optionsObject } from '../validate.js';
import {
  RANGE_ESTIMATORS,
  RANGE_FIELDS,
  barFields,
  resolveColumns,
  type CorwinSchultz,
  type OhlcBars,
  type RangeEstimator,
  type RangeVolatilityOptions,
  type WindowOptions,
} from './estimators.js';

/**
 * mlfinlab 2020's bar features (microstructural_features, util/volatility.py), rolling over `window`
 * bars (default 20, an integer >= 2). A series gives a Vector (its index kept), a panel (T x N) a
 * Matrix with its labels, each column the series call on it. The first value is at the index mlfinlab
 * gives (NaN before); a window past the input gives NaN throughout. Nothing is demeaned; only
 * rangeVolatility annualises, when asked.
 */
export interface EstimatorsKernels {
  /**
   * Roll measure (get_roll_measure, AFML p. 282): 2 sqrt(|cov(dC_t, dC_{t-1})|) over the window
   * (sample covariance); from bar window + 1.
   */
  rollMeasure<R extends Series>(close: R, options?: WindowOptions): ColumnsOf<R>;
  /** Roll impact (get_roll_impact): the Roll measure over the bar's dollar volume; from bar window + 1. */
  rollImpact<R extends Series>(close: R, dollarVolume: R, options?: WindowOptions): ColumnsOf<R>;
  /**
   * Corwin-Schultz (get_corwin_schultz_estimator, get_bekker_parkinson_vol; AFML snippets 19.1, 19.2):
   * `spread` 2 (e^a - 1)/(1 + e^a), a = (sqrt 2 - 1) sqrt(beta)/d - sqrt(gamma/d), d = 3 - 2 sqrt 2,
   * and `sigma` the Becker-Parkinson volatility (2^-1/2 - 1) sqrt(beta)/(k d) + sqrt(gamma/(k^2 d)),
   * k = sqrt(8/pi); beta the window's mean of ln(H_t/L_t)^2 + ln(H_{t-1}/L_{t-1})^2, gamma
   * ln(max(H_t, H_{t-1})/min(L_t, L_{t-1}))^2; a and sigma floored at 0; from bar window.
   */
  corwinSchultz<R extends Series>(high: R, low: R, options?: WindowOptions): CorwinSchultz<ColumnsOf<R>>;
  /**
   * Kyle lambda (get_bar_based_kyle_lambda): the window's mean of dC_t / (V_t b_t), b_t the sign of
   * dC_t, a zero sign replaced by the previous one (pandas pad from bar 0's NaN: zeros before the
   * first move give NaN); from bar window.
   */
  kyleLambda<R extends Series>(close: R, volume: R, options?: WindowOptions): ColumnsOf<R>;
  /** Amihud lambda (get_bar_based_amihud_lambda): the window's mean of |ln(C_t/C_{t-1})| / DV_t; from bar window. */
  amihudLambda<R extends Series>(close: R, dollarVolume: R, options?: WindowOptions): ColumnsOf<R>;
  /**
   * Hasbrouck lambda (get_bar_based_hasbrouck_lambda): the window's mean of r_t / (b_t sqrt(DV_t)),
   * r the log return, b its sign with zeros replaced as kyleLambda's; from bar window.
   */
  hasbrouckLambda<R extends Series>(close: R, dollarVolume: R, options?: WindowOptions): ColumnsOf<R>;
  /**
   * Range volatility per bar (mlfinlab util/volatility.py), over `window` bars: 'parkinson'
   * sqrt(mean(ln(H/L)^2) / (4 ln 2)) and 'garman-klass' sqrt(mean(0.5 ln(H/L)^2 - (2 ln 2 - 1)
   * ln(C/O)^2)) from bar window - 1 (a negative mean: NaN, as numpy's sqrt); 'rogers-satchell'
   * sqrt(mean(ln(H/C) ln(H/O) + ln(L/C) ln(L/O))), from bar window - 1 (mlfinlab has it only inside
   * Yang-Zhang); 'yang-zhang' sqrt(s_o + k s_c + (1 - k) s_rs), the window's sums over window - 1 of
   * ln(O_t/C_{t-1})^2, ln(C_t/O_{t-1})^2 (mlfinlab's close term) and the Rogers-Satchell term, k =
   * 0.34/(1.34 + (w + 1)/(w - 1)), from bar window. Not demeaned; times sqrt(annualize) (default 1).
   * Parkinson reads only high and low.
   */
  rangeVolatility<R extends Series>(bars: OhlcBars<R>, options: RangeVolatilityOptions): ColumnsOf<R>;
}

const WINDOW = option('window', int(2));
const ESTIMATOR = option('estimator', code(RANGE_ESTIMATORS));
const ANNUALIZE = option('annualize', positive());

/** The window option (default 20). */
function windowOf(spec: KernelSpec, options: WindowOptions | undefined): number {
  requireKnownOptions(spec, options);
  return checkParam(WINDOW, optionsObject(options).window ?? 20);
}

/** Seeded bars: a series or a panel, high >= open, close >= low, volumes > 0, NaN now and then. */
function sampleBars(s: Sampler): Record<string, unknown> {
  const rows = s.int(0, 80);
  const cols = s.random() < 0.4 ? 0 : s.int(1, 5);
  const n = rows * Math.max(cols, 1);
  const close = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const volume = new Float64Array(n);
  const dollarVolume = new Float64Array(n);
  const width = Math.max(cols, 1);
  for (let c = 0; c < width; c++) {
    let x = 100;
    for (let t = 0; t < rows; t++) {
      const i = t * width + c;
      open[i] = x;
      x = Math.round(x * (1 + 0.01 * s.normal()) * 100) / 100;
      close[i] = s.random() < 0.15 ? open[i] : x;
      high[i] = Math.max(open[i], close[i]) * (1 + 0.005 * s.random());
      low[i] = Math.min(open[i], close[i]) * (1 - 0.005 * s.random());
      volume[i] = s.int(1, 1000);
      dollarVolume[i] = volume[i] * close[i];
    }
  }
  if (n > 0 && s.random() < 0.2) close[s.int(0, n - 1)] = NaN;
  const shaped = (x: Float64Array) => (cols === 0 ? s.view(x) : { data: s.view(x), rows, cols });
  return {
    open: shaped(open),
    high: shaped(high),
    low: shaped(low),
    close: shaped(close),
    volume: shaped(volume),
    dollarVolume: shaped(dollarVolume),
    window: s.random() < 0.1 ? s.int(60, 100) : s.int(2, 12),
  };
}

/** The descriptor of an estimator of `names` (its arguments, in order) with `outputs`. */
function estimator<const O extends readonly string[]>(names: readonly string[], outputs: O) {
  const spec = {
    params: [WINDOW],
    signature: `${names.map((f) => `${f}[rows x cols]`).join(', ')}, rows, cols`,
    outputs: Object.fromEntries(outputs.map((o) => [o, ['T', 'N'] as const])) as { [K in O[number]]: readonly ['T', 'N'] },
    dims: { T: 'rows', N: 'cols' },
    options: ['window'],
    sample: (s: Sampler) => {
      const b = sampleBars(s);
      return [...names.map((f) => b[f]), { window: b.window }];
    },
    api(...args: unknown[]) {
      const options = args[names.length] as WindowOptions | undefined;
      const window = windowOf(spec, options);
      const { columns, shape, split } = resolveColumns(args.slice(0, names.length), names);
      return {
        size: shape.rows * shape.cols,
        args: [...columns, shape.rows, shape.cols, window],
        split,
        shape: outputs.length === 1 ? (o: Outputs) => o[outputs[0]] : (o: Outputs) => o,
      };
    },
  } as const;
  return spec;
}

const OHLC = ['open', 'high', 'low', 'close'] as const;

/** The rolling bar estimators' descriptors (joined to FEATURES_KERNELS). */
export const ESTIMATORS_KERNELS = {
  rollMeasure: estimator(['close'], ['value']),
  rollImpact: estimator(['close', 'dollarVolume'], ['value']),
  corwinSchultz: estimator(['high', 'low'], ['spread', 'sigma']),
  kyleLambda: estimator(['close', 'volume'], ['value']),
  amihudLambda: estimator(['close', 'dollarVolume'], ['value']),
  hasbrouckLambda: estimator(['close', 'dollarVolume'], ['value']),
  rangeVolatility: {
    params: [ESTIMATOR, WINDOW, ANNUALIZE],
    signature: 'bars.open[rows x cols], bars.high[rows x cols], bars.low[rows x cols], bars.close[rows x cols], rows, cols',
    outputs: { value: ['T', 'N'] },
    dims: { T: 'rows', N: 'cols' },
    options: ['estimator', 'window', 'annualize'],
    sample: (s: Sampler) => {
      const b = sampleBars(s);
      const est = s.pick(...RANGE_ESTIMATORS);
      return [
        { open: b.open, high: b.high, low: b.low, close: b.close },
        { estimator: est, window: b.window, annualize: s.pick(1, 252) },
      ];
    },
    api(bars: OhlcBars, options: RangeVolatilityOptions) {
      requireKnownOptions(ESTIMATORS_KERNELS.rangeVolatility, options);
      const o = optionsObject(options, 'an object { estimator, window, annualize }');
      const est = checkParam(ESTIMATOR, o.estimator);
      const window = checkParam(WINDOW, o.window ?? 20);
      const annualize = checkParam(ANNUALIZE, o.annualize ?? 1);
      const fields = RANGE_FIELDS[o.estimator as RangeEstimator];
      const values = barFields(bars, fields);
      const { columns, shape, split } = resolveColumns(
        values,
        fields.map((f) => `bars.${f}`),
      );
      // the four columns in OHLC order, high in the place of one the estimator does not read
      const byField = Object.fromEntries(fields.map((f, i) => [f, columns[i]]));
      const four = OHLC.map((f) => byField[f] ?? byField.high);
      return {
        size: shape.rows * shape.cols,
        args: [...four, shape.rows, shape.cols, est, window, annualize],
        split,
        shape: (out: Outputs) => out.value,
      };
    },
  },
} as const;
