/**
 * kernelbus/ml's LightGBM models held to LightGBM 4.7.0's Python package on the fixtures of
 * scripts/ml-fixtures/generate.py (models trained there, their predictions by `Booster.predict`): raw
 * scores, predictions and the first k iterations within 1e-12 x max(|x|, 1), on rows with NaN, zeros,
 * values at the thresholds, out of range, unseen and negative categories. Broken texts are refused with
 * the line; bad inputs name the argument.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KernelInputError } from '../../src/errors.js';
import type { Matrix } from '../../src/kernels/matrix.js';
import { loadModel } from '../../src/ml/index.js';

type Json = number | string;
interface Case {
  name: string;
  model: string;
  features: string[];
  X: Json[][];
  predict: (number | number[])[];
  raw: (number | number[])[];
  iterations: number;
  predictIterations: (number | number[])[];
  rawIterations: (number | number[])[];
  contrib: number[][];
}
const FIXTURES = JSON.parse(readFileSync(new URL('./fixtures/lightgbm.json', import.meta.url), 'utf8')) as {
  cases: Case[];
  broken: { name: string; model: string }[];
};

const value = (x: Json): number =>
  typeof x === 'number' ? x : x === 'NaN' ? Number.NaN : x === 'Infinity' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
const matrixOf = (X: Json[][]): Matrix => ({ data: Float64Array.from(X.flat(), value), rows: X.length, cols: X[0].length });
const flat = (xs: (number | number[])[]) => xs.flat();

/** Each of ours within 1e-12 x max(|theirs|, 1). */
function expectClose(ours: ArrayLike<number>, theirs: number[], what: string): void {
  expect(ours.length, what).toBe(theirs.length);
  for (let i = 0; i < theirs.length; i++) {
    const tol = 1e-12 * Math.max(Math.abs(theirs[i]), 1);
    if (!(Math.abs(ours[i] - theirs[i]) <= tol))
      expect.fail(`${what}[${i}]: ${ours[i]} against LightGBM's ${theirs[i]} (tolerance ${tol})`);
  }
}

/** Each of ours within 1e-9 x max(|theirs|, 1) (TreeSHAP's sums in LightGBM's order, give or take). */
function expectClose9(ours: ArrayLike<number>, theirs: number[], what: string): void {
  expect(ours.length, what).toBe(theirs.length);
  for (let i = 0; i < theirs.length; i++) {
    const tol = 1e-9 * Math.max(Math.abs(theirs[i]), 1);
    if (!(Math.abs(ours[i] - theirs[i]) <= tol))
      expect.fail(`${what}[${i}]: ${ours[i]} against LightGBM's ${theirs[i]} (tolerance ${tol})`);
  }
}

const BACKENDS = ['reference', 'native'] as const;

describe.each(BACKENDS)('LightGBM text models against LightGBM, %s', (backend) => {
  it('has the fixtures', () => {
    expect(FIXTURES.cases.length).toBeGreaterThanOrEqual(8);
  });

  for (const c of FIXTURES.cases) {
    it(`${c.name}: predictions, raw scores, the first ${c.iterations} iterations, contributions`, async () => {
      const model = await loadModel({ text: c.model }, { backend });
      expect(model.kind).toBe('lightgbm');
      expect(model.features).toEqual(c.features);
      const X = matrixOf(c.X);
      const as = (out: Float64Array | Matrix) => (out instanceof Float64Array ? out : out.data);
      expectClose(as(model.predict(X)), flat(c.predict), 'predict');
      expectClose(as(model.predict(X, { raw: true })), flat(c.raw), 'raw');
      expectClose(as(model.predict(X, { iterations: c.iterations })), flat(c.predictIterations), 'predict, iterations');
      expectClose(as(model.predict(X, { raw: true, iterations: c.iterations })), flat(c.rawIterations), 'raw, iterations');
      // one row alone: the same numbers
      const row = X.data.subarray(0, X.cols);
      const one = model.predict(row);
      expectClose(typeof one === 'number' ? [one] : one, [c.predict[0]].flat(), 'one row');
      expect(await model.predictAsync(X)).toEqual(model.predict(X));
      // SHAP values: LightGBM's pred_contrib within 1e-9, and they add up to the raw scores
      const contrib = model.contributions(X);
      expect(contrib.cols).toBe(model.lightgbm!.treesPerIteration * (c.features.length + 1));
      expectClose9(contrib.data, c.contrib.flat(), 'contributions');
    });
  }

  for (const b of FIXTURES.broken) {
    it(`refuses a broken model: ${b.name}`, async () => {
      await expect(loadModel({ text: b.model })).rejects.toThrow(KernelInputError);
      await expect(loadModel({ text: b.model })).rejects.toThrow(/^model:\d+: expected /);
    });
  }
});

describe.each(BACKENDS)('examples/model.txt (examples/train_lightgbm.py on a kernelbus dataset), %s', (backend) => {
  it("predicts the dataset's rows as LightGBM does", async () => {
    const e = JSON.parse(readFileSync(new URL('./fixtures/example-model.json', import.meta.url), 'utf8')) as {
      X: Json[][];
      predict: number[];
      raw: number[];
    };
    const model = await loadModel(new URL('../../examples/model.txt', import.meta.url).pathname, { backend });
    expect(model).toMatchObject({ kind: 'lightgbm', classes: 1, iterations: 100 });
    const X = matrixOf(e.X);
    expectClose(model.predict(X) as Float64Array, e.predict, 'predict');
    expectClose(model.predict(X, { raw: true }) as Float64Array, e.raw, 'raw');
    // SHAP values of a row: its features' then the bias, adding up to its raw score; labelled columns for a Matrix
    const row = X.data.subarray(0, 12);
    const phi = model.contributions(row);
    expect(phi).toHaveLength(13);
    expect(phi.reduce((a, b) => a + b, 0)).toBeCloseTo(e.raw[0], 9);
    expect(model.contributions(X).columns).toEqual([...model.features, 'bias']);
    expect(() => model.contributions(row, { raw: true } as never)).toThrow(
      'options.raw: expected one of iterations, got an unknown option',
    );
    // a Buffer of the file: the same model
    const bytes = readFileSync(new URL('../../examples/model.txt', import.meta.url));
    expect((await loadModel(bytes, { backend })).predict(X)).toEqual(model.predict(X));
  });
});

describe('bad input', () => {
  it('names the argument', async () => {
    const c = FIXTURES.cases[0];
    const model = await loadModel({ text: c.model });
    const F = c.features.length;
    expect(() => model.predict({ data: new Float64Array(2 * (F + 1)), rows: 2, cols: F + 1 })).toThrow(
      `X: expected ${F} features a row (${c.features.join(', ')}), got ${F + 1}`,
    );
    expect(() => model.predict(new Float64Array(F), { iterations: 0 })).toThrow(/^options\.iterations: expected an integer in \[1, \d+\]/);
    expect(() => model.predict(new Float64Array(F), { iterations: model.iterations + 1 })).toThrow(KernelInputError);
    expect(() => model.predict(new Float64Array(F), { threads: 2 } as never)).toThrow(
      'options.threads: expected one of raw, iterations, got an unknown option',
    );
    await expect(loadModel('/nonexistent/model.txt')).rejects.toThrow(
      'source: expected a readable model file, got /nonexistent/model.txt (ENOENT)',
    );
    await expect(loadModel({ text: 'PK\u0003\u0004garbage' })).rejects.toThrow(/^model: expected a LightGBM text model/);
    await expect(loadModel(42 as never)).rejects.toThrow('source: expected a path, a Buffer or { text } of a model, got 42');
  });
});
