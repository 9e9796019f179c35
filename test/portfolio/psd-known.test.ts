/**
 * The covariance test runs at most twice per array (src/kernels/portfolio/portfolio-psd-known.ts): a
 * covariance that passed twice is remembered with a copy of its values, and an optimizer called on the
 * same array still holding them skips the Cholesky; an array changed in place since, one read as
 * another order, a stack, a failure, assumePsd and repair are each tested (or not remembered) as before.
 * minVariance tests a covariance below SELF_TEST_REMEMBERED_FROM assets itself, every call.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, type Kernels, matrix } from '../../src/index.js';
import { SELF_TEST_REMEMBERED_FROM } from '../../src/kernels/portfolio/portfolio-psd.js';
import { knownPsd, PSD_MEMORY_BYTES, rememberPsd } from '../../src/kernels/portfolio/portfolio-psd-known.js';
import { stackCovariances } from '../../src/kernels/portfolio/portfolio-shapes.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { randomCov, rng } from './kkt.js';

/** A fresh 8 x 8 covariance of 40 seeded dates (positive definite). */
const fresh = (seed: number) => randomCov(8, 40, rng(seed));

/** The error `f` throws (it must throw a KernelInputError). */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(KernelInputError);
    return (e as Error).message;
  }
  throw new Error('not refused');
}

describe('the covariances known to pass the test', () => {
  it('remembers an array with its values the second time: a change in place, another order or array is not known', () => {
    const S = fresh(1);
    expect(knownPsd(S.data, 8)).toBe(false);
    rememberPsd(S.data, 8);
    expect(knownPsd(S.data, 8)).toBe(false); // passed once: marked, not copied
    rememberPsd(S.data, 8);
    expect(knownPsd(S.data, 8)).toBe(true);
    expect(knownPsd(S.data, 4)).toBe(false); // the same values read as a stack of 4 x 4 matrices
    expect(knownPsd(Float64Array.from(S.data), 8)).toBe(false); // equal values, another buffer
    expect(knownPsd(new Float64Array(S.data.buffer, S.data.byteOffset, 64), 8)).toBe(true); // a new view of the same memory
    const bytes = new Uint8Array(S.data.buffer, S.data.byteOffset, S.data.byteLength);
    bytes[9 * 8] ^= 1; // element 9's last bit: one ulp
    expect(knownPsd(S.data, 8)).toBe(false);
    bytes[9 * 8] ^= 1;
    expect(knownPsd(S.data, 8)).toBe(true); // the values that passed again
    S.data[0] *= 0.5;
    expect(knownPsd(S.data, 8)).toBe(false);
  });

  it('holds at most PSD_MEMORY_BYTES of copies: the oldest is forgotten first, a larger array never held', () => {
    const n = 1024; // 8 MiB a matrix
    const arrays = Array.from({ length: PSD_MEMORY_BYTES / (8 * n * n) + 1 }, (_, i) => new Float64Array(n * n).fill(i));
    for (const a of arrays) for (const _ of [1, 2]) rememberPsd(a, n);
    expect(arrays.map((a) => knownPsd(a, n))).toEqual(arrays.map((_, i) => i > 0));
    rememberPsd(arrays[1], n); // remembered again: now the newest, so arrays[2] goes next
    rememberPsd(arrays[0], n);
    expect(arrays.map((a) => knownPsd(a, n))).toEqual(arrays.map((_, i) => i !== 2));
    const huge = new Float64Array(PSD_MEMORY_BYTES / 8 + 1);
    rememberPsd(huge, 1);
    rememberPsd(huge, 1);
    expect(knownPsd(huge, 1)).toBe(false);
    expect(knownPsd(arrays[3], n)).toBe(true); // and nothing was forgotten for it
  });
});

function body(k: Kernels) {
  it('a covariance that passed twice is remembered; one that failed, or was skipped or repaired, is not', () => {
    const good = fresh(2);
    expect(knownPsd(good.data, 8)).toBe(false);
    const first = k.riskParity(good);
    expect(knownPsd(good.data, 8)).toBe(false); // a new covariance each call is never copied
    expect(k.riskParity(good)).toEqual(first);
    expect(knownPsd(good.data, 8)).toBe(true);
    expect(k.riskParity(good)).toEqual(first); // no third test, the same optimum
    const mu = Float64Array.from({ length: 8 }, (_, i) => 0.05 + 0.01 * i);
    expect(k.maxSharpe(mu, good)).toEqual(k.maxSharpe(mu, matrix(Float64Array.from(good.data), 8, 8)));
    const skipped = fresh(3);
    for (const _ of [1, 2]) k.riskParity(skipped, { assumePsd: true });
    for (const _ of [1, 2]) k.riskParity(skipped, { repair: true });
    expect(knownPsd(skipped.data, 8)).toBe(false);
    const bad = fresh(4);
    bad.data[3 * 8 + 4] = bad.data[4 * 8 + 3] = 2 * Math.sqrt(bad.data[3 * 8 + 3] * bad.data[4 * 8 + 4]); // a correlation of 2
    refusal(() => k.riskParity(bad));
    refusal(() => k.riskParity(bad));
    expect(knownPsd(bad.data, 8)).toBe(false);
  });

  it('a covariance changed in place after it passed is tested again, and refused as a fresh copy is', () => {
    const S = fresh(5);
    for (const _ of [1, 2]) k.riskParity(S);
    expect(knownPsd(S.data, 8)).toBe(true);
    // correlations above 1 (half the variances): not PSD
    for (let i = 0; i < 8; i++) S.data[i * 8 + i] *= 0.25;
    const copy = matrix(Float64Array.from(S.data), 8, 8);
    const expected = refusal(() => ref.riskParity(copy));
    expect(expected).toMatch(/pivot -.* at asset \d+ in its Cholesky factorization/);
    expect(refusal(() => k.riskParity(S))).toBe(expected);
    expect(refusal(() => k.riskParity(S))).toBe(expected);
    expect(knownPsd(S.data, 8)).toBe(false);
  });

  it('a window viewed anew each call (a subarray of a stack) is remembered by its memory, not by the view', () => {
    const stack = stackCovariances([fresh(10), fresh(11)]);
    const window = (p: number) => matrix(stack.data.subarray(p * 64, (p + 1) * 64), 8, 8);
    const first = k.riskParity(window(1));
    k.riskParity(window(1));
    expect(knownPsd(window(1).data, 8)).toBe(true);
    expect(knownPsd(window(0).data, 8)).toBe(false); // another region of the same buffer
    expect(k.riskParity(window(1))).toEqual(first);
    stack.data[64 + 9] *= 3; // changed in place: no longer known
    expect(knownPsd(window(1).data, 8)).toBe(false);
  });

  it('a stack is remembered whole: one covariance changed in place is found again, by its index', () => {
    const stack = stackCovariances([fresh(6), fresh(7), fresh(8)]);
    const first = k.riskParity(stack);
    k.riskParity(stack);
    expect(knownPsd(stack.data, 8)).toBe(true);
    expect(k.riskParity(stack)).toEqual(first);
    const at = 2 * 64 + 5 * 8 + 5;
    stack.data[at] = 0; // asset 5 of covariance 2: a zero variance, nonzero covariances
    expect(refusal(() => k.riskParity(stack))).toMatch(/ at asset 5 of covariance 2 in its Cholesky/);
    expect(refusal(() => k.riskParity(stack))).toBe(refusal(() => ref.riskParity(matrix(Float64Array.from(stack.data), 24, 8))));
  });

  it('efficientFrontier and riskParity share what passed with the other optimizers', () => {
    const S = fresh(9);
    const mu = Float64Array.from({ length: 8 }, (_, i) => 0.04 + 0.01 * i);
    k.riskParity(S);
    k.maxUtility(mu, S); // its second pass, by another optimizer
    expect(knownPsd(S.data, 8)).toBe(true);
    expect(k.efficientFrontier(mu, S)).toEqual(k.efficientFrontier(mu, matrix(Float64Array.from(S.data), 8, 8)));
  });

  it('minVariance tests a small covariance itself each call (the solve reuses its factorization); a large one is remembered', () => {
    const S = fresh(12);
    const first = k.minVariance(S);
    for (const _ of [1, 2]) expect(k.minVariance(S)).toEqual(first);
    expect(knownPsd(S.data, 8)).toBe(false); // below SELF_TEST_REMEMBERED_FROM: no lookup, no copy
    for (let i = 0; i < 8; i++) S.data[i * 8 + i] *= 0.25; // changed in place: refused at once
    const expected = refusal(() => ref.riskParity(matrix(Float64Array.from(S.data), 8, 8)));
    expect(refusal(() => k.minVariance(S))).toBe(expected);
    const n = SELF_TEST_REMEMBERED_FROM;
    const big = randomCov(n, 2 * n, rng(13));
    const one = k.minVariance(big);
    k.minVariance(big);
    expect(knownPsd(big.data, n)).toBe(true);
    expect(k.minVariance(big)).toEqual(one);
    for (let i = 0; i < n; i++) big.data[i * n + i] *= 0.25;
    expect(refusal(() => k.minVariance(big))).toBe(refusal(() => ref.riskParity(matrix(Float64Array.from(big.data), n, n))));
    expect(knownPsd(big.data, n)).toBe(false);
  });
}

describe('the covariance test once per array [reference]', () => body(ref));
describeEachBackend('the covariance test once per array', body, 'portfolio');
