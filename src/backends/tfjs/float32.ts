/**
 * TensorFlow.js computes in float32. What crosses from the float64 API into a tensor goes through
 * here: a finite value that float32 cannot hold (|x| > 3.4028235e38 would become Infinity) is a
 * KernelInputError naming the argument, checked before any tfjs op; magnitudes below float32's range
 * (1.2e-38; 1.4e-45 for subnormals) round towards 0, as float32 arithmetic does (documented in
 * docs/tfjs.md). NaN stays NaN.
 */
import { KernelInputError } from '../../errors.js';

/** The largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** What the range errors say is expected. */
export const FLOAT32_EXPECTED = `values within float32 range, |x| <= ${FLOAT32_MAX} (the tfjs backend computes in float32)`;

/** `name[row][col]` of a row-major element (`name[i]` for one column). */
function cell(name: string, index: number, cols: number): string {
  const row = Math.floor(index / cols);
  return cols <= 1 ? `${name}[${row}]` : `${name}[${row}][${index - row * cols}]`;
}

/** The error for a value beyond float32's range at `index` of `name` (row-major, `cols` a row). */
export function outOfFloat32Range(name: string, index: number, value: number, cols = 1): KernelInputError {
  return new KernelInputError(name, FLOAT32_EXPECTED, `${cell(name, index, cols)} = ${value}`);
}

/**
 * `x` as float32 (into `out`, or a new array), a KernelInputError naming `name` at the first finite
 * value beyond float32's range (`cols`: the row length, for the message).
 */
export function toFloat32(x: ArrayLike<number>, name: string, cols = 1, out = new Float32Array(x.length)): Float32Array {
  for (let i = 0; i < x.length; i++) {
    out[i] = x[i];
    if (out[i] === Infinity || out[i] === -Infinity) {
      if (Number.isFinite(x[i])) throw outOfFloat32Range(name, i, x[i], cols);
    }
  }
  return out;
}

/** Checks a number (an option) that goes into a tensor: finite numbers beyond float32 are an error. */
export function requireFloat32(value: number, name: string): void {
  if (Number.isFinite(value) && !Number.isFinite(Math.fround(value))) {
    throw new KernelInputError(name, FLOAT32_EXPECTED, String(value));
  }
}

/** A float32 result widened to a new Float64Array. */
export function toFloat64(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x as ArrayLike<number>);
}
