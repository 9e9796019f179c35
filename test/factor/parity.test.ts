/**
 * The parity suite for the factor family: every function on every available backend against the
 * reference, on random panels (fast-check: NaN and Infinity sprinkled, ties, one asset, one date,
 * empty) and the edge cases the issue names (one sector, a sector with one asset, a sector empty on a
 * date, collinear styles, an all-NaN date, fewer assets than factors, constant caps, ties at the size
 * quantiles), within PARITY_RTOL (1e-12 relative; the kernels mirror the reference, so most come out
 * bit for bit).
 */
import fc from 'fast-check';
import { it } from 'vitest';
import type { KernelName } from '../../src/api/index.js';
import type { FactorInputs, FactorReturnsResult, Kernels, Matrix } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { BACKEND_RTOL, expectColumnsClose, expectSameFault, FLOAT32_BACKENDS, floorOf, tolerance } from '../helpers/compare.js';

const RUNS = 100;

// The tolerance's bound on a float64 backend (native): the same operations in the same order, sqrt the one
// library function (correctly rounded), so the same bits (none differed over 30 x 100 runs of each property;
// the expWeights come from JavaScript). The stated backends' fits: fits() below and compare.ts.

/** A rows x cols panel of values from `value`. */
function panelArb(value: fc.Arbitrary<number>, rows: number, cols: number): fc.Arbitrary<Matrix> {
  return fc.array(value, { minLength: rows * cols, maxLength: rows * cols }).map((v) => ({ data: Float64Array.from(v), rows, cols }));
}
const shapeArb = fc.record({ rows: fc.integer({ min: 0, max: 30 }), cols: fc.integer({ min: 0, max: 12 }) });
const scoreArb = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0, 1, 1e-300, 1e200) },
);
const returnArb = fc.oneof(
  { weight: 9, arbitrary: fc.double({ min: -0.2, max: 0.2, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, 0, -0.999) },
);
const capArb = fc.oneof(
  { weight: 9, arbitrary: fc.double({ min: 1e6, max: 1e12, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, 1e9, 5e-324, 1e300) },
);
const ratioArb = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -0.5, max: 3, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, 0, -1, Infinity, 1e-320) },
);
const band = fc
  .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([a, b]) => ({ lower: Math.min(a, b), upper: Math.max(a, b) }));
const data = (m: Matrix) => m.data;

/**
 * A panel for a float32 backend (tfjs, metal) within what float32 normal equations resolve: returns below 1e-9
 * in magnitude set to 0, style scores below 0.1 set to 0, caps clamped to [1e6, 1e8], so that the
 * entries of X'WX span less than 1e4 and no direction falls under its eigenvalue cut-off
 * (PINV_RTOL_FLOAT32, 1e-5) unless it is collinear (docs/tfjs.md).
 */
function inFloat32Range(input: FactorInputs & { styles: Matrix[] }): FactorInputs {
  const map = (m: Matrix, f: (x: number) => number) => ({ ...m, data: m.data.map(f) });
  const below = (floor: number) => (x: number) => (Math.abs(x) < floor ? 0 : x);
  return {
    ...input,
    returns: map(input.returns, below(1e-9)),
    marketCap: map(input.marketCap, (x) => Math.min(Math.max(x, 1e6), 1e8)),
    styles: input.styles.map((m) => map(m, below(0.1))),
  };
}

/**
 * What a factor regression determines even where its coefficients are not unique (collinear styles, an
 * empty sector): per usable asset and date (a finite residual), the fitted market + sector return, the
 * fitted style return and the residual, each against the date's largest |return| (floored), the scale
 * a backend that rounds in float32 (stated tolerance, on float32-range panels) is held to. A float64
 * backend that solves in another order (BLAS) is held instead to the scale of its rounding where that is
 * larger: the fit's terms, |f_market| + |f_sector| and sum_k |x_k| max_k |f_k| (a solve is accurate
 * relative to the largest coefficient; the fast-check panels, with caps of 1e300 beside scores of
 * 1e-100, give coefficients of 1e70 beside 1e33 and fits of 0 from terms of 1e24, where the reference's
 * own Jacobi rotations are off by 3.5x in a coefficient of 1e33). The NaN dates and assets must agree.
 */
function fits({ returns, sectors, styles }: FactorInputs, result: FactorReturnsResult, floor: number, byTerms: boolean) {
  const { rows: T, cols: N } = returns;
  const K = result.factorReturns.cols;
  const list = Array.isArray(styles) ? styles : Object.values(styles);
  const m = K - 1 - list.length;
  const f = result.factorReturns.data;
  const cells = () => new Float64Array(T * N);
  const out = {
    sector: cells(),
    style: cells(),
    resid: result.residuals.data,
    nan: Float64Array.from(f, (v) => (Number.isNaN(v) ? 1 : 0)),
    scale: { sector: cells(), style: cells(), resid: cells() },
  };
  for (let t = 0; t < T; t++) {
    let largest = floor;
    for (let c = 0; c < N; c++)
      if (Number.isFinite(returns.data[t * N + c])) largest = Math.max(largest, Math.abs(returns.data[t * N + c]));
    let coefficient = 0; // the date's largest |style return|
    for (let k = 0; k < list.length; k++) coefficient = Math.max(coefficient, Math.abs(f[t * K + 1 + m + k]));
    for (let c = 0; c < N; c++) {
      const i = t * N + c;
      out.scale.sector[i] = out.scale.style[i] = out.scale.resid[i] = largest;
      if (Number.isNaN(out.resid[i])) {
        out.sector[i] = out.style[i] = NaN;
        continue;
      }
      const code = sectors instanceof Int32Array ? sectors[c] : sectors.data[i];
      out.sector[i] = f[t * K] + f[t * K + 1 + code];
      out.style[i] = list.reduce((sum, x, k) => sum + x.data[i] * f[t * K + 1 + m + k], 0);
      if (!byTerms) continue;
      const sectorTerms = Math.abs(f[t * K]) + Math.abs(f[t * K + 1 + code]);
      const styleTerms = list.reduce((sum, x) => sum + Math.abs(x.data[i]), 0) * coefficient;
      out.scale.sector[i] = Math.max(largest, sectorTerms);
      out.scale.style[i] = Math.max(largest, styleTerms);
      out.scale.resid[i] = Math.max(largest, sectorTerms + styleTerms);
    }
  }
  return out;
}

describeEachBackend(
  'factor family parity',
  (k: Kernels, name, supports) => {
    const test = (kernels: KernelName[], title: string, body: () => void) => it.runIf(supports(...kernels))(title, body);
    /** factorReturns against the reference: within PARITY_RTOL, or a stated tolerance on what the regression determines (fits()). */
    const expectSameFit = (input: FactorInputs, options: Parameters<Kernels['factorReturns']>[1]) => {
      const a = k.factorReturns(input, options);
      const e = ref.factorReturns(input, options);
      if (!(name in BACKEND_RTOL))
        return expectColumnsClose({ f: a.factorReturns.data, r: a.residuals.data }, { f: e.factorReturns.data, r: e.residuals.data });
      const byTerms = !FLOAT32_BACKENDS.has(name);
      const [x, y] = [fits(input, a, floorOf(name), byTerms), fits(input, e, floorOf(name), byTerms)];
      const scale = y.scale;
      expectColumnsClose(
        { sector: x.sector, style: x.style, resid: x.resid, nan: x.nan },
        { sector: y.sector, style: y.style, resid: y.resid, nan: y.nan },
        scale,
        tolerance(name, 'factorReturns'),
      );
    };

    test(['winsorize', 'standardize'], 'winsorize and standardize', () => {
      fc.assert(
        fc.property(
          shapeArb.chain(({ rows, cols }) => panelArb(scoreArb, rows, cols)),
          band,
          (x, b) => {
            expectColumnsClose(
              { w: data(k.winsorize(x, b)), s: data(k.standardize(x)) },
              { w: data(ref.winsorize(x, b)), s: data(ref.standardize(x)) },
            );
          },
        ),
        { numRuns: RUNS },
      );
    });

    test(['momentum'], 'momentum: windows, lags and winsorizing', () => {
      const options = fc.record({
        window: fc.integer({ min: 1, max: 12 }),
        halfLife: fc.constantFrom(0.5, 3, 126),
        lag: fc.integer({ min: 0, max: 5 }),
        winsorize: fc.constantFrom(0, 0.01, 0.2, 0.5),
      });
      fc.assert(
        fc.property(
          shapeArb.chain(({ rows, cols }) => panelArb(returnArb, rows, cols)),
          options,
          (r, o) => {
            expectColumnsClose({ m: data(k.momentum(r, o)) }, { m: data(ref.momentum(r, o)) });
          },
        ),
        { numRuns: RUNS },
      );
    });

    test(['size', 'value'], 'size (ties at the quantiles, constant caps) and value', () => {
      const tiedCaps = fc.oneof(capArb, fc.constantFrom(1e9, 2e9, 1e9));
      fc.assert(
        fc.property(
          shapeArb.chain(({ rows, cols }) =>
            fc.tuple(
              panelArb(tiedCaps, rows, cols),
              panelArb(ratioArb, rows, cols),
              panelArb(ratioArb, rows, cols),
              panelArb(ratioArb, rows, cols),
            ),
          ),
          band,
          fc.constantFrom(null, 0, 0.1, 0.5),
          ([cap, bp, sp, cf], b, p) => {
            expectColumnsClose(
              { s: data(k.size(cap, b)), v: data(k.value(bp, sp, cf, { winsorize: p })) },
              { s: data(ref.size(cap, b)), v: data(ref.value(bp, sp, cf, { winsorize: p })) },
            );
          },
        ),
        { numRuns: RUNS },
      );
    });

    test(['factorReturns'], 'factorReturns: random panels, per-asset and per-date sectors, 0-3 styles, both options', () => {
      const inputs = fc
        .record({
          rows: fc.integer({ min: 0, max: 12 }),
          cols: fc.integer({ min: 0, max: 14 }),
          m: fc.integer({ min: 1, max: 4 }),
          s: fc.integer({ min: 0, max: 3 }),
          perDate: fc.boolean(),
        })
        .chain(({ rows, cols, m, s, perDate }) =>
          fc.record({
            returns: panelArb(returnArb, rows, cols),
            marketCap: panelArb(capArb, rows, cols),
            codes: fc.array(
              fc.oneof(
                { weight: 9, arbitrary: fc.integer({ min: 0, max: m - 1 }) },
                { weight: perDate ? 1 : 0, arbitrary: fc.constant(NaN) },
              ),
              { minLength: perDate ? rows * cols : cols, maxLength: perDate ? rows * cols : cols },
            ),
            styles: fc.array(
              panelArb(
                fc.oneof({ weight: 9, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) }, { weight: 1, arbitrary: fc.constant(NaN) }),
                rows,
                cols,
              ),
              { minLength: s, maxLength: s },
            ),
            m: fc.constant(m),
            perDate: fc.constant(perDate),
          }),
        );
      const options = fc.record({ winsorize: fc.constantFrom(null, 0, 0.05, 0.5), residualizeStyles: fc.boolean() });
      fc.assert(
        fc.property(inputs, options, (x, o) => {
          const sectors = x.perDate
            ? { data: Float64Array.from(x.codes), rows: x.returns.rows, cols: x.returns.cols }
            : Int32Array.from(x.codes);
          const input = {
            returns: x.returns,
            marketCap: x.marketCap,
            sectors,
            styles: x.styles,
            sectorNames: Array.from({ length: x.m }, (_, j) => `s${j}`),
          };
          expectSameFit(FLOAT32_BACKENDS.has(name) ? inFloat32Range(input) : input, o);
        }),
        { numRuns: RUNS },
      );
    });

    test(
      ['factorReturns'],
      'factorReturns edge cases: one sector, a one-asset sector, an empty sector on a date, collinear styles, an all-NaN date, too few assets',
      () => {
        const T = 4;
        const N = 9;
        const cells = (f: (t: number, c: number) => number) => ({
          data: Float64Array.from({ length: T * N }, (_, i) => f(Math.floor(i / N), i % N)),
          rows: T,
          cols: N,
        });
        const returns = cells((t, c) => (t === 1 ? NaN : Math.sin(7 * t + 3 * c) * 0.02));
        const marketCap = cells((t, c) => 1e9 * (1 + ((t + c) % 4)));
        const style = cells((t, c) => Math.cos(t + 2 * c));
        const cases = [
          { sectors: new Int32Array(N) }, // one sector
          { sectors: Int32Array.of(0, 0, 0, 0, 1, 1, 1, 1, 2) }, // a sector with one asset
          { sectors: cells((t, c) => (t === 2 && c < 3 ? 1 : c % 3)) }, // sector 0 empty on date 2
          { sectors: Int32Array.of(0, 0, 0, 1, 1, 1, 2, 2, 2), styles: [style, style] }, // collinear styles
          { sectors: Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8) }, // 9 sectors + market + style: fewer assets than factors
        ];
        for (const c of cases) {
          const input = { returns, marketCap, styles: [style], ...c };
          for (const winsorize of [null, 0.05]) expectSameFit(input, { winsorize });
        }
      },
    );

    test(['factorCovariance', 'specificRisk', 'riskDecomposition'], 'factorCovariance, specificRisk and riskDecomposition', () => {
      const options = fc.record({ halfLife: fc.constantFrom(1, 20, 90, 1e9), neweyWestLags: fc.integer({ min: 0, max: 4 }) });
      const model = fc
        .record({
          T: fc.integer({ min: 0, max: 40 }),
          K: fc.integer({ min: 1, max: 6 }),
          N: fc.integer({ min: 0, max: 10 }),
          P: fc.integer({ min: 1, max: 4 }),
        })
        .chain(({ T, K, N, P }) =>
          fc.record({
            f: panelArb(returnArb, T, K),
            e: panelArb(returnArb, T, N),
            X: panelArb(fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(0, 1)), N, K),
            s: fc.array(fc.double({ min: 0, max: 1e-3, noNaN: true }), { minLength: N, maxLength: N }),
            w: panelArb(fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constant(0)), P, N),
          }),
        );
      fc.assert(
        fc.property(model, options, ({ f, e, X, s, w }, o) => {
          const F = ref.factorCovariance(f, o);
          // specificRisk knows halfLife only (an unknown option is a KernelInputError since issue 26)
          const so = { halfLife: o.halfLife };
          expectColumnsClose({ F: k.factorCovariance(f, o).data, s: k.specificRisk(e, so) }, { F: F.data, s: ref.specificRisk(e, so) });
          const cov = F.data.some((v) => Number.isNaN(v)) ? { data: new Float64Array(F.rows * F.cols), rows: F.rows, cols: F.cols } : F;
          const m = { exposures: X, factorCov: cov, specificVar: Float64Array.from(s) };
          const a = k.riskDecomposition(m, w);
          const r = ref.riskDecomposition(m, w);
          expectColumnsClose(
            { t: a.total, f: a.factor, s: a.specific, c: a.contributions.data, x: a.exposures.data },
            { t: r.total, f: r.factor, s: r.specific, c: r.contributions.data, x: r.exposures.data },
          );
        }),
        { numRuns: RUNS },
      );
    });

    it('data faults: the same KernelInputError as the reference', () => {
      const kernelOf = (call: (kk: Kernels) => unknown): KernelName => String(call).match(/kk\.(\w+)\(/)![1] as KernelName;
      const bad = { data: Float64Array.of(1e9, -5, 1e9, 1e9), rows: 2, cols: 2 };
      const r = { data: Float64Array.of(0.01, 0.02, 0.03, 0.04), rows: 2, cols: 2 };
      const calls: ((kk: Kernels) => unknown)[] = [
        (kk) => kk.size(bad),
        (kk) => kk.momentum({ data: Float64Array.of(0.1, -Infinity), rows: 1, cols: 2 }),
        (kk) => kk.factorReturns({ returns: r, marketCap: bad, sectors: Int32Array.of(0, 0), styles: [] }),
        (kk) => kk.factorReturns({ returns: r, marketCap: r, sectors: Int32Array.of(0, 2), styles: [], sectorNames: ['a', 'b'] }),
        (kk) =>
          kk.factorReturns({ returns: r, marketCap: r, sectors: { data: Float64Array.of(0, 0.5, 0, 0), rows: 2, cols: 2 }, styles: [] }),
        (kk) =>
          kk.riskDecomposition(
            { exposures: r, factorCov: { data: Float64Array.of(1, 0, 0, 1), rows: 2, cols: 2 }, specificVar: Float64Array.of(0, 0) },
            Float64Array.of(1, Infinity),
          ),
      ];
      for (const call of calls) {
        if (supports(kernelOf(call))) expectSameFault(call, k);
      }
    });
  },
  'factor',
);
