/**
 * Values at the edges of the trade rule (a time finite, a price finite and > 0, a volume finite and
 * >= 0), as the bits the native block test reads: zeros of both signs, the smallest and largest
 * doubles of both signs, the infinities and NaNs of both signs (a NaN's sign bit set or not).
 */
const fromBits = (bits: bigint) => new Float64Array(BigInt64Array.of(BigInt.asIntN(64, bits)).buffer)[0];

export const ODD_TRADE_VALUES: readonly number[] = [
  0,
  -0,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.NaN,
  fromBits(0xfff8000000000000n), // a NaN with its sign bit set
  fromBits(0x7ff0000000000001n), // a signalling NaN's bits
  -1,
  1,
];
