/**
 * Values at the edges of the trade rule (a time finite, a price finite and > 0, a volume finite and
 * >= 0) and of the NaN test, as the bits the native block tests read: zeros of both signs, the smallest
 * and largest doubles of both signs, the infinities and NaNs of both signs, the NaN next to infinity (a
 * signalling one). Written into a column by putOdd, through an integer view: a JavaScript number need
 * not keep a NaN's bits (V8 quiets a signalling NaN as it reads one).
 */
export const ODD_BITS: readonly bigint[] = [
  0x0000000000000000n, // 0
  0x8000000000000000n, // -0
  0x0000000000000001n, // 5e-324
  0x8000000000000001n, // -5e-324
  0x0010000000000000n, // the smallest normal
  0x7fefffffffffffffn, // Number.MAX_VALUE
  0xffefffffffffffffn, // -Number.MAX_VALUE
  0x7ff0000000000000n, // Infinity
  0xfff0000000000000n, // -Infinity
  0x7ff8000000000000n, // NaN
  0xfff8000000000000n, // a NaN with its sign bit set
  0x7ff0000000000001n, // a signalling NaN, the bits next to Infinity's
  0xfff0000000000001n, // the same with its sign bit set
  0x7fffffffffffffffn, // the largest NaN's bits
  0xbff0000000000000n, // -1
  0x3ff0000000000000n, // 1
];

/** Writes the double of these bits at column[at], through an integer view (the bits exactly). */
export function putBits(column: Float64Array, at: number, bits: bigint): void {
  new BigUint64Array(column.buffer, column.byteOffset + at * 8, 1)[0] = bits;
}

/** Writes ODD_BITS[k] (k taken modulo their count) at column[at]. */
export function putOdd(column: Float64Array, at: number, k: number): void {
  putBits(column, at, ODD_BITS[k % ODD_BITS.length]);
}
