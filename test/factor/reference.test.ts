/**
 * The factor family's reference against toraniko (0xfdf/toraniko): the expected values in
 * test/fixtures/toraniko-values.json were computed once with numpy 2.4 by a transcription of
 * toraniko's model.py (_factor_returns with numpy.linalg.lstsq on the normal equations, per date),
 * styles.py and math.py, polars' expressions replaced by their numpy equivalents (nanmean/std ddof 1,
 * nanpercentile, the 'nearest' quantile). Then the properties the issue names, and bad input.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KernelInputError, kernels, matrix, type Matrix } from '../../src/index.js';
import { expWeights } from '../../src/kernels/factor/factor.js';
import { pinvSolve } from '../../src/backends/reference/factor/factor-solve.js';

const ref = kernels({ backend: 'reference' });
const fx = JSON.parse(readFileSync(new URL('../fixtures/toraniko-values.json', import.meta.url), 'utf8'));
const { T, N, m } = fx as { T: number; N: number; m: number };
const panel = (values: (number | null)[], cols = N): Matrix =>
  matrix(
    Float64Array.from(values, (v) => (v === null ? NaN : v)),
    values.length / cols,
    cols,
  );

/** Equal where both are NaN, else within `tol` relative to max(|expected|, `floor`). */
function expectClose(actual: Float64Array, expected: (number | null)[], tol: number, floor = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    if (e === null) {
      expect(actual[i], `[${i}]`).toBeNaN();
      return;
    }
    expect(Math.abs(actual[i] - e), `[${i}]: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(Math.abs(e), floor));
  });
}

const inputs = {
  returns: panel(fx.returns),
  marketCap: panel(fx.cap),
  sectors: Int32Array.from(fx.sectors),
  styles: { one: panel(fx.style1), two: panel(fx.style2) },
};

describe('against toraniko (numpy transcription)', () => {
  it('winsorize and standardize', () => {
    expectClose(ref.winsorize(inputs.returns).data, fx.winsorized, 1e-14);
    expectClose(ref.standardize(inputs.returns).data, fx.standardized, 1e-12);
  });

  it('momentum, size and value', () => {
    expectClose(ref.momentum(inputs.returns, { window: 10, halfLife: 4, lag: 3, winsorize: 0.1 }).data, fx.momentum, 1e-11);
    expectClose(ref.size(inputs.marketCap).data, fx.size, 1e-11);
    const [bp, sp, cf] = [panel(fx.bp), panel(fx.sp), panel(fx.cf)];
    expectClose(ref.value(bp, sp, cf).data, fx.value, 1e-11);
    expectClose(ref.value(bp, sp, cf, { winsorize: 0.1 }).data, fx.valueWinsorized, 1e-11);
  });

  it('factorReturns: market, sectors, styles and residuals per date, winsorized and residualized (defaults)', () => {
    const r = ref.factorReturns(inputs);
    expect(r.names).toEqual(['market', 'sector 0', 'sector 1', 'sector 2', 'one', 'two']);
    expect([r.factorReturns.rows, r.factorReturns.cols, r.residuals.rows, r.residuals.cols]).toEqual([T, 1 + m + 2, T, N]);
    expectClose(r.factorReturns.data, fx.factorReturns, 1e-9, 1e-6);
    expectClose(r.residuals.data, fx.residuals, 1e-9, 1e-6);
  });

  it('factorReturns without winsorizing, styles on the returns', () => {
    const r = ref.factorReturns(inputs, { winsorize: null, residualizeStyles: false });
    expectClose(r.factorReturns.data, fx.factorReturnsRaw, 1e-9, 1e-6);
    expectClose(r.residuals.data, fx.residualsRaw, 1e-9, 1e-6);
  });
});

describe('properties', () => {
  const r = ref.factorReturns(inputs);
  const K = r.factorReturns.cols;

  it('expWeights: oldest first, the last 1, halving every halfLife', () => {
    const w = expWeights(9, 4);
    expect(w[8]).toBe(1);
    expect(Math.abs(w[4] - 0.5)).toBeLessThan(1e-15);
    expect(Math.abs(w[0] - 0.25)).toBeLessThan(1e-15);
  });

  it('the sector returns sum to 0 on every date (1e-12)', () => {
    for (let t = 0; t < T; t++) {
      let sum = 0;
      let size = 0;
      for (let j = 0; j < m; j++) {
        sum += r.factorReturns.data[t * K + 1 + j];
        size += Math.abs(r.factorReturns.data[t * K + 1 + j]);
      }
      expect(Math.abs(sum)).toBeLessThanOrEqual(1e-12 * size);
    }
  });

  it('residuals are W-orthogonal to the style regressors', () => {
    for (let t = 0; t < T; t++) {
      const dots = [0, 0];
      let scale = 0;
      for (let c = 0; c < N; c++) {
        const e = r.residuals.data[t * N + c];
        if (Number.isNaN(e)) continue;
        const w = Math.sqrt(inputs.marketCap.data[t * N + c]);
        dots[0] += w * e * inputs.styles.one.data[t * N + c];
        dots[1] += w * e * inputs.styles.two.data[t * N + c];
        scale += w * Math.abs(e);
      }
      for (const d of dots) expect(Math.abs(d)).toBeLessThan(1e-12 * scale);
    }
  });

  it('an infinite style score is a missing one', () => {
    const inf = ref.factorReturns({
      ...inputs,
      styles: { one: panel(fx.style1.map((v: number, i: number) => (i === 7 ? Infinity : v))), two: inputs.styles.two },
    });
    const nan = ref.factorReturns({
      ...inputs,
      styles: { one: panel(fx.style1.map((v: number, i: number) => (i === 7 ? null : v))), two: inputs.styles.two },
    });
    expect(inf.residuals.data[7]).toBeNaN();
    expect([...inf.factorReturns.data]).toEqual([...nan.factorReturns.data]);
  });

  it('an asset with a missing input is left out of that date (NaN residual); the others are used', () => {
    expect(r.residuals.data[3 * N + 5]).toBeNaN();
    expect(r.residuals.data[7 * N + 2]).toBeNaN();
    expect(r.residuals.data[11 * N + 9]).toBeNaN();
    expect(Number.isNaN(r.residuals.data[3 * N + 4])).toBe(false);
  });

  it('a date with fewer usable assets than factors gives NaN factor returns, not an error', () => {
    const few = { ...inputs, returns: panel(fx.returns.map((v: number, i: number) => (Math.floor(i / N) === 2 && i % N > 3 ? null : v))) };
    const out = ref.factorReturns(few);
    for (let k = 0; k < K; k++) expect(out.factorReturns.data[2 * K + k]).toBeNaN();
    expect(Number.isNaN(out.factorReturns.data[3 * K])).toBe(false);
  });

  it('collinear styles: the minimum-norm split, no garbage (the two copies share the return)', () => {
    const twin = ref.factorReturns({ ...inputs, styles: { one: inputs.styles.one, copy: inputs.styles.one } }, { winsorize: null });
    const single = ref.factorReturns({ ...inputs, styles: { one: inputs.styles.one } }, { winsorize: null });
    for (let t = 0; t < T; t++) {
      const a = twin.factorReturns.data[t * K + 1 + m];
      const b = twin.factorReturns.data[t * K + 2 + m];
      const s = single.factorReturns.data[t * (K - 1) + 1 + m];
      expect(Math.abs(a - b)).toBeLessThan(1e-9 * Math.abs(s));
      expect(Math.abs(a + b - s)).toBeLessThan(1e-9 * Math.abs(s));
    }
  });

  it('size is 0 strictly inside the band and keeps the tails', () => {
    const s = ref.size(inputs.marketCap).data;
    for (let t = 0; t < T; t++) {
      const row = [...s.subarray(t * N, (t + 1) * N)].filter((v) => !Number.isNaN(v));
      const nonzero = row.filter((v) => v !== 0).length;
      expect(nonzero).toBeGreaterThanOrEqual(4);
      expect(nonzero).toBeLessThan(row.length);
    }
  });

  it('momentum is NaN before a full window of lagged returns', () => {
    const mom = ref.momentum(inputs.returns, { window: 10, halfLife: 4, lag: 3 }).data;
    for (let t = 0; t < 12; t++) for (let c = 0; c < N; c++) expect(mom[t * N + c]).toBeNaN();
    expect(Number.isNaN(mom[12 * N])).toBe(false);
  });
});

describe('the small solves (pinvSolve)', () => {
  it('solve normal equations of any magnitude: tiny entries (whose squares underflow) and huge ones (whose squares overflow)', () => {
    // [[4, 1], [1, 3]] x = [1, 2]: x = [1/11, 7/11], scaled by 10^k (A and c alike: x unchanged)
    for (const k of [-300, -200, -160, 0, 160, 200, 300]) {
      const f = 10 ** k;
      const x = pinvSolve(Float64Array.of(4 * f, f, f, 3 * f), 2, Float64Array.of(f, 2 * f));
      expect(Math.abs(x[0] - 1 / 11), `10^${k}`).toBeLessThan(1e-14);
      expect(Math.abs(x[1] - 7 / 11), `10^${k}`).toBeLessThan(1e-14);
    }
  });

  it('collinear, tiny: still the minimum-norm answer', () => {
    const f = 1e-200; // [[1, 1], [1, 1]] x = [2, 2]: minimum norm x = [1, 1]
    const x = pinvSolve(Float64Array.of(f, f, f, f), 2, Float64Array.of(2 * f, 2 * f));
    expect([...x].map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, 1]);
  });
});

describe('factor bad input: KernelInputError naming the argument', () => {
  const small = matrix(Float64Array.of(0.01, 0.02, -0.01, 0.03), 2, 2);
  const cases: [string, () => unknown, string][] = [
    [
      'panels of different shapes',
      () => ref.factorReturns({ ...inputs, marketCap: small }),
      `inputs.marketCap: expected a ${T} x ${N} panel (as inputs.returns), got 2 x 2`,
    ],
    ['a style panel of another shape', () => ref.factorReturns({ ...inputs, styles: [small] }), 'inputs.styles.style 0: expected a'],
    [
      'a zero market cap',
      () => ref.size(matrix(Float64Array.of(1e9, 0), 1, 2)),
      'marketCap: expected finite market caps > 0 (NaN for a missing one), got marketCap[0][1] = 0',
    ],
    [
      'a negative market cap in factorReturns',
      () => ref.factorReturns({ ...inputs, marketCap: panel(fx.cap.map((v: number, i: number) => (i === 5 ? -1 : v))) }),
      'got marketCap[0][5] = -1',
    ],
    [
      'a sector code out of range',
      () => ref.factorReturns({ ...inputs, sectorNames: ['a', 'b'] }),
      'sectors: expected integer sector codes in [0, m)',
    ],
    [
      'sector codes of the wrong length',
      () => ref.factorReturns({ ...inputs, sectors: Int32Array.of(0, 1) }),
      `inputs.sectors: expected ${N} sector codes (one per asset), got 2`,
    ],
    [
      'a negative code in a per-date panel',
      () => ref.factorReturns({ ...inputs, sectors: panel(Array.from({ length: T * N }, (_, i) => (i === 3 ? -1 : fx.sectors[i % N]))) }),
      'got sectors[0][3] = -1',
    ],
    ['window 0', () => ref.momentum(small, { window: 0 }), 'options.window: expected an integer >= 1, got 0'],
    ['halfLife 0', () => ref.momentum(small, { halfLife: 0 }), 'options.halfLife: expected a finite number > 0, got 0'],
    ['a negative lag', () => ref.momentum(small, { lag: -1 }), 'options.lag: expected an integer >= 0, got -1'],
    [
      'an infinite return',
      () => ref.momentum(matrix(Float64Array.of(0.1, Infinity), 1, 2)),
      'returns: expected finite returns (NaN for a missing one), got returns[0][1] = Infinity',
    ],
    [
      'winsorize above 0.5',
      () => ref.factorReturns(inputs, { winsorize: 0.7 }),
      'options.winsorize: expected a number in [0, 0.5], got 0.7',
    ],
    [
      'lower above upper',
      () => ref.winsorize(small, { lower: 0.9, upper: 0.1 }),
      'options.upper: expected a number >= options.lower (0.9), got 0.1',
    ],
    ['not a panel', () => ref.standardize(Float32Array.of(1, 2) as never), 'x: expected a Matrix { data, rows, cols }'],
    [
      'residualizeStyles not a boolean',
      () => ref.factorReturns(inputs, { residualizeStyles: 1 as never }),
      'options.residualizeStyles: expected a boolean, got 1',
    ],
  ];
  it.each(cases)('%s', (_, call, message) => {
    expect(call).toThrow(KernelInputError);
    expect(call).toThrow(message);
  });
});
