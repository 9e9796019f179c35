/**
 * The factor family's results shaped for people (issue 39): labels given on the panels (a Matrix's
 * `index` of dates and `columns` of assets) reach every per-date, per-asset and per-factor output
 * without a copy; factorReturns names its factors on its matrix; one date in gives one Vector out,
 * one portfolio numbers and Vectors of K equal to row 0 of a batch of two; factorRiskModel chains
 * factorReturns into riskDecomposition. On the reference and on every backend (each kernel where the
 * backend has it); the TypeScript types of both shapes are checked by `npm run typecheck`.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as api from '../../src/api/index.js';
import { KernelInputError, type Kernels, type Matrix, matrix, series, toRecords, type Vector } from '../../src/index.js';
import {
  factorRiskModelWith,
  factorRiskModelWithAsync,
  type FactorRiskModel,
  type FactorRiskModelOptions,
} from '../../src/kernels/factor/factor-model.js';
import { plain, row0 } from '../helpers/shapes.js';
import { describeEachBackend, ref, type Supports } from '../helpers/backends.js';

const T = 40;
const N = 6;
const ASSETS = ['AAPL', 'MSFT', 'XOM', 'CVX', 'JNJ', 'PFE'];
const SECTOR_NAMES = ['tech', 'energy', 'health'];
const SECTORS = Int32Array.of(0, 0, 1, 1, 2, 2);
const DAY = 86_400_000;
const DATES = Float64Array.from({ length: T }, (_, t) => Date.UTC(2024, 0, 2) + t * DAY);
const PORTFOLIOS = ['equal', 'tilted'];

let s = 17;
const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
const values = (f: () => number) => Float64Array.from({ length: T * N }, f);
const labelled = (data: Float64Array) => matrix(data, T, N, { index: DATES, columns: ASSETS });
const RETURNS = values(() => 0.02 * (rand() - 0.48));
const CAPS = values(() => 1e9 * (1 + 9 * rand()));
const BOOK = values(() => rand());
const SALES = values(() => 2 * rand());
const CASH = values(() => rand() - 0.2);
const VALUE = values(() => rand() - 0.5);
const R = labelled(RETURNS);
const CAP = labelled(CAPS);
const ROW = series(RETURNS.slice(0, N), { index: ASSETS, name: '2024-01-02' });
const W = Float64Array.of(0.2, 0.2, 0.15, 0.15, 0.15, 0.15);
const W2 = matrix(Float64Array.of(...W, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1), 2, N, { index: PORTFOLIOS, columns: ASSETS });
const MOMENTUM = { window: 10, halfLife: 5, lag: 2 };

/** factorReturns' inputs: labelled panels, or the same values unlabelled. */
function inputsOf(labels: boolean) {
  const m = labels ? labelled : (data: Float64Array) => matrix(data, T, N);
  return {
    returns: m(RETURNS),
    marketCap: m(CAPS),
    sectors: SECTORS,
    styles: { size: m(CAPS.map((c) => -Math.log(c))), value: m(VALUE) },
    sectorNames: SECTOR_NAMES,
  };
}
const INPUTS = inputsOf(true);
const PLAIN_INPUTS = inputsOf(false);
const FACTORS = ['market', ...SECTOR_NAMES, 'size', 'value'];
const K = FACTORS.length;

/** The model riskDecomposition takes, built by hand from the kernels and factorExposures. */
function byHand(k: Kernels, options: FactorRiskModelOptions = {}): FactorRiskModel {
  const fit = k.factorReturns(INPUTS);
  const x = api.factorExposures(INPUTS);
  return {
    exposures: matrix(x.data, x.assets, x.factors),
    factorCov: k.factorCovariance(fit.factorReturns, options.factorCovariance),
    specificVar: k.specificRisk(fit.residuals, options.specificRisk),
  };
}

function suite(k: Kernels, supports: Supports = () => true): void {
  it('panels keep their dates (index) and assets (columns), the arrays given', () => {
    const panels: [string, () => Matrix][] = [
      ['winsorize', () => k.winsorize(R)],
      ['standardize', () => k.standardize(R)],
      ['momentum', () => k.momentum(R, MOMENTUM)],
      ['size', () => k.size(CAP)],
      ['value', () => k.value(labelled(BOOK), labelled(SALES), labelled(CASH))],
    ];
    for (const [kernel, call] of panels) {
      if (!supports(kernel as never)) continue;
      const m = call();
      expect([m.rows, m.cols], kernel).toEqual([T, N]);
      expect(m.index, kernel).toBe(DATES);
      expect(m.columns, kernel).toBe(ASSETS);
    }
    if (supports('value')) {
      // the labels of the first panel that has them
      const v = k.value(matrix(BOOK, T, N), matrix(SALES, T, N, { columns: ASSETS }), matrix(CASH, T, N, { index: DATES }));
      expect([v.index, v.columns]).toEqual([DATES, ASSETS]);
      expect(v.columns).toBe(ASSETS);
    }
    if (supports('size')) {
      const unlabelled = k.size(matrix(CAPS, T, N));
      expect([unlabelled.index, unlabelled.columns]).toEqual([undefined, undefined]);
    }
  });

  it('one date: a Vector of N carrying the row`s index and name, equal to row 0 of the panel call', () => {
    for (const kernel of ['winsorize', 'standardize'] as const) {
      if (!supports(kernel)) continue;
      const one = k[kernel](ROW);
      expect(one).toBeInstanceOf(Float64Array);
      expect(one.index, kernel).toBe(ASSETS);
      expect(one.name, kernel).toBe('2024-01-02');
      expect([...one], kernel).toEqual([...k[kernel](R).data.subarray(0, N)]);
      const bare = k[kernel](RETURNS.slice(0, N));
      expect([bare.index, bare.name], kernel).toEqual([undefined, undefined]);
    }
  });

  it('factorReturns: factor names and dates on factorReturns, assets and dates on residuals', () => {
    if (!supports('factorReturns')) return;
    const fit = k.factorReturns(INPUTS);
    expect(fit.names).toEqual(FACTORS);
    expect(fit.factorReturns.columns).toBe(fit.names);
    expect(fit.factorReturns.index).toBe(DATES);
    expect([fit.residuals.index, fit.residuals.columns]).toEqual([DATES, ASSETS]);
    expect(fit.residuals.columns).toBe(ASSETS);
    const rows = toRecords(fit.factorReturns);
    expect(rows).toHaveLength(T);
    expect(Object.keys(rows[T - 1])).toEqual(['date', ...FACTORS]);
    expect(rows[T - 1]).toMatchObject({
      date: DATES[T - 1],
      market: fit.factorReturns.data[(T - 1) * K],
      value: fit.factorReturns.data[T * K - 1],
    });
    expect(toRecords(fit.residuals)[3]).toMatchObject({ date: DATES[3], XOM: fit.residuals.data[3 * N + 2] });
    // a universe's factor returns with dates from the market caps when the returns carry none
    const dated = k.factorReturns({ ...PLAIN_INPUTS, marketCap: CAP });
    expect([dated.factorReturns.index, dated.residuals.columns]).toEqual([DATES, ASSETS]);
  });

  it('factorCovariance: K x K named by the factors; specificRisk: a Vector named by the assets', () => {
    if (!supports('factorReturns', 'factorCovariance', 'specificRisk')) return;
    const fit = k.factorReturns(INPUTS);
    const F = k.factorCovariance(fit.factorReturns);
    expect([F.rows, F.cols]).toEqual([K, K]);
    expect(F.index).toBe(fit.names);
    expect(F.columns).toBe(fit.names);
    expect(toRecords(F)[2]).toMatchObject({ name: 'energy', energy: F.data[2 * K + 2] });
    const variance = k.specificRisk(fit.residuals);
    expect(variance).toHaveLength(N);
    expect(variance.index).toBe(ASSETS);
    expect(toRecords(variance)[4]).toEqual({ name: 'JNJ', value: variance[4] });
    const bare = k.factorCovariance(matrix(fit.factorReturns.data, T, K));
    expect([bare.index, bare.columns, k.specificRisk(matrix(fit.residuals.data, T, N)).index]).toEqual([undefined, undefined, undefined]);
  });

  it('riskDecomposition: one portfolio is numbers and Vectors of K equal to row 0 of a batch of two, labelled', () => {
    if (!supports('factorReturns', 'factorCovariance', 'specificRisk', 'riskDecomposition')) return;
    const model = factorRiskModelWith(k, INPUTS, k.factorReturns(INPUTS));
    const one = k.riskDecomposition(model, W);
    const two = k.riskDecomposition(model, W2);
    expect([typeof one.total, typeof one.factor, typeof one.specific]).toEqual(['number', 'number', 'number']);
    expect(plain(one)).toEqual(row0(two));
    expect(one.contributions.index).toBe(model.exposures.columns);
    expect(one.exposures.index).toEqual(FACTORS);
    expect([two.total.index, two.specific.index]).toEqual([PORTFOLIOS, PORTFOLIOS]);
    expect(two.contributions.index).toBe(PORTFOLIOS);
    expect(two.contributions.columns).toBe(model.exposures.columns);
    expect(toRecords(one)[1]).toEqual({ name: 'tech', contributions: one.contributions[1], exposures: one.exposures[1] });
    // an unlabelled model: no labels, the same values
    const bare = {
      exposures: matrix(model.exposures.data, N, K),
      factorCov: matrix(model.factorCov.data, K, K),
      specificVar: Float64Array.from(model.specificVar),
    };
    const plainOne = k.riskDecomposition(bare, W);
    expect(plain(plainOne)).toEqual(plain(one));
    expect(plainOne.contributions.index).toBeUndefined();
  });

  it('factorRiskModel: its riskDecomposition equals that of the model built by hand, options passed through', async () => {
    if (!supports('factorReturns', 'factorCovariance', 'specificRisk', 'riskDecomposition')) return;
    const fit = k.factorReturns(INPUTS);
    for (const options of [{}, { factorCovariance: { halfLife: 10, neweyWestLags: 2 }, specificRisk: { halfLife: 5 } }]) {
      const model = factorRiskModelWith(k, INPUTS, fit, options);
      const hand = byHand(k, options);
      expect([...model.exposures.data]).toEqual([...hand.exposures.data]);
      expect(plain(k.riskDecomposition(model, W))).toEqual(plain(k.riskDecomposition(hand, W)));
      expect(plain({ ...k.riskDecomposition(model, W2) })).toEqual(plain({ ...k.riskDecomposition(hand, W2) }));
      const promised = await factorRiskModelWithAsync(k, INPUTS, fit, options);
      expect(plain(k.riskDecomposition(promised, W))).toEqual(plain(k.riskDecomposition(model, W)));
      expect(promised.factorCov.columns).toBe(fit.names);
    }
    const model = factorRiskModelWith(k, INPUTS, fit);
    // the API's form on these kernels: the same model, chained straight into riskDecomposition
    const api = k.factorRiskModel(INPUTS, fit);
    expect(plain(k.riskDecomposition(api, W))).toEqual(plain(k.riskDecomposition(model, W)));
    expect(plain(k.riskDecomposition(await k.factorRiskModelAsync(INPUTS, fit), W))).toEqual(plain(k.riskDecomposition(model, W)));
    expect([model.exposures.rows, model.exposures.cols]).toEqual([N, K]);
    expect(model.exposures.index).toBe(ASSETS);
    expect(model.exposures.columns).toBe(fit.names);
    expect(model.factorCov.columns).toBe(fit.names);
    expect((model.specificVar as Vector).index).toBe(ASSETS);
    // the options change the model (they reach the kernels)
    const other = factorRiskModelWith(k, INPUTS, fit, { factorCovariance: { halfLife: 5 } });
    expect([...other.factorCov.data]).not.toEqual([...model.factorCov.data]);
    expect([...other.specificVar]).toEqual([...model.specificVar]);
  });

  it('no copy: a labelled call gives the sizes and values of the unlabelled one, views of one output array', () => {
    if (supports('factorReturns')) {
      const fit = k.factorReturns(INPUTS);
      const bare = k.factorReturns(PLAIN_INPUTS);
      expect([...fit.factorReturns.data, ...fit.residuals.data]).toEqual([...bare.factorReturns.data, ...bare.residuals.data]);
      const out = fit.factorReturns.data.buffer;
      expect(fit.residuals.data.buffer).toBe(out); // both views of the one array the kernel filled
      expect([out.byteLength, fit.residuals.data.byteOffset]).toEqual([(T * K + T * N) * 8, T * K * 8]);
      expect(out).not.toBe(RETURNS.buffer);
      expect(fit.factorReturns.index).toBe(INPUTS.returns.index); // the caller's arrays, not copies
    }
    if (supports('winsorize')) {
      const w = k.winsorize(R);
      expect(w.data.buffer.byteLength).toBe(T * N * 8);
      expect([...w.data]).toEqual([...k.winsorize(matrix(RETURNS, T, N)).data]);
      const one = k.winsorize(ROW);
      expect(one.buffer.byteLength).toBe(N * 8); // the output array itself
      expect(one.index).toBe(ROW.index);
    }
    if (supports('riskDecomposition', 'factorCovariance', 'specificRisk', 'factorReturns')) {
      const r = k.riskDecomposition(factorRiskModelWith(k, INPUTS, k.factorReturns(INPUTS)), W2);
      expect(r.contributions.data.buffer).toBe(r.total.buffer);
      expect(r.total.buffer.byteLength).toBe((3 * 2 + 2 * 2 * K) * 8);
    }
  });
}

describe('factor shapes [reference]', () => suite(ref));
describeEachBackend('factor shapes', (k, _name, supports) => suite(k, supports), 'factor');

describe('factorRiskModel: bad input', () => {
  const fit = ref.factorReturns(INPUTS);
  it('KernelInputError naming the argument', () => {
    const fewer = { ...fit, factorReturns: matrix(fit.factorReturns.data.subarray(0, T * (K - 1)), T, K - 1) };
    const cases: [() => unknown, string][] = [
      [
        () => factorRiskModelWith(ref, INPUTS, fit, { halfLife: 3 } as never),
        'options: expected only the options factorCovariance, specificRisk, got unknown option "halfLife"',
      ],
      [() => factorRiskModelWith(ref, INPUTS, fit, 3 as never), 'options: expected an object, got 3'],
      [() => factorRiskModelWith(ref, INPUTS, null as never), 'fit: expected a result of factorReturns()'],
      [
        () => factorRiskModelWith(ref, INPUTS, fewer),
        `fit.factorReturns.cols: expected ${K} (the factors of inputs: ${FACTORS.join(', ')}), got ${K - 1}`,
      ],
      [
        () => factorRiskModelWith(ref, INPUTS, { ...fit, residuals: matrix(new Float64Array(T), T, 1) }),
        `fit.residuals.cols: expected ${N} (the assets of inputs.sectors), got 1`,
      ],
      [
        () => factorRiskModelWith(ref, INPUTS, fit, { specificRisk: { halfLife: -1 } }),
        'options.halfLife: expected a finite number > 0, got -1',
      ],
    ];
    for (const [call, message] of cases) {
      expect(call).toThrow(KernelInputError);
      expect(call).toThrow(message);
    }
  });

  it('the kernelbus/kernels module itself serves as the kernels (the default backend choice)', () => {
    const model = factorRiskModelWith(api, INPUTS, fit);
    expect(model.factorCov.columns).toBe(fit.names);
    expect(api.riskDecomposition(model, W).total).toBeCloseTo(ref.riskDecomposition(model, W).total, 15);
  });

  it('the promise variant rejects with the same error', async () => {
    await expect(factorRiskModelWithAsync(ref, INPUTS, fit, { extra: 1 } as never)).rejects.toThrow(KernelInputError);
  });
});

describe('the types of both shapes', () => {
  it('one date or portfolio gives Vectors and numbers; panels and batches give Matrices and Vectors', () => {
    const model = factorRiskModelWith(ref, INPUTS, ref.factorReturns(INPUTS));
    expectTypeOf(ref.winsorize(ROW)).toEqualTypeOf<Vector>();
    expectTypeOf(ref.standardize(R)).toEqualTypeOf<Matrix>();
    expectTypeOf(ref.specificRisk(R)).toEqualTypeOf<Vector>();
    expectTypeOf(ref.factorCovariance(R)).toEqualTypeOf<Matrix>();
    expectTypeOf(model).toEqualTypeOf<FactorRiskModel>();
    expectTypeOf(ref.riskDecomposition(model, W).total).toEqualTypeOf<number>();
    expectTypeOf(ref.riskDecomposition(model, W).contributions).toEqualTypeOf<Vector>();
    expectTypeOf(ref.riskDecomposition(model, W2).total).toEqualTypeOf<Vector>();
    expectTypeOf(ref.riskDecomposition(model, W2).exposures).toEqualTypeOf<Matrix>();
  });
});
