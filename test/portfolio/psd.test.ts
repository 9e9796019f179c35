/**
 * The optimizers' covariance test (src/kernels/portfolio/portfolio-psd.ts): a covariance with negative
 * eigenvalues is refused by every optimizer before it solves, with the failing pivot in the message,
 * the same on the reference and every backend (checkPsd's asset and pivot to the bit); `repair: true`
 * solves on nearestPsd(cov) instead, `assumePsd: true` skips the test; a singular semidefinite
 * covariance (duplicate assets, fewer dates than assets) still passes.
 */
import { describe, expect, it } from 'vitest';
import { type BackendName, KernelInputError, type Kernels, kernels, type Matrix, matrix } from '../../src/index.js';
import { stackCovariances } from '../../src/kernels/portfolio/portfolio-shapes.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { randomCov, rng } from './kkt.js';

/** Q diag(q) Q' with Q = I - 2 v v' / v'v (a reflection: exactly orthogonal in exact arithmetic). */
function spectral(q: number[], seed: number): Matrix {
  const n = q.length;
  const v = Float64Array.from({ length: n }, (_, i) => 1 + 0.2 * Math.sin(seed + 1.7 * i));
  const vv = v.reduce((s, x) => s + x * x, 0);
  const Q = (i: number, j: number) => (i === j ? 1 : 0) - (2 * v[i] * v[j]) / vv;
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += Q(i, k) * q[k] * Q(j, k);
      S[i * n + j] = S[j * n + i] = s;
    }
  }
  return matrix(S, n, n);
}

/** The case: 12 x 12, two negative eigenvalues (long-only minVariance used to return weights). */
const BAD12 = spectral([0.09, 0.08, 0.07, 0.06, 0.05, 0.045, 0.04, 0.035, 0.03, 0.025, -0.01, -0.004], 1);
const GOOD12 = spectral([0.09, 0.08, 0.07, 0.06, 0.05, 0.045, 0.04, 0.035, 0.03, 0.025, 0.01, 0.004], 2);
const MU12 = Float64Array.from({ length: 12 }, (_, i) => 0.04 + 0.01 * i);
const MESSAGE =
  /^cov: expected a positive semidefinite matrix \(options\.repair: true repairs it, options\.assumePsd: true skips this test\), got pivot -\d\.\d+(e-\d+)? at asset \d+( of covariance \d+)? in its Cholesky factorization \(a negative eigenvalue\)$/;

/** A covariance with asset 0 repeated as asset n (singular, semidefinite). */
function duplicated(S: Matrix): Matrix {
  const n = S.cols;
  const src = (i: number) => (i === n ? 0 : i);
  const D = new Float64Array((n + 1) * (n + 1));
  for (let i = 0; i <= n; i++) for (let j = 0; j <= n; j++) D[i * (n + 1) + j] = S.data[src(i) * n + src(j)];
  return matrix(D, n + 1, n + 1);
}

/** The sample covariance (divided by T) of T x n seeded values: singular when T < n. */
function sample(T: number, n: number, seed: number): Matrix {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
  const X = Float64Array.from({ length: T * n }, rnd);
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let v = 0;
      for (let t = 0; t < T; t++) v += X[t * n + i] * X[t * n + j];
      S[i * n + j] = S[j * n + i] = v / T;
    }
  }
  return matrix(S, n, n);
}

/** The reference's refusal of BAD12 (the message every backend must give). */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(KernelInputError);
    return (e as Error).message;
  }
  throw new Error('not refused');
}

describe('checkPsd and the optimizers refusing a covariance that is not PSD [reference]', () => {
  it("checkPsd finds the issue's matrix's failing pivot; a PSD one and singular semidefinite ones pass", () => {
    const r = ref.checkPsd(BAD12);
    expect(r.psd).toBe(false);
    expect(r).not.toHaveProperty('problem'); // one covariance: no stack to name
    expect(r.pivot).toBeLessThan(0);
    expect(ref.checkPsd(GOOD12)).toEqual({ psd: true, asset: -1, pivot: 0 });
    expect(ref.checkPsd(duplicated(GOOD12)).psd).toBe(true);
    expect(ref.checkPsd(sample(20, 40, 7)).psd).toBe(true);
    expect(ref.checkPsd(matrix(new Float64Array(9), 3, 3)).psd).toBe(true);
    // a zero variance with a nonzero covariance: the 2 x 2 minor's pivot, negative
    const zero = ref.checkPsd(matrix(Float64Array.of(0, 0.1, 0.1, 1), 2, 2));
    expect(zero).toEqual({ psd: false, asset: 0, pivot: -0.010000000000000002 });
  });

  it('rank-deficient sample covariances whose rounding leaves pivots near -5e-10 of the largest variance pass', () => {
    // fast-check's counterexamples (optimizers.reference.test.ts) under a tolerance of 1e-10
    for (const [seed, n, t] of [
      [28, 21, 6],
      [635682326, 19, 17],
    ]) {
      expect(ref.checkPsd(randomCov(n, t, rng(seed))).psd, `seed ${seed}`).toBe(true);
    }
  });

  it('a stack names the first covariance that fails; a stack of one is a stack', () => {
    const stack = stackCovariances([GOOD12, BAD12]);
    expect(ref.checkPsd(stack)).toMatchObject({ psd: false, problem: 1 });
    expect(ref.checkPsd(matrix(stack.data, 24, 12))).toEqual(ref.checkPsd(stack)); // P·N rows: a stack too
    expect(ref.checkPsd(stackCovariances([GOOD12]))).toEqual({ psd: true, problem: -1, asset: -1, pivot: 0 });
    expect(refusal(() => ref.minVariance(stack))).toMatch(/ of covariance 1 in its Cholesky/);
  });
});

function body(k: Kernels, name: BackendName) {
  const expected = refusal(() => ref.minVariance(BAD12));

  it("checkPsd: the reference's asset and pivot to the bit", () => {
    expect(k.checkPsd(BAD12)).toEqual(ref.checkPsd(BAD12));
    expect(k.checkPsd(GOOD12)).toEqual(ref.checkPsd(GOOD12));
    expect(k.checkPsd(duplicated(GOOD12)).psd).toBe(true);
    expect(k.checkPsd(sample(20, 40, 7)).psd).toBe(true);
  });

  it('checkPsd on seeded matrices of 1 to 90 assets, PSD or not: the same as the reference', () => {
    for (let t = 0; t < 40; t++) {
      const n = 1 + ((t * 37) % 90);
      const S = sample(n + 2 - (t % 3) * Math.floor(n / 2), n, 100 + t);
      if (t % 2 === 1 && n > 3) {
        const a = (t * 7) % n;
        const b = (a + 1 + (t % (n - 1))) % n;
        if (a !== b) S.data[a * n + b] = S.data[b * n + a] = S.data[a * n + b] + 0.2;
      }
      expect(k.checkPsd(S), `case ${t}, n ${n}`).toEqual(ref.checkPsd(S));
    }
  });

  it("every optimizer refuses the issue's matrix before solving, with the reference's message", async () => {
    expect(expected).toMatch(MESSAGE);
    const top = ref.maxSharpe(MU12, GOOD12);
    const calls: [string, () => unknown][] = [
      ['minVariance', () => k.minVariance(BAD12)],
      ['minVariance long-short', () => k.minVariance(BAD12, { bounds: { lower: -1, upper: 1 } })],
      ['maxSharpe', () => k.maxSharpe(MU12, BAD12)],
      ['maxUtility', () => k.maxUtility(MU12, BAD12)],
      ['efficientReturn', () => k.efficientReturn(MU12, BAD12, top.expectedReturn)],
      ['efficientRisk', () => k.efficientRisk(MU12, BAD12, 0.3)],
      ['efficientFrontier', () => k.efficientFrontier(MU12, BAD12)],
      ['riskParity', () => k.riskParity(BAD12)],
    ];
    for (const [name, f] of calls) expect(refusal(f), name).toBe(expected);
    await expect(k.minVarianceAsync(BAD12)).rejects.toThrow(expected);
    await expect(k.efficientFrontierAsync(MU12, BAD12)).rejects.toThrow(expected);
    await expect(k.riskParityAsync(BAD12)).rejects.toThrow(expected);
  });

  it('from 128 assets minVariance and maxSharpe test beside the solve: the same refusals, the same weights', async () => {
    // 160 assets; bad: a correlation of 1.5 between assets 3 and 100 (a negative eigenvalue)
    const good = spectral(
      Array.from({ length: 160 }, (_, i) => 0.02 + 0.001 * i),
      4,
    );
    const bad = matrix(Float64Array.from(good.data), 160, 160);
    bad.data[3 * 160 + 100] = bad.data[100 * 160 + 3] = 1.5 * Math.sqrt(good.data[3 * 161] * good.data[100 * 161]);
    const refused = refusal(() => ref.minVariance(bad));
    expect(refused).toMatch(MESSAGE);
    // checkPsd's pivot to the bit after the trailing updates of three panels (shared by two threads
    // natively), and of four with a failure at asset 150
    expect(k.checkPsd(bad)).toEqual(ref.checkPsd(bad));
    const late = matrix(Float64Array.from(good.data), 160, 160);
    late.data[150 * 160 + 20] = late.data[20 * 160 + 150] = 1.2 * Math.sqrt(good.data[20 * 161] * good.data[150 * 161]);
    expect(k.checkPsd(late)).toEqual(ref.checkPsd(late));
    expect(k.checkPsd(late).asset).toBe(150);
    expect(refusal(() => k.minVariance(bad))).toBe(refused);
    await expect(k.minVarianceAsync(bad)).rejects.toThrow(refused);
    // the solve fails too (lower bounds sum above the budget): the test's refusal still decides
    const tight = { bounds: { lower: 0.01, upper: 1 } };
    expect(refusal(() => k.minVariance(bad, tight))).toBe(refused);
    // a PSD covariance: the solve's own fault, and the reference's weights
    expect(refusal(() => k.minVariance(good, tight))).toBe(refusal(() => ref.minVariance(good, tight)));
    const want = ref.minVariance(good);
    const got = k.minVariance(good);
    expect(got.iterations).toBe(want.iterations);
    for (let i = 0; i < 160; i++) expect(Math.abs(got.weights[i] - want.weights[i])).toBeLessThanOrEqual(1e-12);
    expect(got.volatility).toBeCloseTo(want.volatility, 14);
    // maxSharpe likewise, and a stack's second covariance refused by its index
    const mu = Float64Array.from({ length: 160 }, (_, i) => 0.03 + 0.0005 * i);
    expect(refusal(() => k.maxSharpe(mu, bad))).toBe(refused);
    expect(refusal(() => k.maxSharpe(mu, bad, tight))).toBe(refused);
    const stack = stackCovariances([good, bad]);
    expect(refusal(() => k.maxSharpe(mu, stack))).toBe(refusal(() => ref.maxSharpe(mu, stack)));
    expect(refusal(() => k.maxSharpe(mu, stack))).toMatch(/ of covariance 1 /);
    const sharpe = k.maxSharpe(mu, good);
    const sharpeRef = ref.maxSharpe(mu, good);
    expect(sharpe.iterations).toBe(sharpeRef.iterations);
    for (let i = 0; i < 160; i++) expect(Math.abs(sharpe.weights[i] - sharpeRef.weights[i])).toBeLessThanOrEqual(1e-12);
    // not symmetric (or not finite) as well as indefinite: natively the test starts beside the check,
    // and the check's refusal still decides, as in the reference's order
    for (const spoil of [
      (d: Float64Array) => (d[150 * 160 + 7] += 1e-9),
      (d: Float64Array) => (d[150 * 160 + 7] = d[7 * 160 + 150] = Number.NaN),
    ]) {
      const worse = matrix(Float64Array.from(bad.data), 160, 160);
      spoil(worse.data);
      const invalid = refusal(() => ref.minVariance(worse));
      expect(invalid).toMatch(/finite symmetric/);
      expect(refusal(() => k.minVariance(worse))).toBe(invalid);
      await expect(k.minVarianceAsync(worse)).rejects.toThrow(invalid);
      expect(refusal(() => k.maxSharpe(mu, worse))).toBe(refusal(() => ref.maxSharpe(mu, worse)));
    }
  });

  it("checkPsd at 500 assets on one thread: the reference's pivots (the factor's scratch read to its end)", () => {
    const one = kernels({ backend: name, threads: 1 });
    const good = sample(600, 500, 11);
    expect(one.checkPsd(good)).toEqual(ref.checkPsd(good));
    const bad = matrix(Float64Array.from(good.data), 500, 500);
    bad.data[499 * 500 + 450] = bad.data[450 * 500 + 499] = 1.5 * Math.sqrt(good.data[450 * 501] * good.data[499 * 501]);
    expect(one.checkPsd(bad)).toEqual(ref.checkPsd(bad));
    expect(one.checkPsd(bad).asset).toBe(499);
  });

  it("checkPsd at 200 assets on two threads, failing in each panel and at its edges: the reference's pivots", () => {
    // the team factors a panel while the trailing update of the one before is still running (look-ahead)
    const two = kernels({ backend: name, threads: 2 });
    const good = sample(260, 200, 13);
    expect(two.checkPsd(good)).toEqual(ref.checkPsd(good));
    for (const at of [1, 31, 32, 33, 63, 64, 100, 159, 160, 191, 192, 199]) {
      const bad = matrix(Float64Array.from(good.data), 200, 200);
      const b = at - 1;
      bad.data[at * 200 + b] = bad.data[b * 200 + at] = 1.5 * Math.sqrt(good.data[at * 201] * good.data[b * 201]);
      const want = ref.checkPsd(bad);
      expect(want.asset).toBe(at);
      for (let round = 0; round < 5; round++) expect(two.checkPsd(bad), `failing at ${at}`).toEqual(want);
    }
  });

  it('repair: true solves on nearestPsd(cov); assumePsd: true skips the test', async () => {
    const fixed = k.nearestPsd(BAD12);
    expect(fixed.repaired).toBe(true);
    expect(k.checkPsd(fixed).psd).toBe(true);
    expect(k.minVariance(BAD12, { repair: true })).toEqual(k.minVariance(fixed));
    expect(await k.maxSharpeAsync(MU12, BAD12, { repair: true })).toEqual(k.maxSharpe(MU12, fixed));
    // skipped: the active-set solver's local optimum, as before the test existed
    const local = k.minVariance(BAD12, { assumePsd: true });
    expect(local.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
    expect(local).toEqual(ref.minVariance(BAD12, { assumePsd: true }));
    expect(k.minVariance(GOOD12, { assumePsd: true })).toEqual(k.minVariance(GOOD12));
  });

  it('singular semidefinite covariances are accepted as before: duplicate assets, fewer dates than assets', () => {
    const dup = duplicated(GOOD12);
    const w = k.minVariance(dup).weights;
    expect(w.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(k.minVariance(dup)).toEqual(ref.minVariance(dup));
    expect(k.riskParity(sample(20, 40, 7)).weights.length).toBe(40);
  });

  it('assumePsd: true on an indefinite covariance: a non-finite turning point is a fault, not NaN weights', async () => {
    // fuzz_portfolio's input (native/fuzz/seeds/fuzz_portfolio/frontier-indefinite-1e308): the call returned
    // NaN weights (the second turning point) and volatility (w'Sw of the first: -Infinity + Infinity)
    const cov = matrix(Float64Array.of(176, 1.5e308, 1.5e308, 1.5e308), 2, 2);
    const mean = Float64Array.of(0.01, 0.02);
    const options = { assumePsd: true, bounds: { lower: -2, upper: 2 } };
    const message =
      'cov: expected a positive semidefinite matrix, got a turning point of the frontier (0) with a weight, return or volatility of NaN';
    expect(() => k.efficientFrontier(mean, cov, options)).toThrow(KernelInputError);
    expect(() => k.efficientFrontier(mean, cov, options)).toThrow(message);
    await expect(k.efficientFrontierAsync(mean, cov, options)).rejects.toThrow(message);
    // in a batch, the problem that fails is named
    const stack = stackCovariances([matrix(Float64Array.of(0.04, 0.01, 0.01, 0.09), 2, 2), cov]);
    expect(() => k.efficientFrontier(mean, stack, options)).toThrow(`${message} (problem 1)`);
    // without assumePsd the test refuses it first
    expect(() => k.efficientFrontier(mean, cov, { bounds: options.bounds })).toThrow(
      /^cov: expected a positive semidefinite matrix \(options\.repair/,
    );
  });

  it('assumePsd other than true or false is a KernelInputError naming it', () => {
    expect(() => k.minVariance(GOOD12, { assumePsd: 1 as never })).toThrow('options.assumePsd: expected true or false, got 1');
    expect(() => k.riskParity(GOOD12, { assumePsd: 'no' as never })).toThrow('options.assumePsd: expected true or false, got "no"');
  });
}

describe('the covariance test [reference]', () => body(ref, 'reference'));
describeEachBackend('the covariance test', body, 'portfolio');
