/**
 * Parity tolerance: float64 CPU backends agree with the reference to 1e-12 relative, measured against
 * the scale of the quantity (a bucket's volume for buy/sell volumes, 1 for VPIN and CDF, the value
 * itself otherwise). NaN matches NaN only. A backend that sums in another order (BLAS) states its own
 * tolerance per kernel (BACKEND_RTOL).
 */
import { expect } from 'vitest';
import { KernelInputError, kernels, type Kernels } from '../../src/index.js';

const ref = kernels({ backend: 'reference' });

export const PARITY_RTOL = 1e-12;

/**
 * The tolerances of the backends whose results are not the reference's bits, per kernel (the others
 * are within PARITY_RTOL). BLAS sums in its own order, blocked, with fused multiply-adds: covariance
 * within 1e-10 of sqrt(S_ii S_jj) (the bound of |S_ij|: a cross-product's rounding scales with it), the
 * shrinkage within 1e-10 of 1; portfolio variances w'Sw within 1e-12 of |w|'|S||w|; the Monte Carlo
 * scenarios (the same normals; only the Cholesky factor rounds differently) and VaR/ES within 1e-10 of
 * each asset's or portfolio's scale. factorReturns' fits and residuals within 1e-9 of the date's largest
 * |return| or of the fit's terms (the parity suite's fits()): X'WX summed by dsyrk over rows scaled by
 * sqrt(w), solved by Cholesky only where its condition number is below 1e6 (else the reference's own
 * sums and solve, bit for bit); 3e-11 at most over 48,000 fast-check panels, 30x of margin.
 */
export const BACKEND_RTOL: Record<string, Record<string, number>> = {
  blas: { covariance: 1e-10, portfolioVolatility: 1e-12, monteCarloVar: 1e-10, monteCarloScenarios: 1e-10, factorReturns: 1e-9 },
  // tfjs computes in float32 (2^-24 = 6e-8 a rounding), measured against the same scales as BLAS:
  tfjs: {
    // buy volume within 1e-5 of the bar's volume: z = dP / sigma and F rounded in float32, tfjs's erf
    // (Abramowitz-Stegun 7.1.26, |error| <= 1.5e-7), the sample sigma's float32 sums over the bars
    // (this and the Monte Carlo and w'Sw rows also held at 1e-6 over 4 x 150 runs: 10x margin)
    bulkClassify: 1e-5,
    // within 1e-5 of sqrt(S_ii S_jj) or the absolute cross-product: D'D summed in float32 (up to 60
    // rows here); the shrinkage intensity within 1e-5 of 1 (from that S; 20 x 150 runs at 1e-5 clean,
    // 1e-6 fails on single-factor intensities)
    covariance: 1e-5,
    // w'Sw within 1e-5 of |w|'|S||w|: one float32 matMul and row sum over up to 12 assets here
    portfolioVolatility: 1e-5,
    // the same normals; L'w and z . (L'w) in float32: within 1e-5 of each asset's or portfolio's scale
    monteCarloVar: 1e-5,
    monteCarloScenarios: 1e-5,
    // residuals and fitted returns within 1e-4 of the date's largest |return|: normal equations
    // summed in float32, solved in float64 (an ill-conditioned date amplifies their rounding; held at
    // 1e-5 over 4 x 100 runs on the float32-range panels of the parity suite)
    factorReturns: 1e-4,
  },
  // The Metal backend's shaders compute in float (2^-24 = 6e-8 a rounding) with compensated sums; the
  // host scales every row it hands over by a power of two (so huge and tiny inputs keep their digits)
  // and computes the rest in float64 (docs/metal.md). The same tolerances for the GPU ('metal') and the
  // shaders compiled as C++ on the CPU ('metal-cpu'):
  ...Object.fromEntries(
    ['metal', 'metal-cpu'].map((name) => [
      name,
      {
        // buy volume within 2e-6 of the bar's volume: the float normal CDF (erfc within 1.2e-7) and
        // Student-t CDF (Hill's transformation, or the incomplete beta's continued fraction) are within
        // 5e-7 of the reference's for every z and nu (measured), z = dP / sigma rounded to float
        bulkClassify: 2e-6,
        // w'Sw within 1e-6 of |w|'|S||w|: the equilibrated covariance and the weights rounded to float
        // (3 roundings a term), the products, and two compensated sums
        portfolioVolatility: 1e-6,
        // the normals in float (uniforms correctly rounded, Box-Muller with float log, sqrt, sin, cos:
        // a few ulps of |z|) and L z or (L'w) . z with compensated sums: within 1e-5 of each asset's or
        // portfolio's scale (sum_j |L_ij z_j| is up to a few times the asset's sd)
        monteCarloVar: 1e-5,
        monteCarloScenarios: 1e-5,
        // fitted returns and residuals within 1e-4 of the date's largest |return|: the styles' normal
        // equations summed in float, solved in float64 (an ill-conditioned date amplifies their rounding)
        factorReturns: 1e-4,
      },
    ]),
  ),
};

/**
 * The backends that compute in float32 (tfjs, and the Metal backend's shaders on the GPU or on the
 * CPU): no result of theirs is expected to be the reference's bits, even where the other backends' are.
 */
export const FLOAT32_BACKENDS = new Set(['tfjs', 'metal', 'metal-cpu']);

/**
 * The magnitude below which a backend's rounding is absolute rather than relative: double's smallest
 * normal, float32's (1.2e-38) for tfjs, which also flushes smaller values to 0. Scales are floored there.
 */
export const BACKEND_FLOOR: Record<string, number> = { tfjs: 2 ** -126 };

/** The floor of `backend`'s scales (BACKEND_FLOOR, else double's smallest normal). */
export function floorOf(backend: string): number {
  return BACKEND_FLOOR[backend] ?? 2 ** -1022;
}

/**
 * The largest input magnitude a backend takes (float32's largest for tfjs): a finite value beyond it
 * is a KernelInputError there, where the float64 backends compute.
 */
export const BACKEND_MAX: Record<string, number> = { tfjs: 3.4028234663852886e38 };

/** True when every value of `arrays` is within `backend`'s range (NaN and infinities are other faults). */
export function withinRange(backend: string, ...arrays: ArrayLike<number>[]): boolean {
  const max = BACKEND_MAX[backend] ?? Number.MAX_VALUE;
  return arrays.every((a) => Array.prototype.every.call(a, (x: number) => !(Number.isFinite(x) && Math.abs(x) > max)));
}

/** The tolerance of `backend` for `kernel`. */
export function tolerance(backend: string, kernel: string): number {
  return BACKEND_RTOL[backend]?.[kernel] ?? PARITY_RTOL;
}

/** Named columns; a number is a column of one (a one-problem result's statistic). */
type Columns = Record<string, ArrayLike<number> | number>;

/**
 * Asserts two float arrays hold the same bits (NaN payloads and -0 included), naming the first element
 * that differs. One byte compare, then a scan only on a mismatch: toEqual over millions of numbers took
 * seconds a call.
 */
export function expectSameBits(actual: Float64Array | Float32Array, expected: Float64Array | Float32Array, label = 'array'): void {
  expect(actual.length, `${label}.length`).toBe(expected.length);
  const bytes = (x: Float64Array | Float32Array) => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const [a, e] = [bytes(actual), bytes(expected)];
  if (Buffer.compare(a, e) === 0) return;
  const size = actual.BYTES_PER_ELEMENT;
  const i = Math.floor(a.findIndex((b, k) => b !== e[k]) / size);
  const hex = (x: Uint8Array) =>
    Buffer.from(x.subarray(i * size, (i + 1) * size))
      .reverse()
      .toString('hex');
  expect.fail(`${label}[${i}]: ${actual[i]} (0x${hex(a)}) vs expected ${expected[i]} (0x${hex(e)})`);
}

/**
 * Asserts two column sets are equal within `rtol` (default the parity tolerance) relative to the larger
 * of the two values and the column's scale (a number, or one per element), naming the first mismatch.
 */
export function expectColumnsClose(
  actual: Columns,
  expected: Columns,
  scale: Record<string, number | ArrayLike<number>> = {},
  rtol = PARITY_RTOL,
): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const key of Object.keys(expected)) {
    const column = (v: ArrayLike<number> | number) => (typeof v === 'number' ? [v] : v);
    expect(typeof actual[key], `${key}: a number where one is expected`).toBe(typeof expected[key]);
    const a = column(actual[key]);
    const e = column(expected[key]);
    expect(a.length, `${key}.length`).toBe(e.length);
    const s = scale[key] ?? 0;
    for (let i = 0; i < e.length; i++) {
      const x = a[i];
      const y = e[i];
      if (Number.isNaN(y) || Number.isNaN(x)) {
        if (!(Number.isNaN(x) && Number.isNaN(y))) expect.fail(`${key}[${i}]: ${x} vs expected ${y}`);
        continue;
      }
      if (x === y) continue; // equal infinities included
      // an infinity against anything else (its tolerance below would be infinite too)
      if (!Number.isFinite(x) || !Number.isFinite(y)) expect.fail(`${key}[${i}]: ${x} vs expected ${y}`);
      const tol = rtol * Math.max(Math.abs(x), Math.abs(y), typeof s === 'number' ? s : s[i]);
      if (!(Math.abs(x - y) <= tol)) expect.fail(`${key}[${i}]: ${x} vs expected ${y} (tolerance ${tol})`);
    }
  }
}

/**
 * Asserts VPIN outputs equal as expectColumnsClose does, with `cdf` held as what it is, a rank: where a CDF
 * value differs from the reference's, it must be a rank the reference's VPIN values allow once values within
 * the tolerance count as ties (a last-bit difference between two tied VPIN values moves a rank from 0.5 to 1).
 */
export function expectVpinClose(
  actual: Record<string, ArrayLike<number>>,
  expected: Record<string, ArrayLike<number>>,
  options: { bucketVolume: number; cdfWindow?: number | 'all' },
  rtol = PARITY_RTOL,
): void {
  const { cdf: a, ...rest } = actual;
  const { cdf: e, ...expectedRest } = expected;
  const v = options.bucketVolume;
  expectColumnsClose(rest, expectedRest, { buyVolume: v, sellVolume: v, vpin: 1 }, rtol);
  expect(a.length, 'cdf.length').toBe(e.length);
  const values: number[] = [];
  for (let j = 0; j < e.length; j++) {
    const vpin = expected.vpin[j];
    if (!Number.isNaN(vpin)) values.push(vpin);
    if (Object.is(a[j], e[j]) || Math.abs(a[j] - e[j]) <= rtol) continue;
    const w = options.cdfWindow ?? 'all';
    const last = w === 'all' ? values : values.slice(-w);
    const tol = rtol * Math.max(1, Math.abs(vpin));
    const lo = last.filter((x) => x < vpin - tol).length / last.length;
    const hi = last.filter((x) => x <= vpin + tol).length / last.length;
    if (!(a[j] >= lo - rtol && a[j] <= hi + rtol)) expect.fail(`cdf[${j}]: ${a[j]} vs expected ${e[j]} (ranks with ties ${lo}..${hi})`);
  }
}

/** `call` throws a KernelInputError on the reference, and the same message on backend `k`. */
export function expectSameFault(call: (k: Kernels) => unknown, k: Kernels): void {
  let expected: unknown;
  try {
    call(ref);
  } catch (error) {
    expected = error;
  }
  expect(expected).toBeInstanceOf(KernelInputError);
  expect(() => call(k)).toThrow((expected as Error).message);
}
