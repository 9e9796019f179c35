/**
 * The volatility family: arch 8.0's univariate models (bashtage/arch, `arch/univariate/mean.py`,
 * `volatility.py`, `distribution.py`, `base.py`): a constant, zero or AR(L) mean, a GARCH(p, q),
 * GJR-GARCH(p, o, q), EGARCH(p, o, q) or APARCH(p, o, q) variance (volatility-processes.ts), normal,
 * standardized Student's t, Hansen's skew-t or GED errors (volatility-dists.ts). docs/volatility.md states every convention.
 *
 * The backend calls take the model packed (`packModel`: the record MODEL, eight numbers) and write one
 * Float64Array per call whose layout this module says (`fitLayout`, `filterLayout`, `forecastLayout`).
 */
import { KernelInputError } from '../../errors.js';
import { closedOr, code, int, openUnit } from '../param-rules.js';
import { pack, packedRecord, unpack } from '../record.js';
import { describeValue } from '../validate.js';
import { DISTRIBUTIONS, DISTS, type Dist } from './volatility-dists.js';
import { PROCESS_NAMES, PROCESSES, processOf } from './volatility-processes.js';

export { DISTS, type Dist } from './volatility-dists.js';

export const VOLS = ['garch', 'gjr', 'egarch', 'aparch'] as const;
export type Vol = (typeof VOLS)[number];
export const MEANS = ['constant', 'zero', 'ar'] as const;
export type Mean = (typeof MEANS)[number];

/** The model options every kernel of the family takes (arch_model's arguments). */
export interface ModelOptions {
  /** 'garch' (default), 'gjr' (GARCH with o = 1 by default), 'egarch' or 'aparch' (volatility-processes.ts). */
  vol?: Vol;
  /** Lags of the squared (EGARCH: absolute standardized; APARCH: powered) residual: default 1. */
  p?: number;
  /** Lags of the asymmetric term: default 0 ('gjr', 'egarch' and 'aparch': 1). */
  o?: number;
  /** Lags of the variance: default 1. */
  q?: number;
  /** 'constant' (default), 'zero' or 'ar'. */
  mean?: Mean;
  /** The AR mean's lags: default 1. */
  lags?: number;
  /** 'normal' (default), 't', 'skewt' or 'ged' (volatility-dists.ts). */
  dist?: Dist;
  /** APARCH's power, fixed (in (0.05, 4), arch's `APARCH(delta=...)`): default estimated. */
  delta?: number;
}
export const MODEL_OPTIONS = ['vol', 'p', 'o', 'q', 'mean', 'lags', 'dist', 'delta'] as const;

/** A model resolved: codes and orders. */
export interface Model {
  /** The process's index in PROCESSES (volatility-processes.ts): 0 GARCH (GJR included), 1 EGARCH, 2 APARCH. */
  readonly vol: number;
  readonly p: number;
  readonly o: number;
  readonly q: number;
  /** 0 constant, 1 zero, 2 AR. */
  readonly mean: 0 | 1 | 2;
  /** The AR's lags (0 for the other means). */
  readonly lags: number;
  /** The distribution's index in DISTRIBUTIONS (volatility-dists.ts): 0 normal, 1 Student's t, 2 skew-t, 3 GED. */
  readonly dist: number;
  /** APARCH's fixed power; 0 where it is estimated (and for the other processes). */
  readonly delta: number;
}

export const MEAN_CONSTANT = 0;
export const MEAN_ZERO = 1;
export const MEAN_AR = 2;
/** The normal's code (the starting values' Gaussian likelihood is the normal's whatever the model's). */
export const DIST_NORMAL = 0;

/** The largest order of p, o, q and lags accepted (arch has none; ours keeps the fuzzed sizes bounded). */
export const MAX_ORDER = 20;

function order(options: ModelOptions, key: 'p' | 'o' | 'q' | 'lags', fallback: number, min: number): number {
  const v = options[key] ?? fallback;
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= MAX_ORDER))
    throw new KernelInputError(`options.${key}`, `an integer in [${min}, ${MAX_ORDER}]`, describeValue(v));
  return v;
}

function oneOf<T extends string>(options: ModelOptions, key: keyof ModelOptions, list: readonly T[], fallback: T): number {
  const v = (options[key] ?? fallback) as T;
  const i = list.indexOf(v);
  if (i < 0) throw new KernelInputError(`options.${key}`, `one of ${list.map((x) => `'${x}'`).join(', ')}`, describeValue(v));
  return i;
}

/** The model of `options` (arch_model's defaults), or a KernelInputError naming the option. */
export function resolveModel(options: ModelOptions): Model {
  const name = VOLS[oneOf(options, 'vol', VOLS, 'garch')];
  const vol = processOf(name);
  const mean = oneOf(options, 'mean', MEANS, 'constant') as Model['mean'];
  const dist = oneOf(options, 'dist', DISTS, 'normal') as Model['dist'];
  const process = PROCESSES[vol];
  const p = order(options, 'p', 1, process.minP);
  const o = order(options, 'o', name === 'garch' ? 0 : 1, process.minO);
  const q = order(options, 'q', 1, 0);
  process.checkOrders(p, o);
  const lags = mean === MEAN_AR ? order(options, 'lags', 1, 1) : 0;
  let delta = 0;
  if (options.delta !== undefined) {
    if (name !== 'aparch')
      throw new KernelInputError('options.delta', "no delta (APARCH's power: vol 'aparch')", describeValue(options.delta));
    delta = options.delta;
    if (!(typeof delta === 'number' && delta > 0.05 && delta < 4))
      throw new KernelInputError('options.delta', 'a power in (0.05, 4), or none to estimate it', describeValue(delta));
  }
  return { vol, p, o, q, mean, lags, dist, delta };
}

/**
 * The model as the backend calls take it, packed in this order (src/kernels/record.ts): its C++ unpack()
 * (native/kernels/generated/volatility_records.hpp) checks each value's range, unpackModel() in
 * native/kernels/volatility/fit.cpp the rules between them (o <= p, the AR's lags).
 */
export const MODEL = packedRecord<Model>()('Model', 'volatility::Model', {
  vol: code(PROCESS_NAMES),
  p: int(0, MAX_ORDER),
  o: int(0, MAX_ORDER),
  q: int(0, MAX_ORDER),
  mean: code(MEANS),
  lags: int(0, MAX_ORDER),
  dist: code(DISTS),
  delta: closedOr(0.05, 4, 0, 'estimated'),
});

/** The model as the backend call takes it: [vol, p, o, q, mean, lags, dist, delta]. */
export const packModel = (m: Model): Float64Array => pack(MODEL, m);

/** A packed model read back (the reference's side of packModel; the C++ checks its own copy). */
export const unpackModel = (packed: Float64Array): Model => unpack<Model>(MODEL, packed);

/** Parameters of the mean: the constant and the AR's lags. */
export function meanCount(m: Model): number {
  return m.mean === MEAN_ZERO ? 0 : 1 + m.lags;
}
/** Parameters of the distribution: its shape parameters (none; nu; nu and lambda). */
export function distCount(m: Model): number {
  return DISTRIBUTIONS[m.dist].shapes.length;
}
/** Parameters of the process after beta (APARCH's delta where estimated). */
export function extraCount(m: Model): number {
  return PROCESSES[m.vol].extras(m).length;
}
/** Every parameter, in arch's order: mean, omega, alpha[p], gamma[o], beta[q], the process's extras, distribution. */
export function paramCount(m: Model): number {
  return meanCount(m) + 1 + m.p + m.o + m.q + extraCount(m) + distCount(m);
}
/** The observations a fit uses: T less the AR's lags (arch's hold back). */
export function observations(m: Model, T: number): number {
  return T - m.lags;
}
/** The fewest observations a model takes: more than its parameters plus its longest lag. */
export function minObservations(m: Model): number {
  return paramCount(m) + Math.max(m.p, m.o, m.q) + 1;
}

/**
 * One column's fit: [params k, stdErrors k, logLikelihood, status, iterations, conditionalVolatility T,
 * standardizedResiduals T]. `status` is a FIT_STATUS code (or a fault: FAULT_CONSTANT).
 */
export function fitLayout(m: Model, T: number) {
  const k = paramCount(m);
  const ll = 2 * k;
  const vol = ll + 3;
  return { k, params: 0, stdErrors: k, ll, status: ll + 1, iterations: ll + 2, vol, std: vol + T, length: vol + 2 * T };
}
/** garchFilter's output: [status, logLikelihood, conditionalVolatility T, standardizedResiduals T]. */
export function filterLayout(T: number) {
  return { status: 0, ll: 1, vol: 2, std: 2 + T, length: 2 + 2 * T };
}
/** garchForecast's output: [status, mean H, variance H, residualVariance H]. */
export function forecastLayout(H: number) {
  return { status: 0, mean: 1, variance: 1 + H, residualVariance: 1 + 2 * H, length: 1 + 3 * H };
}

/** garchVar's output per column: [status, var T, es T]. */
export function varLayout(T: number) {
  return { status: 0, var: 1, es: 1 + T, length: 1 + 2 * T };
}
export const VAR_METHODS = ['parametric', 'filtered'] as const;

/** garchVar's options resolved: the window, the bars between refits, the confidence, the method (VAR_METHODS' index). */
export interface VarOptions {
  readonly window: number;
  readonly refit: number;
  readonly confidence: number;
  readonly method: number;
}

/**
 * garchVar's options as the backend call takes them, packed in this order; the C++ also holds the
 * window to [the model's fewest returns, the rows] (native/kernels/volatility/volatility_entry.hpp).
 */
export const VAR_OPTIONS = packedRecord<VarOptions>()('VarOptions', 'volatility::VarOptions', {
  window: int(1),
  refit: int(1),
  confidence: openUnit(),
  method: code(VAR_METHODS),
});

/** How a fit ended (its status slot). */
export const FIT_STATUS = {
  /** The step's predicted decrease fell below the tolerance: the optimum. */
  CONVERGED: 0,
  /** The iteration limit (200) was reached. */
  ITERATIONS: 1,
  /** No step along the search direction decreased the objective, the decrease predicted still large. */
  LINE_SEARCH: 2,
} as const;
export const FIT_REASONS = ['converged', 'iteration limit reached', 'line search failed'] as const;

/** A fault a backend reports in the status slot (a fit's, the filter's or the forecast's). */
export const FAULT_CONSTANT = 10;
/** omega outside its bounds (they scale with the OLS residuals' variance): the filter and the forecast. */
export const FAULT_OMEGA = 11;
/**
 * A variance past the doubles' range: a forecast's (EGARCH simulated with parameters that blow
 * ln sigma^2 up), a fit's (APARCH's |e|^delta of returns near 1e100), or a filter's whose likelihood
 * is NaN there (an APARCH alpha of 0 times such an |e|^delta).
 */
export const FAULT_OVERFLOW = 12;

/**
 * The error of a fault status; `column` names the column of a matrix; `source`: what overflowed, the
 * parameters fitted to the returns ('fit': garch, garchVar; the returns' fault), given parameters on the
 * returns ('filter') or their forecast ('forecast').
 */
export function volatilityFault(status: number, column?: number, source: 'fit' | 'filter' | 'forecast' = 'forecast'): KernelInputError {
  const at = column === undefined ? '' : ` (column ${column})`;
  if (status === FAULT_CONSTANT)
    return new KernelInputError('returns', 'a series whose mean model leaves residuals (not constant)', `residuals all 0${at}`);
  if (status === FAULT_OVERFLOW) {
    const expected = {
      fit: "a series whose variance process stays within the doubles' range under this model",
      filter: "parameters whose variance process stays within the doubles' range on these returns",
      forecast: 'parameters whose forecast variance stays finite',
    }[source];
    return new KernelInputError(
      source === 'fit' ? 'returns' : 'params',
      `${expected} (docs/volatility.md)`,
      `a variance past the doubles' range${at}`,
    );
  }
  return new KernelInputError('params.omega', "a value within arch's bounds for these returns (docs/volatility.md)", `out of bounds${at}`);
}

/**
 * What a backend implementing the family provides. `returns` is row-major T x N (rows x cols), the
 * model packed (packModel); each call returns its layout's Float64Array (one fitLayout per column).
 */
export interface VolatilityFamily {
  /** Fits every column; `start`: N x k warm starts (row-major), or empty for arch's starting values. */
  garch(returns: Float64Array, rows: number, cols: number, model: Float64Array, start: Float64Array): Float64Array;
  garchFilter(returns: Float64Array, rows: number, model: Float64Array, params: Float64Array): Float64Array;
  /** `simulations` 0: analytic; else the variances beyond the first step by that many paths drawn from `seed`. */
  garchForecast(
    returns: Float64Array,
    rows: number,
    model: Float64Array,
    params: Float64Array,
    horizon: number,
    simulations: number,
    seed: number,
  ): Float64Array;
  /** Each column's VaR and ES (varLayout per column); `options` packed (VAR_OPTIONS: window, refit, confidence, method). */
  garchVar(returns: Float64Array, rows: number, cols: number, model: Float64Array, options: Float64Array): Float64Array;
}
