/**
 * The analytic Hessian of GARCH(1,1) and GJR(1,1,1), normal, Student's t and skew-t (src/backends/reference/volatility/hessian.ts;
 * the mean's parameters at most 3; its C++ twin is held to it bit for bit by the fits in parity.test.ts): its value and gradient are the
 * gradient pass's bits, and its Hessian equals central differences of the analytic gradient (to their
 * truncation error, ~1e-7 relative), for each mean, at the start of a fit and at its optimum.
 */
import { describe, expect, it } from 'vitest';
import { olsProblem, startingValues, fitSeries } from '../../src/backends/reference/volatility/fit.js';
import { hasHessian, negLogLikelihoodHessian } from '../../src/backends/reference/volatility/hessian.js';
import { gradientWork, negLogLikelihood } from '../../src/backends/reference/volatility/model.js';
import { fitLayout, type ModelOptions, resolveModel } from '../../src/kernels/volatility/volatility.js';
import { fixture, returnsOf } from './cases.js';

const SPECS: ModelOptions[] = [
  { vol: 'garch' },
  { vol: 'gjr' },
  { vol: 'garch', mean: 'zero' },
  { vol: 'gjr', mean: 'ar', lags: 2 },
  { vol: 'garch', mean: 'ar', lags: 1 },
  { vol: 'garch', dist: 't' },
  { vol: 'gjr', dist: 't', mean: 'zero' },
  { vol: 'gjr', dist: 'skewt' },
  { vol: 'garch', dist: 'skewt', mean: 'zero' },
  { vol: 'gjr', dist: 'skewt', mean: 'ar', lags: 1 },
];

/** Central differences of the analytic gradient at steps 1e-5 max(|x_i|, 0.1), symmetrized. */
function differenced(pr: Parameters<typeof negLogLikelihood>[0], x: Float64Array): Float64Array {
  const k = x.length;
  const h = new Float64Array(k * k);
  const work = gradientWork(pr);
  const up = new Float64Array(k);
  const down = new Float64Array(k);
  const xs = Float64Array.from(x);
  for (let i = 0; i < k; i++) {
    const s = 1e-5 * Math.max(Math.abs(x[i]), 0.1);
    xs[i] = x[i] + s;
    negLogLikelihood(pr, xs, up, work);
    xs[i] = x[i] - s;
    negLogLikelihood(pr, xs, down, work);
    xs[i] = x[i];
    for (let j = 0; j < k; j++) h[j * k + i] = (up[j] - down[j]) / (2 * s);
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) h[i * k + j] = h[j * k + i] = 0.5 * (h[i * k + j] + h[j * k + i]);
  return h;
}

/**
 * negLogLikelihoodHessian at x: its value and gradient the gradient pass's bits, its Hessian symmetric
 * and within 1e-6 (of the diagonal's scale) of central differences of the gradient.
 */
function expectHessianAt(pr: Parameters<typeof negLogLikelihood>[0], x: Float64Array): void {
  const k = pr.k;
  const grad = new Float64Array(k);
  const hess = new Float64Array(k * k);
  const f = negLogLikelihoodHessian(pr, x, grad, hess);
  const g0 = new Float64Array(k);
  expect(f).toBe(negLogLikelihood(pr, x, g0, gradientWork(pr)));
  expect(grad).toEqual(g0);
  const d = differenced(pr, x);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      expect(hess[i * k + j]).toBe(hess[j * k + i]);
      const scale = Math.sqrt(Math.abs(d[i * k + i] * d[j * k + j]));
      expect(Math.abs(hess[i * k + j] - d[i * k + j])).toBeLessThan(1e-6 * scale);
    }
}

describe('the analytic Hessian (hessian.ts)', () => {
  const y = returnsOf(fixture.cases.find((c) => c.name === 'garch11-constant-normal')!);

  it('is there for GARCH(1,1) and GJR(1,1,1) only', () => {
    for (const spec of SPECS) expect(hasHessian(resolveModel(spec))).toBe(true);
    for (const spec of [
      { vol: 'egarch' },
      { vol: 'egarch', dist: 'skewt' },
      { vol: 'garch', q: 2 },
      { vol: 'garch', q: 2, dist: 't' },
      { vol: 'garch', mean: 'ar', lags: 3 },
    ] as const)
      expect(hasHessian(resolveModel(spec))).toBe(false);
  });

  it.each(SPECS.map((spec) => ({ spec, name: `${spec.vol} ${spec.mean ?? 'constant'} ${spec.lags ?? ''} ${spec.dist ?? 'normal'}` })))(
    '$name: the gradient pass bit for bit, central differences to 1e-6',
    ({ spec }) => {
      const m = resolveModel(spec);
      const ols = olsProblem(m, y)!;
      const { pr, theta } = ols;
      startingValues(pr, theta);
      const out = new Float64Array(fitLayout(m, y.length).length);
      fitSeries(m, y, out);
      for (const x of [Float64Array.from(theta), out.slice(0, pr.k)]) expectHessianAt(pr, x);
    },
  );

  it.each([{ vol: 'garch' }, { vol: 'gjr', mean: 'ar', lags: 1 }] as ModelOptions[])(
    '$vol $mean: where the ceiling of sigma^2 binds, the gradient pass bit for bit, central differences to 1e-6',
    (spec) => {
      // hessian.cpp's normal pass carries the bounds in a loop of its own (h / s - d d' / s^2 past the
      // ceiling): explosive (alpha 3, beta 1.5), sigma^2 at its ceiling from a few steps on. (Where every
      // sigma^2 sits at its floor the differences' steps cross the floor's kink.)
      const m = resolveModel(spec);
      const { pr, theta, v } = olsProblem(m, y)!;
      const x = Float64Array.from(theta);
      x[pr.iw] = 0.1 * v;
      x[pr.ia] = 3;
      if (m.o) x[pr.ig] = 0.1;
      x[pr.ib] = 1.5;
      negLogLikelihood(pr, x, new Float64Array(pr.k), gradientWork(pr));
      const ceiling = Array.from(pr.sigma2.subarray(0, pr.nobs)).filter((s, t) => s > pr.upper[t]).length;
      expect(ceiling).toBeGreaterThan(pr.nobs / 2);
      expectHessianAt(pr, x);
    },
  );

  it.each([
    { vol: 'gjr', dist: 'skewt' },
    { vol: 'garch', dist: 't', mean: 'zero' },
  ] as ModelOptions[])('$vol $dist: second differences of the likelihood alone to 1e-4', (spec) => {
    const m = resolveModel(spec);
    const { pr, theta } = olsProblem(m, y)!;
    startingValues(pr, theta);
    const k = pr.k;
    const grad = new Float64Array(k);
    const hess = new Float64Array(k * k);
    negLogLikelihoodHessian(pr, theta, grad, hess);
    const xs = Float64Array.from(theta);
    const steps = Array.from(theta, (v) => 1e-4 * Math.max(Math.abs(v), 0.1));
    const at = (si: number, i: number, sj: number, j: number) => {
      xs.set(theta);
      xs[i] += si * steps[i];
      xs[j] += sj * steps[j];
      return negLogLikelihood(pr, xs);
    };
    for (let i = 0; i < k; i++)
      for (let j = 0; j <= i; j++) {
        const d = (at(1, i, 1, j) - at(1, i, -1, j) - at(-1, i, 1, j) + at(-1, i, -1, j)) / (4 * steps[i] * steps[j]);
        const scale = Math.sqrt(Math.abs(hess[i * k + i] * hess[j * k + j]));
        expect(Math.abs(hess[i * k + j] - d)).toBeLessThan(1e-4 * scale);
      }
  });

  it('a residual 1e150 sigmas out: the likelihood and its gradient finite, not NaN', () => {
    // fuzz_volatility's seed normal-gradient-past-the-doubles: ARCH(1) of returns ~ -6.5e-92 at mu = -5,
    // omega at its floor, alpha 0. Every sigma^2 sits at its floor (its derivatives 0) and e^2 / sigma^4 is
    // past the doubles: dl/d sigma^2 was infinite, and times those zeros NaN; clamped to +-MAX_VALUE the
    // products are 0 (the native passes: the seed)
    const m = resolveModel({ vol: 'garch', p: 1, q: 0 });
    const y = Float64Array.of(-6.4432504199771337e-92, ...Array(5).fill(-6.4938163157621138e-92));
    const { pr } = olsProblem(m, y)!;
    const x = Float64Array.of(-5, 3.5512636340798139e-196, 0);
    const grad = new Float64Array(pr.k);
    const f = negLogLikelihood(pr, x, grad, gradientWork(pr));
    expect(Number.isFinite(f)).toBe(true);
    expect(Array.from(pr.sigma2.subarray(0, pr.nobs)).every((s, t) => s === pr.lower[t])).toBe(true);
    expect([grad[0] < -1e194, grad[1], grad[2]]).toEqual([true, -0, -0]);
  });
});
