/**
 * One problem against a batch (issue 39): results flattened to numbers and plain arrays, so that a
 * one-problem call (numbers, Vectors) compares with row or column 0 of the batched call.
 */
import type { Matrix } from '../../src/index.js';

/** A result as plain numbers and arrays (a Matrix's data). */
export function plain(result: object): Record<string, number | number[]> {
  return Object.fromEntries(
    Object.entries(result).map(([k, v]) => [k, typeof v === 'number' ? v : [...((v as Matrix).data ?? (v as Float64Array))]]),
  );
}

/** Row 0 of each output of a per-problem result (a Vector of P, or a P x N Matrix). */
export function row0(result: object): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  for (const [key, v] of Object.entries(result)) {
    if (v instanceof Float64Array) out[key] = v[0];
    else out[key] = [...(v as Matrix).data.subarray(0, (v as Matrix).cols)];
  }
  return out;
}

/** Column 0 of each output of a per-column result (a Vector of N, or a T x N Matrix). */
export function column0(result: object): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  for (const [key, v] of Object.entries(result)) {
    if (v instanceof Float64Array) out[key] = v[0];
    else {
      const m = v as Matrix;
      out[key] = Array.from({ length: m.rows }, (_, r) => m.data[r * m.cols]);
    }
  }
  return out;
}
