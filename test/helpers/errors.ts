/**
 * The bad-input tables of test/<family>/errors.test.ts: each case is one call of a public kernel with
 * one thing wrong, the argument its KernelInputError must name and the exact message. The message is
 * the contract (faults are formatted once, in TS, whichever backend found them), so every case runs
 * on the reference and on every other backend that implements its kernel (native included, required
 * in CI), synchronously and through `<kernel>Async` where the kernel has one.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, kernels, type Kernels } from '../../src/index.js';
import { describeEachBackend, type Supports } from './backends.js';
import type { FamilyName, KernelName } from '../../src/api/index.js';

/** One bad input: `k[kernel](...args)` throws KernelInputError(argument) with exactly `message`. */
export interface ErrorCase {
  title: string;
  kernel: KernelName;
  args: readonly unknown[];
  argument: string;
  message: string;
}

export const errorCase = (title: string, kernel: KernelName, args: readonly unknown[], argument: string, message: string): ErrorCase => ({
  title,
  kernel,
  args,
  argument,
  message,
});

export const f64 = (...xs: number[]) => Float64Array.from(xs);

/** A copy of `src` with src[i] = v. */
export function withValue(src: Float64Array, i: number, v: number): Float64Array {
  const out = src.slice();
  out[i] = v;
  return out;
}

/** A Float64Array of `n` whose buffer has been transferred away (it reads as length 0). */
export function detached(n: number): Float64Array {
  const a = new Float64Array(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

/** Runs fn and returns the KernelInputError it throws (fails when it throws something else or nothing). */
export function inputError(fn: () => unknown): KernelInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KernelInputError);
    return error as KernelInputError;
  }
  expect.fail('expected a KernelInputError');
}

/** Awaits a promise that must reject with a KernelInputError and returns it. */
export async function asyncInputError(promise: Promise<unknown>): Promise<KernelInputError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(KernelInputError);
    return error as KernelInputError;
  }
  expect.fail('expected the promise to reject with a KernelInputError');
}

type Call = (...args: readonly unknown[]) => unknown;
const callOf = (k: Kernels, name: string) => (k as unknown as Record<string, Call | undefined>)[name];

/** Registers one backend's tests of the table: the exact argument and message, sync and through `<kernel>Async`. */
function expectCases(k: Kernels, cases: readonly ErrorCase[]): void {
  for (const c of cases) {
    it(`${c.title}: ${c.argument}`, () => {
      const error = inputError(() => callOf(k, c.kernel)!(...c.args));
      expect(error.argument).toBe(c.argument);
      expect(error.message).toBe(c.message);
    });
    const promised = callOf(k, `${c.kernel}Async`);
    if (promised) {
      it(`${c.title}: ${c.argument} (${c.kernel}Async rejects)`, async () => {
        const error = await asyncInputError(Promise.resolve().then(() => promised(...c.args)));
        expect(error.argument).toBe(c.argument);
        expect(error.message).toBe(c.message);
      });
    }
  }
}

/**
 * Registers the suites of one family's table: on the reference, then on every other backend for the
 * cases whose kernel it implements (a backend that did not build is skipped locally and fails the run
 * in CI, as in the parity suites).
 */
export function describeErrorCases(family: FamilyName, cases: readonly ErrorCase[]): void {
  it('titles are unique', () => {
    expect(new Set(cases.map((c) => c.title)).size).toBe(cases.length);
  });
  describe('bad input [reference]', () => expectCases(kernels({ backend: 'reference' }), cases));
  const implemented = (supports: Supports) => cases.filter((c) => supports(c.kernel));
  describeEachBackend('bad input', (k, _name, supports) => expectCases(k, implemented(supports)), family);
}
