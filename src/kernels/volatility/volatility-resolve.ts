/**
 * The volatility family's checks: the model options, the returns (finite, long enough), and given
 * parameters (by name or in arch's order, within arch's bounds and constraints that do not depend on
 * the data; omega's, which scale with the residuals, the kernel checks).
 */
import { KernelInputError } from '../../errors.js';
import type { Matrix } from '../matrix.js';
import { describeValue, firstNonFinite } from '../validate.js';
import { DISTRIBUTIONS } from './volatility-dists.js';
import { PROCESSES } from './volatility-processes.js';
import { extraCount, MEAN_ZERO, type Model, type ModelOptions, minObservations, paramCount, resolveModel } from './volatility.js';

export { CONSTRAINT_ROUNDING } from './volatility-processes.js';

/** A model's parameters by name (arch's, in its order: mu, ar, omega, alpha, gamma, beta, delta, nu, lambda). */
export interface GarchParams {
  /** The mean's constant (arch's mu, or Const of an AR); absent for a zero mean. */
  readonly mu?: number;
  /** The AR's coefficients y[1..lags]; absent unless mean 'ar'. */
  readonly ar?: Float64Array;
  readonly omega: number;
  readonly alpha: Float64Array;
  readonly gamma: Float64Array;
  readonly beta: Float64Array;
  /** APARCH's power, where estimated. */
  readonly delta?: number;
  /** Student's t degrees of freedom; the skew-t's eta (the distribution's first shape parameter). */
  readonly nu?: number;
  /** The skew-t's lambda. */
  readonly lambda?: number;
}

/** The model of options that may hold other keys (params, returns). */
export function resolveModelOptions(o: ModelOptions): Model {
  const { vol, p, o: oo, q, mean, lags, dist, delta } = o;
  return resolveModel({ vol, p, o: oo, q, mean, lags, dist, delta });
}

/**
 * The returns of a call: a Float64Array (or a Matrix), at least the model's fewest observations plus its
 * lags, and every value finite unless `finite` is false (garch(), whose backends check that themselves).
 */
export function requireReturns(m: Matrix, model: Model, one: boolean, name = 'returns', finite = true): void {
  if (!one) {
    const ok = typeof m === 'object' && m !== null && ArrayBuffer.isView(m.data) && m.data instanceof Float64Array;
    if (!ok || !(Number.isInteger(m.rows) && Number.isInteger(m.cols) && m.rows * m.cols === m.data.length && m.cols >= 1))
      throw new KernelInputError(name, 'a Float64Array or a Matrix { data, rows, cols } of at least 1 column', describeValue(m));
  } else if (!(m.data instanceof Float64Array)) throw new KernelInputError(name, 'a Float64Array', describeValue(m.data));
  const need = minObservations(model) + model.lags;
  if (m.rows < need) throw new KernelInputError(name, `at least ${need} returns for this model`, `${m.rows}`);
  if (finite) requireFinite(m.data, m.cols, name);
}

/**
 * Throws at the first NaN or infinity of returns (row-major, `cols` columns) the error naming `name`
 * (the native binding's own check throws the same: native/binding/volatility_binding.cc).
 */
export function requireFinite(data: Float64Array, cols: number, name = 'returns'): void {
  const i = firstNonFinite(data);
  if (i >= 0) {
    const at = cols === 1 ? `row ${i}` : `row ${Math.floor(i / cols)}, column ${i % cols}`;
    throw new KernelInputError(name, 'finite returns', `${describeValue(data[i])} at ${at}`);
  }
}

/** A parameter vector by name. */
export function paramsObject(m: Model, x: Float64Array): GarchParams {
  let i = 0;
  const mu = m.mean === MEAN_ZERO ? undefined : x[i++];
  const ar = m.lags > 0 ? x.slice(i, (i += m.lags)) : undefined;
  const omega = x[i++];
  const alpha = x.slice(i, (i += m.p));
  const gamma = x.slice(i, (i += m.o));
  const beta = x.slice(i, (i += m.q));
  // assigned in arch's order (the keys' order), not spread from conditional objects: 2.4 -> 0.5 us, and
  // a panel's 1,000 of them are serial work of its call
  const out = {} as { -readonly [K in keyof GarchParams]: GarchParams[K] };
  if (mu !== undefined) out.mu = mu;
  if (ar) out.ar = ar;
  out.omega = omega;
  out.alpha = alpha;
  out.gamma = gamma;
  out.beta = beta;
  for (const extra of PROCESSES[m.vol].extras(m)) out[extra as 'delta'] = x[i++];
  for (const shape of DISTRIBUTIONS[m.dist].shapes) out[shape] = x[i++];
  return out;
}

function numberAt(o: Record<string, unknown>, key: string, name: string): number {
  const v = o[key];
  if (typeof v !== 'number') throw new KernelInputError(`${name}.${key}`, 'a number', describeValue(v));
  return v;
}

function arrayAt(o: Record<string, unknown>, key: string, n: number, name: string): ArrayLike<number> {
  const v = o[key];
  if (n === 0 && v === undefined) return [];
  const ok = (v instanceof Float64Array || Array.isArray(v)) && v.length === n && Array.from(v).every((x) => typeof x === 'number');
  if (!ok) throw new KernelInputError(`${name}.${key}`, `${n} numbers (a Float64Array)`, describeValue(v));
  return v as ArrayLike<number>;
}

/** Parameters given by name or as a vector, in arch's order. */
export function paramsVector(m: Model, given: unknown, name: string): Float64Array {
  const k = paramCount(m);
  if (given instanceof Float64Array) {
    if (given.length !== k) throw new KernelInputError(name, `${k} parameters in arch's order`, `${given.length}`);
    return Float64Array.from(given);
  }
  if (typeof given !== 'object' || given === null)
    throw new KernelInputError(name, 'the parameters by name, or a Float64Array', describeValue(given));
  const o = given as Record<string, unknown>;
  const x: number[] = [];
  if (m.mean !== MEAN_ZERO) x.push(numberAt(o, 'mu', name));
  if (m.lags > 0) x.push(...Array.from(arrayAt(o, 'ar', m.lags, name)));
  x.push(numberAt(o, 'omega', name));
  x.push(...Array.from(arrayAt(o, 'alpha', m.p, name)));
  x.push(...Array.from(arrayAt(o, 'gamma', m.o, name)));
  x.push(...Array.from(arrayAt(o, 'beta', m.q, name)));
  for (const extra of PROCESSES[m.vol].extras(m)) x.push(numberAt(o, extra, name));
  for (const shape of DISTRIBUTIONS[m.dist].shapes) x.push(numberAt(o, shape, name));
  return Float64Array.from(x);
}

/** arch's bounds and constraints that do not depend on the data, each a KernelInputError naming the parameter. */
export function checkParams(m: Model, x: Float64Array, name: string): void {
  const km = m.mean === MEAN_ZERO ? 0 : 1 + m.lags;
  const iw = km;
  const ia = iw + 1;
  const ig = ia + m.p;
  const ib = ig + m.o;
  const ix = ib + m.q;
  const id = ix + extraCount(m);
  const fail = (key: string, expected: string, v: number): never => {
    throw new KernelInputError(`${name}.${key}`, expected, describeValue(v));
  };
  x.forEach((v, i) => {
    if (!Number.isFinite(v)) fail(i < km ? 'mean' : 'volatility', 'finite parameters', v);
  });
  const within = (key: string, v: number, lo: number, hi: number) => {
    if (!(v >= lo && v <= hi)) fail(key, `a value in [${lo}, ${hi}]`, v);
  };
  PROCESSES[m.vol].check(m, x, { iw, ia, ig, ib, ix }, fail);
  const { shapes, bounds } = DISTRIBUTIONS[m.dist];
  shapes.forEach((shape, j) => within(shape, x[id + j], bounds[j][0], bounds[j][1]));
}
