/**
 * Every bad input of the special functions through the public API. A value is never an error (NaN in,
 * NaN out; p outside [0, 1] gives NaN): what is refused is an argument of the wrong kind (x neither a
 * number nor a Float64Array, a detached buffer) and degrees of freedom that are not a number > 0,
 * checked before x, whether x is a number or an array.
 */
import { describe, expect, it } from 'vitest';
import { describeErrorCases, detached, errorCase as c, f64 } from '../helpers/errors.js';
import { ref } from '../helpers/backends.js';

const X = f64(-1, 0, 1);
const NU = 'a number > 0 (Infinity for the normal)';

// biome-ignore format: the table keeps one bad input per line
const cases = [
  c('normalCdf x a plain array', 'normalCdf', [[-1, 0, 1]], 'x', `x: expected a Float64Array, got an Array of length 3`),
  c('normalCdf x a Float32Array', 'normalCdf', [new Float32Array(3)], 'x', `x: expected a Float64Array, got Float32Array(3)`),
  c('normalSf x a string', 'normalSf', ['1.5'], 'x', `x: expected a Float64Array, got "1.5"`),
  c('normalSf x detached', 'normalSf', [detached(3)], 'x', `x: expected a Float64Array with an attached buffer, got a detached buffer`),
  c('normalPdf x undefined', 'normalPdf', [undefined], 'x', `x: expected a Float64Array, got undefined`),
  c('normalPdf x a bigint', 'normalPdf', [1n], 'x', `x: expected a Float64Array, got 1n`),
  c('normalPdf x an Int32Array', 'normalPdf', [Int32Array.of(1, 2)], 'x', `x: expected a Float64Array, got Int32Array(2)`),
  c('normalQuantile p null', 'normalQuantile', [null], 'x', `x: expected a Float64Array, got null`),
  c('normalQuantile p a DataView', 'normalQuantile', [new DataView(new ArrayBuffer(16))], 'x', `x: expected a Float64Array, got DataView(16)`),
  c('normalQuantile p detached', 'normalQuantile', [detached(2)], 'x', `x: expected a Float64Array with an attached buffer, got a detached buffer`),
  c('studentTCdf x a plain array', 'studentTCdf', [[0, 1], 5], 'x', `x: expected a Float64Array, got an Array of length 2`),
  c('studentTCdf x a Float32Array', 'studentTCdf', [new Float32Array(2), 5], 'x', `x: expected a Float64Array, got Float32Array(2)`),
  c('studentTCdf x detached', 'studentTCdf', [detached(2), 5], 'x', `x: expected a Float64Array with an attached buffer, got a detached buffer`),
  c('studentTCdf nu 0', 'studentTCdf', [X, 0], 'nu', `nu: expected ${NU}, got 0`),
  c('studentTCdf nu negative, x a number', 'studentTCdf', [1.5, -2], 'nu', `nu: expected ${NU}, got -2`),
  c('studentTCdf nu NaN', 'studentTCdf', [X, NaN], 'nu', `nu: expected ${NU}, got NaN`),
  c('studentTCdf nu missing', 'studentTCdf', [X], 'nu', `nu: expected ${NU}, got undefined`),
  c('studentTCdf nu a string', 'studentTCdf', [X, '5'], 'nu', `nu: expected ${NU}, got "5"`),
  c('studentTCdf nu checked before x', 'studentTCdf', [[0, 1], 0], 'nu', `nu: expected ${NU}, got 0`),
  c('studentTQuantile p a plain array', 'studentTQuantile', [[0.5], 5], 'x', `x: expected a Float64Array, got an Array of length 1`),
  c('studentTQuantile p an object', 'studentTQuantile', [{ p: 0.5 }, 5], 'x', `x: expected a Float64Array, got an object with keys ["p"]`),
  c('studentTQuantile nu -Infinity', 'studentTQuantile', [f64(0.5), -Infinity], 'nu', `nu: expected ${NU}, got -Infinity`),
  c('studentTQuantile nu null, x a number', 'studentTQuantile', [0.5, null], 'nu', `nu: expected ${NU}, got null`),
  c('studentTQuantile nu a Float64Array', 'studentTQuantile', [f64(0.5), f64(5)], 'nu', `nu: expected ${NU}, got Float64Array(1)`),
];

describeErrorCases('special', cases);

describe('values are never an error', () => {
  it('NaN, infinities, p outside [0, 1] and empty arrays give values, not KernelInputError', () => {
    expect(Array.from(ref.normalCdf(f64(NaN, -Infinity, Infinity)))).toEqual([NaN, 0, 1]);
    expect(Array.from(ref.normalQuantile(f64(-0.5, 1.5, 0, 1)))).toEqual([NaN, NaN, -Infinity, Infinity]);
    expect(ref.studentTQuantile(2, 5)).toBeNaN();
    expect(ref.studentTCdf(f64(), 3).length).toBe(0);
  });
});
