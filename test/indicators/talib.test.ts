/**
 * Every indicator against TA-Lib's own numbers to the last bit (fixtures.ts: TA-Lib 0.6.0-dev's C
 * code; defaults and one other parameter set on a random walk, flat stretches with zero volume,
 * closes at the high or low, leading NaNs with a halted bar, and pennies near zero; TA-Lib's least
 * periods and swapped orders on two of them; the defaults on the first lookback - 1 .. lookback + 2
 * bars), as a series and as a panel of the cases (each column the series' bits, the labels kept),
 * on the reference and every backend.
 */
import { describe, expect, it } from 'vitest';
import { type Kernels, matrix } from '../../src/index.js';
import { INDICATOR_NAMES } from '../../src/kernels/indicators/indicators.js';
import { INDICATORS_KERNELS } from '../../src/kernels/indicators/indicators-kernels.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { CASES, expectBits, firstBars, runsOf } from './fixtures.js';

type Call = (input: unknown, options?: object) => Float64Array | Record<string, unknown>;

const NAMES = INDICATOR_NAMES;
const CASE_NAMES = Object.keys(CASES);

/** An indicator's input from bars: the closes, or the fields its signature reads. */
function inputOf(name: (typeof NAMES)[number], bars: Record<string, Float64Array | object>): unknown {
  const fields = INDICATORS_KERNELS[name].signature.split(', ').flatMap((a) => (a.includes('[') ? [a.slice(0, a.indexOf('['))] : []));
  return fields.length === 1 ? bars.close : Object.fromEntries(fields.map((f) => [f, bars[f]]));
}

/** The output named `key` of a result (a one-output indicator returns the series itself). */
const outputOf = (result: unknown, key: string) => (key === 'value' ? result : (result as Record<string, unknown>)[key]);

/** The four cases as a panel, column c the case CASE_NAMES[c], per bar field. */
function panelOf(field: string) {
  const rows = CASES[CASE_NAMES[0]][field as 'close'].length;
  const cols = CASE_NAMES.length;
  const data = new Float64Array(rows * cols);
  CASE_NAMES.forEach((name, c) => CASES[name][field as 'close'].forEach((v, t) => (data[t * cols + c] = v)));
  return matrix(data, rows, cols, { columns: CASE_NAMES });
}
const PANEL = Object.fromEntries(['high', 'low', 'close', 'volume'].map((f) => [f, panelOf(f)]));

function againstTalib(k: Kernels) {
  for (const name of NAMES) {
    const call = k[name] as unknown as Call;
    const runs = runsOf(name);
    it(`${name}: each case and parameter set equals TA-Lib's bits`, () => {
      for (const run of runs) {
        const result = call(inputOf(name, firstBars(CASES[run.case], run.bars)), run.params);
        for (const [key, expected] of Object.entries(run.outputs)) {
          const what = `${name} ${run.case}${run.bars === undefined ? '' : `[0, ${run.bars})`} ${JSON.stringify(run.params)} ${key}`;
          expectBits(outputOf(result, key) as Float64Array, expected, what);
        }
      }
    });
    it(`${name}: a panel of the cases gives each column TA-Lib's bits, labelled`, () => {
      const whole = runs.filter((r) => r.bars === undefined);
      for (const params of new Set(whole.map((r) => JSON.stringify(r.params)))) {
        const result = call(inputOf(name, PANEL), JSON.parse(params));
        for (const run of whole.filter((r) => JSON.stringify(r.params) === params)) {
          const c = CASE_NAMES.indexOf(run.case);
          for (const [key, expected] of Object.entries(run.outputs)) {
            const m = outputOf(result, key) as { data: Float64Array; rows: number; cols: number; columns?: readonly string[] };
            expect(m.columns).toEqual(CASE_NAMES);
            const column = Float64Array.from({ length: m.rows }, (_, t) => m.data[t * m.cols + c]);
            expectBits(column, expected, `${name} panel column ${run.case} ${params} ${key}`);
          }
        }
      }
    });
  }
}

describe('indicators against TA-Lib (reference)', () => againstTalib(ref));
describeEachBackend('indicators against TA-Lib', (k) => againstTalib(k), 'indicators');
