/** The reference special-functions family: the spec's scalar functions (src/math/special.ts) over arrays. */
import { normalCdf, normalPdf, normalQuantile, normalSf, studentTCdf, studentTQuantile } from '../../../math/special.js';
import type { SpecialFamily } from '../../../kernels/special/special-family.js';

function map(f: (x: number) => number) {
  return (x: Float64Array, out = new Float64Array(x.length)): Float64Array => {
    for (let i = 0; i < x.length; i++) out[i] = f(x[i]);
    return out;
  };
}

function mapNu(f: (x: number, nu: number) => number) {
  return (x: Float64Array, nu: number, out = new Float64Array(x.length)): Float64Array => {
    for (let i = 0; i < x.length; i++) out[i] = f(x[i], nu);
    return out;
  };
}

export const referenceSpecial: SpecialFamily = {
  normalCdf: map(normalCdf),
  normalSf: map(normalSf),
  normalPdf: map(normalPdf),
  normalQuantile: map(normalQuantile),
  studentTCdf: mapNu(studentTCdf),
  studentTQuantile: mapNu(studentTQuantile),
};
