/**
 * A wide panel against TA-Lib's own numbers (fixtures.ts): 101 columns of the fixture cases, laid out
 * for the native backend's blocks of 16 columns (native/kernels/indicators/lanes.hpp: a block whose
 * columns all start on one row is computed side by side, another column by column): five blocks of
 * one case each (the 'gaps' block starting on a later row, its leading NaNs), one block of the cases
 * in turn (different first rows), and five columns left over. Every column of every indicator, for
 * each of TA-Lib's parameter sets on the whole cases, equals TA-Lib's bits, on 1 and 2 threads.
 */
import { it } from 'vitest';
import { kernels, matrix } from '../../src/index.js';
import { INDICATOR_NAMES } from '../../src/kernels/indicators/indicators.js';
import { INDICATORS_KERNELS } from '../../src/kernels/indicators/indicators-kernels.js';
import { describeEachBackend } from '../helpers/backends.js';
import { CASES, expectBits, runsOf } from './fixtures.js';

const BLOCK = 16;
const NAMES = Object.keys(CASES);
/** Column c's case: NAMES.length blocks of one case, a block of all in turn, then one column each. */
const LAYOUT = [
  ...NAMES.flatMap((name) => Array<string>(BLOCK).fill(name)),
  ...Array.from({ length: BLOCK }, (_, c) => NAMES[c % NAMES.length]),
  ...NAMES,
];
const ROWS = CASES[NAMES[0]].close.length;
const COLS = LAYOUT.length;

const panelOf = (field: 'high' | 'low' | 'close' | 'volume') => {
  const data = new Float64Array(ROWS * COLS);
  LAYOUT.forEach((name, c) => CASES[name][field].forEach((v, t) => (data[t * COLS + c] = v)));
  return matrix(data, ROWS, COLS);
};
type Panel = { data: Float64Array };
const PANEL = { high: panelOf('high'), low: panelOf('low'), close: panelOf('close'), volume: panelOf('volume') };

describeEachBackend(
  'indicators on a wide panel',
  (_k, backend) => {
    for (const threads of [1, 2]) {
      it(`every column of every indicator equals TA-Lib's bits (${threads} thread${threads > 1 ? 's' : ''})`, () => {
        const k = kernels({ backend, threads }) as unknown as Record<string, (x: unknown, o: object) => unknown>;
        for (const name of INDICATOR_NAMES) {
          const fields = INDICATORS_KERNELS[name].fields;
          const input = fields.length === 1 ? PANEL.close : Object.fromEntries(fields.map((f) => [f, PANEL[f]]));
          const runs = runsOf(name).filter((r) => r.bars === undefined);
          for (const params of new Set(runs.map((r) => JSON.stringify(r.params)))) {
            const result = k[name](input, JSON.parse(params)) as Panel & Record<string, Panel>;
            for (const run of runs.filter((r) => JSON.stringify(r.params) === params)) {
              for (const [key, expected] of Object.entries(run.outputs)) {
                const { data } = key === 'value' ? result : result[key];
                LAYOUT.forEach((caseName, c) => {
                  if (caseName !== run.case) return;
                  const column = Float64Array.from({ length: ROWS }, (_, t) => data[t * COLS + c]);
                  expectBits(column, expected, `${name} ${params} ${key} column ${c} (${run.case})`);
                });
              }
            }
          }
        }
      });
    }
  },
  'indicators',
);
