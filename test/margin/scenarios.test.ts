/**
 * filteredScenarios 'ewma' on every backend against the reference, to the bit: the one-day scenarios
 * are made in the output and summed there where it has their rows (horizon 1; a longer horizon with
 * stress windows enough), in scratch memory where it does not (a longer horizon with few or no stress
 * rows); each way the same sums in the same order.
 */
import { expect, it } from 'vitest';
import { kernels, type Kernels } from '../../src/api/index.js';
import { describeEachBackend } from '../helpers/backends.js';

const reference = kernels({ backend: 'reference' });

/** Returns of `rows` x `cols`: uniform in +-2 %, with some zeros (a price that did not move) and -0. */
function returnsOf(rows: number, cols: number, seed: number): { data: Float64Array; rows: number; cols: number } {
  let s = seed;
  const data = Float64Array.from({ length: rows * cols }, () => {
    s = (s * 16807) % 2147483647;
    const u = s / 2147483647;
    return u < 0.03 ? 0 : u < 0.04 ? -0 : (u - 0.5) * 0.04;
  });
  return { data, rows, cols };
}

/** Indices where two arrays' bits differ (Object.is: -0 and NaN too). */
const differing = (a: Float64Array, b: Float64Array) => Array.from(a.keys()).filter((i) => !Object.is(a[i], b[i]));

function suite(k: Kernels): void {
  const returns = returnsOf(240, 13, 7);
  const cases: [string, number, number][] = [
    ['horizon 1, no stress (made in the output)', 1, 0],
    ['horizon 5, 8 stress rows (made in the output: its rows to the one)', 5, 8],
    ['horizon 5, 30 stress rows (made in the output)', 5, 30],
    ['horizon 5, 7 stress rows (scratch: the output is a row short)', 5, 7],
    ['horizon 10, no stress (scratch)', 10, 0],
    ['horizon 240, the whole history, 2 stress rows (scratch)', 240, 2],
  ];
  for (const [name, horizon, stressRows] of cases) {
    it(name, () => {
      const stress = stressRows > 0 ? returnsOf(stressRows, 13, 11) : undefined;
      for (const volFloor of [0, 0.5]) {
        const options = { lambda: 0.94, seed: 20, horizon, volFloor, ...(stress ? { stress } : {}) };
        const got = k.filteredScenarios(returns, options);
        const want = reference.filteredScenarios(returns, options);
        expect([got.rows, got.cols]).toEqual([want.rows, want.cols]);
        expect(got.rows).toBe(240 - horizon + 1 + (stressRows >= horizon ? stressRows - horizon + 1 : 0));
        expect(differing(got.data, want.data)).toEqual([]);
      }
    });
  }
}

describeEachBackend('filteredScenarios ewma: the reference to the bit', (k) => suite(k), 'margin');
