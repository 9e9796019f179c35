/**
 * The features kernels on every backend against the reference, bit for bit (the native kernels follow
 * the reference's order of operations): seeded tapes from the descriptors' samples (views at offsets,
 * SharedArrayBuffer views, empty tapes), synchronously and through `<name>Async`.
 */
import { expect, it } from 'vitest';
import { FEATURES_KERNELS } from '../../src/kernels/features/features-kernels.js';
import { Sampler } from '../../src/kernels/sample.js';
import type { Kernels } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';

const SEEDS = 60;
type Run = (...args: readonly unknown[]) => Record<string, Float64Array>;
const runOf = (k: Kernels, name: string) => (k as unknown as Record<string, Run>)[name];

/** Same columns, same lengths, the same bits. */
function expectSameBits(got: Record<string, Float64Array>, want: Record<string, Float64Array>, what: string): void {
  expect(Object.keys(got), what).toEqual(Object.keys(want));
  for (const [column, w] of Object.entries(want)) {
    expect(got[column], `${what} ${column}`).toBeInstanceOf(Float64Array);
    expect(
      Array.from(got[column]).map((x) => (Object.is(x, -0) ? '-0' : x)),
      `${what} ${column}`,
    ).toEqual(Array.from(w).map((x) => (Object.is(x, -0) ? '-0' : x)));
  }
}

describeEachBackend(
  'features parity',
  (k, _name, supports) => {
    for (const [name, spec] of Object.entries(FEATURES_KERNELS)) {
      it.runIf(supports(name as never))(`${name}: ${SEEDS} seeded tapes, the reference's bits, sync and async`, async () => {
        let bars = 0;
        for (let seed = 1; seed <= SEEDS; seed++) {
          const args = spec.sample(new Sampler(seed));
          const want = runOf(ref, name)(...args);
          expectSameBits(runOf(k, name)(...args), want, `${name} seed ${seed}`);
          expectSameBits(await runOf(k, `${name}Async`)(...args), want, `${name}Async seed ${seed}`);
          bars += want.ts.length;
        }
        // the samples close bars (not only empty results)
        expect(bars).toBeGreaterThan(SEEDS);
      });
    }
  },
  'features',
);
