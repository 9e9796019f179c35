/**
 * The volatility family as the API offers it (VolatilityKernels) and its descriptors
 * (VOLATILITY_KERNELS): `garch` (arch_model(...).fit()), `garchFilter` (am.fix(params)) and
 * `garchForecast` (res.forecast(horizon, method='analytic')), arch 8.0's conventions (docs/volatility.md).
 */
import { KernelInputError } from '../../errors.js';
import type { Call, Returned } from '../descriptor.js';
import { requireKnownOptions } from '../descriptor.js';
import type { Matrix, Series } from '../matrix.js';
import type { Sampler } from '../sample.js';
import { describeValue, optionsObject } from '../validate.js';
import {
  FIT_REASONS,
  minObservations,
  type Model,
  VAR_METHODS,
  varLayout,
  type ModelOptions,
  type VolatilityFamily,
  filterLayout,
  fitLayout,
  forecastLayout,
  MODEL,
  MODEL_OPTIONS,
  packModel,
  VAR_OPTIONS,
  volatilityFault,
} from './volatility.js';
import { pack } from '../record.js';
import { checkParams, type GarchParams, paramsObject, paramsVector, requireReturns, resolveModelOptions } from './volatility-resolve.js';
import { PROCESSES } from './volatility-processes.js';

export type { GarchParams } from './volatility-resolve.js';
export type { ModelOptions } from './volatility.js';

/** One series' fit (arch's ARCHModelResult). */
export interface GarchFit {
  /** The parameters by name: mu (the constant; AR's Const), ar (y[1..lags]), omega, alpha, gamma, beta, nu (skew-t: eta), lambda. */
  readonly params: GarchParams;
  /** Robust (sandwich) standard errors, shaped as params. */
  readonly stdErrors: GarchParams;
  readonly logLikelihood: number;
  /** sqrt of the conditional variance, T values (NaN for an AR's first `lags`). */
  readonly conditionalVolatility: Float64Array;
  /** The residuals over the conditional volatility, T values (NaN for an AR's first `lags`). */
  readonly standardizedResiduals: Float64Array;
  /** -2 ll + 2 k and -2 ll + ln(nobs) k, k every parameter. */
  readonly aic: number;
  readonly bic: number;
  /** The observations fitted: T less the AR's lags. */
  readonly nobs: number;
  /** Whether the optimizer reached the optimum; `reason` says how it stopped. The parameters are never NaN. */
  readonly converged: boolean;
  readonly reason: (typeof FIT_REASONS)[number];
  readonly iterations: number;
}

/** garchFilter's result (arch's ARCHModelFixedResult). */
export interface GarchFiltered {
  readonly logLikelihood: number;
  readonly conditionalVolatility: Float64Array;
  readonly standardizedResiduals: Float64Array;
}

/** garchForecast's result: each step's mean, variance (with the AR's impulse response) and residual variance. */
export interface GarchForecast {
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  readonly residualVariance: Float64Array;
}

export interface GarchOptions extends ModelOptions {
  /**
   * Where the optimizer starts (arch's `fit(starting_values=...)`): parameters by name (a fit's
   * `params`) or a Float64Array in arch's order. Used where they lie within the bounds and constraints
   * for these returns (omega's scale with them), else arch's starting values; every column of a
   * Matrix starts there. A warm start from the last fit is how a rolling refit stays fast (garchVar's,
   * RiskEngine's GARCH VaR). Default: arch's starting values.
   */
  startingValues?: GarchParams | Float64Array;
}

export interface GarchFilterOptions extends ModelOptions {
  /** The parameters: by name (as a fit's `params`) or a Float64Array in arch's order. */
  params: GarchParams | Float64Array;
}

/** garchForecast's source: a garch() result, or returns, a model and its parameters. */
export type ForecastSource = GarchFit | ({ returns: Float64Array } & GarchFilterOptions);

export interface GarchForecastOptions {
  /** Steps ahead: an integer >= 1 (EGARCH beyond 1: by simulation); default 1. */
  horizon?: number;
  /** 'analytic' (default; EGARCH one step only) or 'simulation' (the variances beyond the first step by paths). */
  method?: 'analytic' | 'simulation';
  /** Paths of a simulation: an integer in [1, 10^6]; default 1000. */
  simulations?: number;
  /** The simulation's seed: an integer in [0, 2^53); default 0. */
  seed?: number;
}

export interface GarchVarOptions extends ModelOptions {
  /** The returns each fit takes (the last `window` before the bar): an integer >= the model's fewest; default 1000. */
  window?: number;
  /** Bars between refits (between them, the last fit's parameters filter the moving window); default 1. */
  refit?: number;
  /** In (0, 1); default 0.95. */
  confidence?: number;
  /** 'parametric' (the fitted distribution's quantile, default) or 'filtered' (the refit's standardized residuals'). */
  method?: (typeof VAR_METHODS)[number];
}

/** garchVar's result: losses positive, NaN before the window. */
export interface GarchVar {
  readonly var: Float64Array;
  readonly es: Float64Array;
}

export const GARCH_VAR_DEFAULTS = { window: 1000, refit: 1, confidence: 0.95, method: 'parametric' } as const;

/**
 * What each fit result was fitted on (for garchForecast): a copy of the returns made once per call (a
 * Matrix's shared by its columns' fits, the column taken when a forecast asks: 500 strided column
 * copies cost more than the 2,520 x 500 fit's second thread saves).
 */
const FIT_SOURCES = new WeakMap<object, { returns: Matrix; col: number; model: Model }>();

export interface VolatilityKernels<A extends boolean = false> {
  /**
   * arch 8.0's `arch_model(returns, mean, lags, vol, p, o, q, dist).fit(disp='off')`: GARCH, GJR-GARCH
   * or EGARCH with a constant, zero or AR mean and normal, Student's t or skew-t errors, at the
   * optimum (a log-likelihood at least arch's), with robust standard errors. A Matrix fits every
   * column (on the native backend's threads) and gives one fit per column. Percent returns, as arch
   * advises (no rescaling). docs/volatility.md.
   */
  garch(returns: Float64Array, options?: GarchOptions): Returned<A, GarchFit>;
  garch(returns: Matrix, options?: GarchOptions): Returned<A, GarchFit[]>;
  /** arch 8.0's `am.fix(params)`: the log-likelihood, conditional volatility and standardized residuals at given parameters. */
  garchFilter(returns: Float64Array, options: GarchFilterOptions): Returned<A, GarchFiltered>;
  /**
   * arch 8.0's `res.forecast(horizon, method='analytic', reindex=False)` from the end of the series:
   * of a garch() result, or of `{ returns, ...model, params }`.
   */
  garchForecast(source: ForecastSource, options?: GarchForecastOptions): Returned<A, GarchForecast>;
  /**
   * The one-step VaR and ES of each bar from the model fitted on the `window` returns before it,
   * refitted every `refit` bars (warm-started from the previous fit): VaR = -(mu + sigma q), ES =
   * -(mu + sigma E[z | z <= q]), q the fitted distribution's quantile at 1 - confidence, or for
   * 'filtered' numpy's linear-interpolation percentile of the refit's standardized residuals. NaN
   * before the window; a Matrix gives one result per column. For varBacktest.
   */
  garchVar(returns: Float64Array, options?: GarchVarOptions): Returned<A, GarchVar>;
  garchVar(returns: Matrix, options?: GarchVarOptions): Returned<A, GarchVar[]>;
}

const FIT_OPTIONS = MODEL_OPTIONS;

/** The fits of a backend's output: one per column. */
function shapeFits(out: Float64Array, model: Model, T: number, N: number, returns: Matrix): GarchFit[] {
  const lay = fitLayout(model, T);
  const fits: GarchFit[] = [];
  for (let c = 0; c < N; c++) {
    const row = out.subarray(c * lay.length, (c + 1) * lay.length);
    const status = row[lay.status];
    if (status >= FIT_REASONS.length) throw volatilityFault(status, N > 1 ? c : undefined, 'fit');
    const ll = row[lay.ll];
    const k = lay.k;
    const nobs = T - model.lags;
    const fit: GarchFit = {
      params: paramsObject(model, row.slice(lay.params, lay.params + k)),
      stdErrors: paramsObject(model, row.slice(lay.stdErrors, lay.stdErrors + k)),
      logLikelihood: ll,
      conditionalVolatility: row.subarray(lay.vol, lay.vol + T),
      standardizedResiduals: row.subarray(lay.std, lay.std + T),
      aic: -2 * ll + 2 * k,
      bic: -2 * ll + Math.log(nobs) * k,
      nobs,
      converged: status === 0,
      reason: FIT_REASONS[status],
      iterations: row[lay.iterations],
    };
    FIT_SOURCES.set(fit, { returns, col: c, model });
    fits.push(fit);
  }
  return fits;
}

/** A column of a row-major matrix, copied. */
function column(m: Matrix, c: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + c];
  return out;
}

function sampleReturns(s: Sampler, T: number): Float64Array {
  const y = new Float64Array(T);
  let v = 1;
  for (let t = 0; t < T; t++) {
    const e = Math.sqrt(v) * s.normal();
    y[t] = 0.05 + e;
    v = 0.05 + 0.08 * e * e + 0.9 * v;
  }
  return y;
}

/** GARCH(1,1) (or GJR) parameters within the bounds, by name. */
function sampleParams(s: Sampler, gjr = false): GarchParams {
  const alpha = s.uniform(0.01, 0.15);
  return {
    mu: s.uniform(-0.05, 0.1),
    omega: s.uniform(0.01, 0.2),
    alpha: Float64Array.of(alpha),
    gamma: gjr ? Float64Array.of(s.uniform(0, 0.1)) : new Float64Array(0),
    beta: Float64Array.of(s.uniform(0.5, 0.8)),
  };
}

/** The descriptors of the volatility family. */
export const VOLATILITY_KERNELS = {
  garch: {
    params: [],
    records: { model: MODEL },
    options: [...FIT_OPTIONS, 'startingValues'],
    sample: (s: Sampler) => [
      sampleReturns(s, s.int(120, 200)),
      { vol: s.pick('garch', 'gjr', 'egarch', 'aparch'), dist: s.pick('normal', 't') },
    ],
    api(returns: Series, options?: GarchOptions): Call<GarchFit | GarchFit[]> {
      requireKnownOptions(VOLATILITY_KERNELS.garch, options);
      const o = optionsObject(options);
      const model = resolveModelOptions(o);
      const one = ArrayBuffer.isView(returns);
      const m: Matrix = one ? { data: returns as Float64Array, rows: (returns as Float64Array).length, cols: 1 } : (returns as Matrix);
      // the returns' finiteness is each backend's check (the binding's in C++, the reference's
      // requireFinite): the same error, without a scan of the panel here before the one there
      requireReturns(m, model, one, 'returns', false);
      const packed = packModel(model);
      const start = o.startingValues === undefined ? new Float64Array(0) : startingValues(model, o.startingValues, m.cols);
      return {
        size: m.rows * m.cols,
        call: (f: VolatilityFamily) => f.garch(m.data, m.rows, m.cols, packed, start),
        shape: (out: Float64Array) => {
          const fits = shapeFits(out, model, m.rows, m.cols, { data: m.data.slice(), rows: m.rows, cols: m.cols });
          return one ? fits[0] : fits;
        },
      };
    },
  },
  garchVar: {
    params: [],
    records: { model: MODEL, options: VAR_OPTIONS },
    options: [...FIT_OPTIONS, 'window', 'refit', 'confidence', 'method'],
    sample: (s: Sampler) => [
      sampleReturns(s, s.int(90, 140)),
      { window: 60, refit: s.int(5, 40), method: s.pick('parametric', 'filtered') },
    ],
    api(returns: Series, options?: GarchVarOptions): Call<GarchVar | GarchVar[]> {
      requireKnownOptions(VOLATILITY_KERNELS.garchVar, options);
      const o = optionsObject(options);
      const model = resolveModelOptions(o);
      const one = ArrayBuffer.isView(returns);
      const m: Matrix = one ? { data: returns as Float64Array, rows: (returns as Float64Array).length, cols: 1 } : (returns as Matrix);
      requireReturns(m, model, one);
      const window = o.window ?? GARCH_VAR_DEFAULTS.window;
      const least = minObservations(model) + model.lags;
      if (!(Number.isInteger(window) && window >= least && window <= m.rows))
        throw new KernelInputError(
          'options.window',
          `an integer in [${least}, ${m.rows}] (the model's fewest returns, the rows)`,
          describeValue(window),
        );
      const refit = o.refit ?? GARCH_VAR_DEFAULTS.refit;
      if (!(Number.isInteger(refit) && refit >= 1)) throw new KernelInputError('options.refit', 'an integer >= 1', describeValue(refit));
      const confidence = o.confidence ?? GARCH_VAR_DEFAULTS.confidence;
      if (!(typeof confidence === 'number' && confidence > 0 && confidence < 1))
        throw new KernelInputError('options.confidence', 'a number in (0, 1)', describeValue(confidence));
      const method = VAR_METHODS.indexOf(o.method ?? GARCH_VAR_DEFAULTS.method);
      if (method < 0) throw new KernelInputError('options.method', "one of 'parametric', 'filtered'", describeValue(o.method));
      const packed = pack(VAR_OPTIONS, { window, refit, confidence, method });
      const T = m.rows;
      return {
        size: m.rows * m.cols,
        call: (f: VolatilityFamily) => f.garchVar(m.data, m.rows, m.cols, packModel(model), packed),
        shape: (out: Float64Array) => {
          const lay = varLayout(T);
          const results: GarchVar[] = [];
          for (let c = 0; c < m.cols; c++) {
            const row = out.subarray(c * lay.length, (c + 1) * lay.length);
            if (row[lay.status] !== 0) throw volatilityFault(row[lay.status], m.cols > 1 ? c : undefined, 'fit');
            results.push({ var: row.slice(lay.var, lay.var + T), es: row.slice(lay.es, lay.es + T) });
          }
          return one ? results[0] : results;
        },
      };
    },
  },
  garchFilter: {
    params: [],
    records: { model: MODEL },
    options: [...FIT_OPTIONS, 'params'],
    sample: (s: Sampler) => [sampleReturns(s, s.int(60, 200)), { params: sampleParams(s) }],
    api(returns: Float64Array, options: GarchFilterOptions): Call<GarchFiltered> {
      requireKnownOptions(VOLATILITY_KERNELS.garchFilter, options);
      const o = optionsObject(options, 'an object { params, ...model }');
      const model = resolveModelOptions(o);
      if (!ArrayBuffer.isView(returns)) throw new KernelInputError('returns', 'a Float64Array', describeValue(returns));
      requireReturns({ data: returns, rows: returns.length, cols: 1 }, model, true);
      const params = paramsVector(model, o.params, 'options.params');
      checkParams(model, params, 'options.params');
      const T = returns.length;
      return {
        size: T,
        call: (f: VolatilityFamily) => f.garchFilter(returns, T, packModel(model), params),
        shape: (out: Float64Array) => {
          const lay = filterLayout(T);
          if (out[lay.status] !== 0) throw volatilityFault(out[lay.status], undefined, 'filter');
          return {
            logLikelihood: out[lay.ll],
            conditionalVolatility: out.slice(lay.vol, lay.vol + T),
            standardizedResiduals: out.slice(lay.std, lay.std + T),
          };
        },
      };
    },
  },
  garchForecast: {
    params: [],
    records: { model: MODEL },
    options: ['horizon', 'method', 'simulations', 'seed'],
    sample: (s: Sampler) => [
      { returns: sampleReturns(s, s.int(60, 200)), vol: 'gjr', params: sampleParams(s, true) },
      { horizon: s.int(1, 12) },
    ],
    api(source: ForecastSource, options?: GarchForecastOptions): Call<GarchForecast> {
      requireKnownOptions(VOLATILITY_KERNELS.garchForecast, options);
      const o = optionsObject(options);
      const horizon = o.horizon ?? 1;
      if (!(Number.isInteger(horizon) && horizon >= 1 && horizon <= 100000))
        throw new KernelInputError('options.horizon', 'an integer in [1, 100000]', describeValue(horizon));
      const { returns, model, params } = forecastSource(source);
      const method = o.method ?? 'analytic';
      if (method !== 'analytic' && method !== 'simulation')
        throw new KernelInputError('options.method', "one of 'analytic', 'simulation'", describeValue(method));
      const steps = PROCESSES[model.vol].analyticSteps;
      if (horizon > steps && method === 'analytic')
        throw new KernelInputError(
          'options.horizon',
          `${steps} for ${PROCESSES[model.vol].name.toUpperCase()}'s analytic forecast (arch's has one step; method 'simulation' gives more)`,
          describeValue(horizon),
        );
      const simulations = method === 'simulation' ? (o.simulations ?? 1000) : 0;
      if (method === 'simulation' && !(Number.isInteger(simulations) && simulations >= 1 && simulations <= 1e6))
        throw new KernelInputError('options.simulations', 'an integer in [1, 1000000]', describeValue(o.simulations));
      const seed = o.seed ?? 0;
      if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 53))
        throw new KernelInputError('options.seed', 'an integer in [0, 2^53)', describeValue(seed));
      const T = returns.length;
      return {
        size: T,
        call: (f: VolatilityFamily) => f.garchForecast(returns, T, packModel(model), params, horizon, simulations, seed),
        shape: (out: Float64Array) => {
          const lay = forecastLayout(horizon);
          if (out[lay.status] !== 0) throw volatilityFault(out[lay.status]);
          return {
            mean: out.slice(lay.mean, lay.mean + horizon),
            variance: out.slice(lay.variance, lay.variance + horizon),
            residualVariance: out.slice(lay.residualVariance, lay.residualVariance + horizon),
          };
        },
      };
    },
  },
} as const;

/** A warm start for each of `cols` columns (cols x k, row-major): finite parameters in arch's order. */
function startingValues(model: Model, given: GarchParams | Float64Array, cols: number): Float64Array {
  const x = paramsVector(model, given, 'options.startingValues');
  const bad = x.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new KernelInputError('options.startingValues', 'finite parameters', `${describeValue(x[bad])} at ${bad}`);
  const out = new Float64Array(cols * x.length);
  for (let c = 0; c < cols; c++) out.set(x, c * x.length);
  return out;
}

/** The series, model and parameters a forecast starts from. */
function forecastSource(source: ForecastSource): { returns: Float64Array; model: Model; params: Float64Array } {
  if (typeof source !== 'object' || source === null)
    throw new KernelInputError('source', 'a garch() result or { returns, params, ...model }', describeValue(source));
  const fitted = FIT_SOURCES.get(source);
  if (fitted) {
    const { returns, col, model } = fitted;
    const y = returns.cols === 1 ? returns.data : column(returns, col);
    return { returns: y, model, params: paramsVector(model, (source as GarchFit).params, 'source.params') };
  }
  if (!('returns' in source))
    throw new KernelInputError('source', 'a garch() result or { returns, params, ...model }', describeValue(source));
  const { returns, params: given, ...rest } = source;
  const model = resolveModelOptions(rest);
  if (!ArrayBuffer.isView(returns)) throw new KernelInputError('source.returns', 'a Float64Array', describeValue(returns));
  requireReturns({ data: returns, rows: returns.length, cols: 1 }, model, true, 'source.returns');
  const params = paramsVector(model, given, 'source.params');
  checkParams(model, params, 'source.params');
  return { returns, model, params };
}
