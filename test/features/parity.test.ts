/**
 * The features kernels on every backend against the reference: seeded inputs from the descriptors'
 * samples (views at offsets, SharedArrayBuffer views, empty tapes, gaps of days, sessions),
 * synchronously and through `<name>Async`. The same bits (the native kernels follow the reference's
 * order of operations, the realized measures' logs fdlibm's, as V8's Math.log), but where the C
 * library's log, exp or sin is called (the bar estimators, the realized kernel's weights): those may
 * differ from Math's in their last bit, so 1e-13 of the output's largest value.
 */
import { expect, it } from 'vitest';
import { FEATURES_KERNELS } from '../../src/kernels/features/features-kernels.js';
import { Sampler } from '../../src/kernels/sample.js';
import type { Kernels } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';

const SEEDS = 60;
/** The kernels that take logs (or exp): within 1e-13 of the output's scale, the others bit for bit. */
const LOGS = new Set([
  'realizedKernel', // its weights' sin (tukeyHanning)
  'corwinSchultz',
  'amihudLambda',
  'hasbrouckLambda',
  'rangeVolatility',
]);
type Run = (...args: readonly unknown[]) => unknown;
const runOf = (k: Kernels, name: string) => (k as unknown as Record<string, Run>)[name];

/** A result's arrays by name (a Vector: its values and its index; numbers as one value). */
function columns(result: unknown): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const add = (name: string, v: unknown) => {
    if (typeof v === 'number') out[name] = [v];
    else if (v instanceof Float64Array) {
      out[name] = Array.from(v);
      const index = (v as { index?: ArrayLike<number> }).index;
      if (index !== undefined) out[`${name}.index`] = Array.from(index);
    }
  };
  if (result instanceof Float64Array) add('value', result);
  else for (const [name, v] of Object.entries(result as Record<string, unknown>)) add(name, v);
  return out;
}

/** Same columns, same lengths, the same bits (within `rtol` of the column's largest value). */
function expectSame(got: unknown, want: unknown, what: string, rtol: number): number {
  const g = columns(got);
  const w = columns(want);
  expect(Object.keys(g), what).toEqual(Object.keys(w));
  let values = 0;
  for (const [column, wv] of Object.entries(w)) {
    const gv = g[column];
    expect(gv.length, `${what} ${column}`).toBe(wv.length);
    values += wv.length;
    const scale = Math.max(0, ...wv.filter(Number.isFinite).map(Math.abs));
    for (let i = 0; i < wv.length; i++) {
      const same = Object.is(gv[i], wv[i]) || Math.abs(gv[i] - wv[i]) <= rtol * scale;
      if (!same) expect(gv[i], `${what} ${column}[${i}]`).toBe(wv[i]);
    }
  }
  return values;
}

describeEachBackend(
  'features parity',
  (k, _name, supports) => {
    for (const [name, spec] of Object.entries(FEATURES_KERNELS)) {
      it.runIf(supports(name as never))(`${name}: ${SEEDS} seeded inputs, the reference's values, sync and async`, async () => {
        const rtol = LOGS.has(name) ? 1e-13 : 0;
        let values = 0;
        for (let seed = 1; seed <= SEEDS; seed++) {
          const args = spec.sample(new Sampler(seed));
          const want = runOf(ref, name)(...args);
          values += expectSame(runOf(k, name)(...args), want, `${name} seed ${seed}`, rtol);
          expectSame(await runOf(k, `${name}Async`)(...args), want, `${name}Async seed ${seed}`, rtol);
        }
        // the samples give rows (not only empty results)
        expect(values).toBeGreaterThan(SEEDS);
      });
    }
  },
  'features',
);
