/**
 * What a call hands back fresh: outputs not zeroed first, for the kernels that write every value
 * (indicators, a backtest's series), and the objects around them, made so that a result its caller
 * drops is freed by a young-generation collection.
 */
import type { Index } from './labels.js';

/**
 * Outputs from this size (bytes) are allocated uninitialised (freshOutput). Below it a zeroed array
 * costs no more (measured: allocating and filling 8,192 doubles takes 7.4 us zeroed, 5.4 us not; 1,024
 * the same 2.4 us).
 */
export const UNZEROED_OUTPUT_BYTES = 64 << 10;

/**
 * A new output of `length` doubles for a call whose caller passed none, for a kernel that writes every
 * value of it (every indicator: NaN over the warm-up, test/indicators/shapes.test.ts holds every one to
 * it; a backtest's series): from UNZEROED_OUTPUT_BYTES on the array is not zeroed first: V8 zeroes a new typed array with
 * calloc, a pass over the whole output on the calling thread alone (glibc reuses the freed memory of
 * earlier results and must clear it) before the kernel's threads write it again: the serial part of
 * a fresh panel (0.4 to 0.5 ms a 2,520 x 500 panel of 10 MB on 2 threads, docs/indicators.md).
 */
export function freshOutput(length: number): Float64Array {
  if (length * 8 < UNZEROED_OUTPUT_BYTES) return new Float64Array(length);
  return new Float64Array(Buffer.allocUnsafeSlow(length * 8).buffer);
}

/**
 * An empty plain object for a call's result (its named outputs, a backtest's records): made by
 * Object.create, not by an object literal. V8 tracks the objects of each literal in the code (its
 * allocation site) and, once most of them outlive young-generation collections (a process that keeps
 * many results, a grid's say), makes that literal's later objects in the old generation, where a result
 * its caller drops holds its outputs until a major collection (docs/backends.md, "Fresh outputs and the
 * collector"; test/backtest/result-state.test.ts). An object V8 makes outside a literal has no such site.
 */
export function resultObject(): Record<string, unknown> {
  return Object.create(Object.prototype) as Record<string, unknown>;
}

/** A Matrix's shape over `data`, a Float64Array (a Matrix) or a Uint8Array (signals). */
type ResultMatrix<D> = { data: D; rows: number; cols: number; columns?: readonly string[]; index?: Index };

/** A Matrix-shaped result over `data` (no copy), labelled where `columns` or `index` is given: made as resultObject() is. */
export function resultMatrix<D extends Float64Array | Uint8Array>(
  data: D,
  rows: number,
  cols: number,
  columns?: readonly string[],
  index?: Index,
): ResultMatrix<D> {
  const m = resultObject();
  m.data = data;
  m.rows = rows;
  m.cols = cols;
  if (columns !== undefined) m.columns = columns;
  if (index !== undefined) m.index = index;
  return m as ResultMatrix<D>;
}
