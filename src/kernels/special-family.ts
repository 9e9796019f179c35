/**
 * The special functions as a kernel family: the scalar functions of special.ts mapped over a
 * Float64Array (NaN in, NaN out; never an error for a value), so that backends can run them in bulk and
 * the parity suite can hold them to the reference.
 */
import { KernelInputError } from '../errors.js';
import type { OutputSpec } from './descriptor.js';
import { describeValue } from './validate.js';

/** The special functions as a backend implements them (inputs checked by the API). */
export interface SpecialFamily {
  normalCdf(x: Float64Array): Float64Array;
  normalSf(x: Float64Array): Float64Array;
  normalPdf(x: Float64Array): Float64Array;
  normalQuantile(p: Float64Array): Float64Array;
  studentTCdf(t: Float64Array, nu: number): Float64Array;
  studentTQuantile(p: Float64Array, nu: number): Float64Array;
}

/** Checks the degrees of freedom of the Student-t functions: a number > 0 (Infinity is the normal). */
export function requireNu(nu: unknown, name = 'nu'): number {
  if (typeof nu !== 'number' || !(nu > 0)) throw new KernelInputError(name, 'a number > 0 (Infinity for the normal)', describeValue(nu));
  return nu;
}

const each = (x: Float64Array) => ({ n: x.length });
const nu = [{ key: 'nu', name: 'nu', expected: 'a number > 0 (Infinity for the normal)' }] as const;

/**
 * One descriptor per special function (see descriptor.ts): Student's t packs its degrees of freedom,
 * the trailing number of its call; every function fills one value per input value.
 */
export const SPECIAL_KERNELS = {
  normalCdf: { params: [], outputs: { y: ['n'] }, dims: each },
  normalSf: { params: [], outputs: { y: ['n'] }, dims: each },
  normalPdf: { params: [], outputs: { y: ['n'] }, dims: each },
  normalQuantile: { params: [], outputs: { y: ['n'] }, dims: each },
  studentTCdf: { params: nu, outputs: { y: ['n'] }, dims: each },
  studentTQuantile: { params: nu, outputs: { y: ['n'] }, dims: each },
} as const satisfies { [K in keyof SpecialFamily]: OutputSpec };
