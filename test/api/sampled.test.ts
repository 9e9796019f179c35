/**
 * The sampled parity suite: every kernel whose descriptor has a `sample` (src/kernels/sample.ts), on
 * every float64 CPU backend that implements it, against the reference on seeded inputs. A kernel added
 * with a sample gets this row without a line here. Each output value within the backend's tolerance
 * for the kernel (tolerance(): 1e-12 relative unless BACKEND_RTOL states one) of the reference's,
 * relative to the larger of the value and the output's largest magnitude (the scale rounding in another
 * order is bounded by), NaN where the reference has NaN; or both throwing the same message. The
 * detailed suites (test/<family>/parity.test.ts) add edge cases and the float32 backends.
 */
import { expect, it } from 'vitest';
import type { Kernels } from '../../src/index.js';
import { KERNEL_SPECS } from '../../src/kernels/families.js';
import { Sampler } from '../../src/kernels/sample.js';
import { describeEachBackend, ref, type Supports } from '../helpers/backends.js';
import { FLOAT32_BACKENDS, tolerance } from '../helpers/compare.js';

const SEEDS = 25;

/** The numbers of a result in a fixed order: [path, values] per array or number. */
function leaves(x: unknown, path = 'result', out: [string, ArrayLike<number>][] = []): [string, ArrayLike<number>][] {
  if (typeof x === 'number') out.push([path, [x]]);
  else if (ArrayBuffer.isView(x)) out.push([path, x as unknown as ArrayLike<number>]);
  else if (Array.isArray(x)) x.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
  else if (x && typeof x === 'object')
    for (const key of Object.keys(x).sort()) leaves((x as Record<string, unknown>)[key], `${path}.${key}`, out);
  return out;
}

/** The value or the thrown message of a call. */
function outcome(call: () => unknown): { value?: unknown; error?: string } {
  try {
    return { value: call() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const sampled = Object.entries(KERNEL_SPECS).filter(([, spec]) => spec.sample !== undefined);

it('the kernels with a sample include every risk kernel', () => {
  const risk = sampled.map(([name]) => name);
  for (const name of ['simpleReturns', 'covariance', 'rolling', 'varBacktest', 'monteCarloScenarios']) expect(risk).toContain(name);
});

describeEachBackend('sampled parity', (k: Kernels, backend, supports: Supports) => {
  if (FLOAT32_BACKENDS.has(backend)) {
    it.skip("a float32 backend: its scales are the detailed parity suites' (BACKEND_RTOL)", () => {});
    return;
  }
  for (const [name, spec] of sampled) {
    it.runIf(supports(name as never))(`${name}: ${SEEDS} samples as the reference`, () => {
      const rtol = tolerance(backend, name);
      const call = (kernels: Kernels, args: readonly unknown[]) =>
        (kernels as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args);
      for (let seed = 1; seed <= SEEDS; seed++) {
        const args = (spec.sample as (s: Sampler) => readonly unknown[])(new Sampler(seed));
        const want = outcome(() => call(ref, args));
        const got = outcome(() => call(k, args));
        expect(got.error, `${name} seed ${seed}`).toBe(want.error);
        if (want.error !== undefined) continue;
        const expected = leaves(want.value);
        const actual = leaves(got.value);
        expect(
          actual.map(([p]) => p),
          `${name} seed ${seed}`,
        ).toEqual(expected.map(([p]) => p));
        expected.forEach(([path, e], j) => {
          const a = actual[j][1];
          expect(a.length, path).toBe(e.length);
          let scale = 0;
          for (let i = 0; i < e.length; i++) if (Number.isFinite(e[i])) scale = Math.max(scale, Math.abs(e[i]));
          for (let i = 0; i < e.length; i++) {
            const [x, y] = [Number(a[i]), Number(e[i])];
            const ok = Number.isNaN(y) ? Number.isNaN(x) : x === y || Math.abs(x - y) <= rtol * Math.max(Math.abs(y), scale, 2 ** -1022);
            if (!ok) expect(x, `${name} seed ${seed} ${path}[${i}]`).toBe(y);
          }
        });
      }
    });
  }
});
