/**
 * The crossovers (src/kernels/indicators/signals.ts): vectorbt 1.1.0's crossed_above_1d_nb, one output
 * column at a time. native/kernels/indicators/crossed.cpp mirrors it.
 */

/**
 * crossedAbove over the column pairs: output column j (of `pairsA.length`) compares a's column
 * pairsA[j] (a: rows x aCols) with b's column pairsB[j] (rows x bCols); out (rows x pairs) gets 1
 * where vectorbt's rule fires with its `wait`, else 0.
 */
export function crossedAbove(
  a: Float64Array,
  aCols: number,
  b: Float64Array,
  bCols: number,
  rows: number,
  pairsA: Int32Array,
  pairsB: Int32Array,
  wait: number,
  out: Uint8Array,
): Uint8Array {
  const k = pairsA.length;
  for (let j = 0; j < k; j++) {
    const ca = pairsA[j];
    const cb = pairsB[j];
    let wasBelow = false;
    let crossedAgo = -1;
    for (let t = 0; t < rows; t++) {
      const x = a[t * aCols + ca];
      const y = b[t * bCols + cb];
      let fired = false;
      if (Number.isNaN(x) || Number.isNaN(y)) {
        crossedAgo = -1;
        wasBelow = false;
      } else if (x > y) {
        if (wasBelow) {
          crossedAgo += 1;
          fired = crossedAgo === wait;
        }
      } else if (x === y) {
        crossedAgo = -1;
      } else {
        crossedAgo = -1;
        wasBelow = true;
      }
      out[t * k + j] = fired ? 1 : 0;
    }
  }
  return out;
}

/** crossedBelow(a, b) = crossedAbove(b, a), as vectorbt's crossed_below computes it. */
export function crossedBelow(
  a: Float64Array,
  aCols: number,
  b: Float64Array,
  bCols: number,
  rows: number,
  pairsA: Int32Array,
  pairsB: Int32Array,
  wait: number,
  out: Uint8Array,
): Uint8Array {
  return crossedAbove(b, bCols, a, aCols, rows, pairsB, pairsA, wait, out);
}
