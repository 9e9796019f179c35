/**
 * The special functions as a kernel family: the scalar functions of special.ts mapped over a
 * Float64Array (NaN in, NaN out; never an error for a value), so that backends can run them in bulk and
 * the parity suite can hold them to the reference.
 */
import { normalCdf, normalPdf, normalQuantile, normalSf, studentTCdf, studentTQuantile } from '../../math/special.js';
import { outputNamed, requireKnownOptions, type Call, type KernelSpec, type OutputSpec } from '../descriptor.js';
import { aboveZero, checkParam, param } from '../param-rules.js';
import type { Sampler } from '../sample.js';
import { requireFloat64Array, requireOut } from '../validate.js';

/** The special functions as a backend implements them (inputs checked by the API). */
export interface SpecialFamily {
  normalCdf(x: Float64Array, out?: Float64Array): Float64Array;
  normalSf(x: Float64Array, out?: Float64Array): Float64Array;
  normalPdf(x: Float64Array, out?: Float64Array): Float64Array;
  normalQuantile(p: Float64Array, out?: Float64Array): Float64Array;
  studentTCdf(t: Float64Array, nu: number, out?: Float64Array): Float64Array;
  studentTQuantile(p: Float64Array, nu: number, out?: Float64Array): Float64Array;
}

/** Options of a special function over an array: `out`, a caller-owned output (see OutOption). */
export interface SpecialOptions {
  out?: Float64Array;
}

/** The Student-t functions' packed parameter: the degrees of freedom, a number > 0 (Infinity is the normal). */
const NU = param('nu', aboveZero('Infinity for the normal'), 'nu');

/** Checks the degrees of freedom of the Student-t functions (NU's rule), naming `name`. */
export function requireNu(nu: unknown, name = 'nu'): number {
  return checkParam(NU, nu, name);
}

/**
 * A special function of x: a number gives a number (pure TS), a Float64Array an array (the backend),
 * written into `options.out` when given (a Float64Array of x's length sharing no memory with x).
 */
export interface SpecialFunction {
  (x: number): number;
  (x: Float64Array, options?: SpecialOptions): Float64Array;
}
/** A Student-t function of (x, nu), number or Float64Array like SpecialFunction. */
export interface StudentTFunction {
  (x: number, nu: number): number;
  (x: Float64Array, nu: number, options?: SpecialOptions): Float64Array;
}

/** The special functions (each also exists as `<name>Async`, for arrays). */
export interface SpecialKernels {
  /** Standard normal CDF Phi(x) (W. J. Cody's erf/erfc; full double precision). */
  normalCdf: SpecialFunction;
  /** Its complement 1 - Phi(x), without cancellation in the upper tail. */
  normalSf: SpecialFunction;
  /** Standard normal density. */
  normalPdf: SpecialFunction;
  /** Inverse of Phi (Wichura AS241): p in [0, 1], else NaN. */
  normalQuantile: SpecialFunction;
  /** Student-t CDF with nu > 0 degrees of freedom. */
  studentTCdf: StudentTFunction;
  /** Inverse of the Student-t CDF. */
  studentTQuantile: StudentTFunction;
}

const nu = [NU] as const;

/** Every special function's one output (see asOutputs). */
const yOutput = outputNamed('y');

/**
 * A function of x: a number computed here (src/math), an array by the backend (the argument named
 * `arg` in errors); `draw` one sample value.
 */
function normal(scalar: (x: number) => number, arg: string, draw: (s: Sampler) => number) {
  const spec = {
    params: [],
    signature: `${arg}[n]`,
    outputs: { y: ['n'] },
    dims: { n: 'n' },
    sample: (s: Sampler) => [s.fill(s.int(0, 300), () => draw(s))],
    arity: 1,
    options: ['out'],
    api(x: number | Float64Array, opts?: SpecialOptions): Call {
      if (typeof x === 'number') return { value: scalar(x) };
      requireFloat64Array(x, 'x');
      return { size: x.length, args: [x], shape: yOutput, out: arrayOut(spec, x, opts) };
    },
  } as const;
  return spec;
}

/** The checked `out` of a special function over x (undefined when not given). */
function arrayOut(spec: KernelSpec, x: Float64Array, opts: SpecialOptions | undefined): Float64Array | undefined {
  requireKnownOptions(spec, opts);
  return requireOut(opts?.out, Float64Array, x.length, [x]);
}

/** A function of (x, nu): nu checked first, then as `normal`. */
function studentT(scalar: (x: number, nu: number) => number, arg: string, draw: (s: Sampler) => number) {
  const spec = {
    params: nu,
    signature: `${arg}[n]`,
    outputs: { y: ['n'] },
    dims: { n: 'n' },
    sample: (s: Sampler) => [s.fill(s.int(0, 300), () => draw(s)), s.pick(1, 2.5, 4, 30, 1e4)],
    arity: 2,
    options: ['out'],
    api(x: number | Float64Array, v: number, opts?: SpecialOptions): Call {
      requireNu(v, nu[0].name);
      if (typeof x === 'number') return { value: scalar(x, v) };
      requireFloat64Array(x, 'x');
      return { size: x.length, args: [x, v], shape: yOutput, out: arrayOut(spec, x, opts) };
    },
  } as const;
  return spec;
}

/** A sample's x: normal draws spread over +-6 and more. */
const spread = (s: Sampler) => 6 * s.normal();
/** A sample's probability, deep in the tails now and then. */
const probability = (s: Sampler) => s.pick(s.random(), 1e-12 * s.random(), 1 - 1e-9 * s.random());

/**
 * One descriptor per special function (see descriptor.ts): Student's t packs its degrees of freedom,
 * the trailing number of its call; every function fills one value per input value.
 */
export const SPECIAL_KERNELS = {
  normalCdf: normal(normalCdf, 'x', spread),
  normalSf: normal(normalSf, 'x', spread),
  normalPdf: normal(normalPdf, 'x', spread),
  normalQuantile: normal(normalQuantile, 'p', probability),
  studentTCdf: studentT(studentTCdf, 't', spread),
  studentTQuantile: studentT(studentTQuantile, 'p', (s) => s.random()),
} as const satisfies { [K in keyof SpecialFamily]: OutputSpec };
