/**
 * Shared by the Arrow and Parquet tests: a table that exercises every bit a writer could lose, and a
 * bit-for-bit comparison of two tables.
 */
import { expect } from 'vitest';
import { isText, type Table, type TextColumn } from '../../src/io/types.js';

/** A NaN whose payload is not the canonical one: a writer that normalises NaN loses it. */
function oddNaN(): number {
  const f = new Float64Array(1);
  new Uint32Array(f.buffer).set([0x1234, 0x7ff80001]);
  return f[0];
}

/**
 * Eight rows: numbers at the edges of float64 (NaN with a payload, -0, the smallest subnormal, the
 * largest double, infinities); times as whole milliseconds (written as Timestamp(ms)), with
 * sub-millisecond fractions that nanoseconds hold (Timestamp(ns)) and ones they do not (-0, tiny
 * fractions, infinity: Float64 marked as time); text with commas, quotes, unicode, empty and missing.
 */
export function sampleTable(): Table {
  const price = new Float64Array([0.1 + 0.2, -0, Number.NaN, 5e-324, Number.MAX_VALUE, Number.NEGATIVE_INFINITY, 1e-310, 0]);
  price[7] = oddNaN();
  const ms = new Float64Array([1_700_000_000_000, 1_700_000_000_001, Number.NaN, -86_400_000, 0, 253_402_300_799_999, 1, -1]);
  const ns = new Float64Array([
    1_700_000_000_017.274,
    1_700_000_000_123 + 456_789 / 1e6,
    Number.NaN,
    1_600_000_000_000.5,
    -1_500_000_000_000.25,
    1e12,
    0.001,
    2.5,
  ]);
  const odd = new Float64Array([-0, 123_456_789.000_244_140_625, Number.POSITIVE_INFINITY, Number.NaN, 5, 1e-9, 1, 2]);
  const volume = new Float64Array([100, 200, 1e15, 2 ** 53, 3, 0, 7, 9]);
  const symbol: TextColumn = {
    codes: Int32Array.from([0, 1, 2, -1, 3, 4, 0, 5]),
    values: ['AAPL', 'a,b', 'say "hi", then go', 'é 日本 🙂', '', 'line\nbreak'],
  };
  return {
    rows: 8,
    names: ['ms', 'symbol', 'price', 'volume', 'ns', 'odd'],
    columns: { ms, symbol, price, volume, ns, odd },
    types: { ms: 'time', symbol: 'text', price: 'number', volume: 'number', ns: 'time', odd: 'time' },
  };
}

/** The bytes of a float64 column, to compare bit for bit (NaN payloads and -0 included). */
const bits = (a: Float64Array) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

/**
 * Expects `got` to be `want`: names, types, rows; numbers and times bit for bit; text row by row (and
 * with the same codes and values when `sameCodes`: Parquet writers may re-order a dictionary).
 */
export function expectSameTable(got: Table, want: Table, opts: { sameCodes?: boolean } = {}): void {
  expect(got.rows).toBe(want.rows);
  expect(got.names).toEqual(want.names);
  expect(got.types).toEqual(want.types);
  for (const name of want.names) {
    const g = got.columns[name];
    const w = want.columns[name];
    if (isText(w)) {
      expect(isText(g)).toBe(true);
      const gt = g as TextColumn;
      const rowsOf = (c: TextColumn) => Array.from(c.codes, (k) => (k < 0 ? null : c.values[k]));
      expect(rowsOf(gt), name).toEqual(rowsOf(w));
      if (opts.sameCodes) expect(gt, name).toEqual(w);
    } else {
      expect(g, name).toBeInstanceOf(Float64Array);
      expect(bits(g as Float64Array), name).toEqual(bits(w));
    }
  }
}
