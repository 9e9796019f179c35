/**
 * The stored arch 8.0.0 cases (test/fixtures/volatility/arch.json and arch-aparch.json, written by
 * scripts/volatility-fixtures.py; no Python at test time) and the comparisons the volatility tests share.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { ModelOptions } from '../../src/kernels/volatility/volatility.js';

type Nums = (number | null)[];
export interface Case {
  name: string;
  series: string;
  spec: Required<ModelOptions>;
  fit: {
    params: number[];
    names: string[];
    logLikelihood: number;
    conditionalVolatility: Nums;
    standardizedResiduals: Nums;
    stdErrors: number[];
    aic: number;
    bic: number;
    nobs: number;
  };
  tight: { params: number[]; logLikelihood: number };
  stdErrorsAt: { params: number[]; stdErrors: number[] };
  fix: { params: number[]; logLikelihood: number; conditionalVolatility: Nums; standardizedResiduals: Nums };
  forecast: { horizon: number; mean: number[]; variance: number[]; residualVariance: number[] };
  forecastAtFix: { horizon: number; mean: number[]; variance: number[]; residualVariance: number[] };
}

export interface Fixture {
  arch: string;
  series: Record<string, number[]>;
  cases: Case[];
}
const load = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/volatility/${name}`, import.meta.url), 'utf8')) as Fixture;
export const fixture = load('arch.json');
/** APARCH's cases (arch 8.0's APARCH, its delta estimated or fixed; the series are arch.json's). */
export const aparchFixture = load('arch-aparch.json');

export const returnsOf = (c: Case) => Float64Array.from(fixture.series[c.series]);
export const num = (x: number | null) => (x === null ? Number.NaN : x);

/** Every element within `rtol` of the expected, relative to max(|expected|, floor); NaN where expected NaN. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number | null>, rtol: number, floor = 1e-300): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = num(expected[i]);
    if (Number.isNaN(e)) {
      expect(actual[i]).toBeNaN();
      continue;
    }
    worst = Math.max(worst, Math.abs(actual[i] - e) / Math.max(Math.abs(e), floor));
  }
  expect(worst).toBeLessThanOrEqual(rtol);
}
