/**
 * The TA-Lib fixtures (fixtures/*.json, written by scripts/talib-fixtures/generate.sh from TA-Lib's
 * own C code: python talib's layout, null for NaN) and the bit comparison the tests hold them to.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

const dir = new URL('./fixtures/', import.meta.url);
const read = (name: string) => JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8'));

type Column = (number | null)[];
export type Bars = Record<'open' | 'high' | 'low' | 'close' | 'volume', Float64Array>;

/** One TA-Lib run: the case it ran on (its first `bars` bars, if given), the parameters (kernelbus' option names), the outputs. */
export interface Run {
  readonly case: string;
  readonly bars?: number;
  readonly params: Record<string, number | string>;
  readonly outputs: Record<string, Float64Array>;
}

/** TA-Lib's MA type numbers (TA_MAType) as kernelbus' names. */
const MA_NAMES = ['sma', 'ema', 'wma', 'dema', 'tema', 'trima', 'kama'];

/** A run's parameters as options: an MA type (maType, or a key ending in MAType) by its name. */
const optionsOf = (params: Record<string, number>) =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, /(MA|ma)Type$/.test(k) ? MA_NAMES[v] : v]));

const toArray = (values: Column) => Float64Array.from(values, (v) => (v === null ? NaN : v));

/** The first `n` bars of `bars` (all of them without n). */
export const firstBars = (bars: Bars, n?: number): Bars =>
  n === undefined ? bars : (Object.fromEntries(Object.entries(bars).map(([k, v]) => [k, v.subarray(0, n)])) as Bars);

/** The seeded input cases by name. */
export const CASES: Record<string, Bars> = Object.fromEntries(
  Object.entries(read('inputs').cases as Record<string, Record<string, Column>>).map(([name, bars]) => [
    name,
    Object.fromEntries(Object.entries(bars).map(([k, v]) => [k, toArray(v)])) as Bars,
  ]),
);

/** TA-Lib's runs of `indicator`, one per case and parameter set. */
export function runsOf(indicator: string): Run[] {
  return (read(indicator).runs as { case: string; bars?: number; params: Record<string, number>; outputs: Record<string, Column> }[]).map(
    (r) => ({
      case: r.case,
      bars: r.bars,
      params: optionsOf(r.params),
      outputs: Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, toArray(v)])),
    }),
  );
}

/** Bits of each value (NaN as one pattern), so that a mismatch reports the index and both values. */
export function expectBits(actual: Float64Array, expected: Float64Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Object.is(actual[i], expected[i]) || (Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) continue;
    expect.fail(`${what}[${i}]: ${actual[i]} (TA-Lib ${expected[i]})`);
  }
}
