/**
 * The native prepared LightGBM model (Kernels.lightgbmPrepare: native/kernels/ml/prepared.hpp, checked
 * once and walked with no check per call) against the reference's packed kernels, the oracle: on the
 * fixtures of scripts/ml-fixtures/generate.py and on random models (sampleModel: every missing type,
 * categorical bitsets, single-leaf trees), for 1, 7, 33 and 1000 rows (and 8000, where two threads
 * share the rows), on 1 and 2 threads, every iteration count and raw. Raw scores are the reference's
 * bits (outputs through exp within 1e-12: C++'s exp and JavaScript's round apart); SHAP values within 1e-12 of the output's scale (the fast TreeSHAP rounds in another order), the
 * reference's bits where a tree's counts send it to the exact TreeSHAP (a count of 0: NaN as the
 * reference's). A damaged model is refused at prepare with the packed kernels' message; bad calls
 * (another handle, a detached X, wrong widths and lengths) are KernelInputErrors naming the argument.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { installEveryBackend } from '../../src/api/every-backend.js';
import { kernels } from '../../src/api/kernels.js';
import { loadNative } from '../../src/backends/native/binding.js';
import { KernelInputError } from '../../src/errors.js';
import type { Matrix } from '../../src/kernels/matrix.js';
import { H, NODE, packedLayout, packLightGbm, type PreparedLightGbm } from '../../src/kernels/ml/ml.js';
import { sampleModel, sampleRows } from '../../src/kernels/ml/ml-kernels.js';
import { Sampler } from '../../src/kernels/sample.js';
import { parseLightGbm } from '../../src/ml/lightgbm-text.js';
import { loadModel } from '../../src/ml/index.js';

installEveryBackend();
const ref = kernels({ backend: 'reference' });
const native = [kernels({ backend: 'native', threads: 1 }), kernels({ backend: 'native', threads: 2 })];
const binding = loadNative().binding!;

type Json = number | string;
const FIXTURES = JSON.parse(readFileSync(new URL('./fixtures/lightgbm.json', import.meta.url), 'utf8')) as {
  cases: { name: string; model: string; X: Json[][] }[];
};
const value = (x: Json): number =>
  typeof x === 'number' ? x : x === 'NaN' ? Number.NaN : x === 'Infinity' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;

/** `rows` rows cycling through those of X. */
function tile(X: Matrix, rows: number): Matrix {
  const data = new Float64Array(rows * X.cols);
  for (let r = 0; r < rows; r++) data.set(X.data.subarray((r % X.rows) * X.cols, ((r % X.rows) + 1) * X.cols), r * X.cols);
  return { data, rows, cols: X.cols };
}

const prepare = (k: (typeof native)[number], model: Float64Array): PreparedLightGbm => {
  const p = k.lightgbmPrepare(model);
  if (!p) throw new Error('native prepares no model');
  return p;
};

/** The prepared model's predictions of X. */
function predicted(p: PreparedLightGbm, model: Float64Array, X: Matrix, iterations: number, raw: boolean): Float64Array {
  const out = new Float64Array(X.rows * model[H.treesPerIteration]);
  p.predict(X.data, X.rows, X.cols, iterations, raw ? 1 : 0, out);
  return out;
}

/** Its SHAP values of X. */
function contributed(p: PreparedLightGbm, model: Float64Array, X: Matrix, iterations: number): Float64Array {
  const out = new Float64Array(X.rows * model[H.treesPerIteration] * (X.cols + 1));
  p.contributions(X.data, X.rows, X.cols, iterations, out);
  return out;
}

/** Each value within 1e-12 of the larger of |expected| and the output's largest magnitude; NaN where it is NaN. */
function expectClose(actual: Float64Array, expected: Float64Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let scale = 0;
  for (const e of expected) if (Number.isFinite(e)) scale = Math.max(scale, Math.abs(e));
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : a === e || Math.abs(a - e) <= 1e-12 * Math.max(Math.abs(e), scale);
    if (!ok) expect.fail(`${what}[${i}]: ${a} against the reference's ${e}`);
  }
}

/** The prepared model (1 and 2 threads) against the reference on `X` tiled to each row count. */
function holdsToReference(model: Float64Array, X: Matrix, rowCounts: readonly number[], what: string): void {
  const total = model[H.trees] / model[H.treesPerIteration];
  const prepared = native.map((k) => prepare(k, model));
  for (const rows of rowCounts) {
    const x = tile(X, rows);
    for (const iterations of new Set([0, 1, total])) {
      for (const raw of [false, true]) {
        const want = ref.lightgbmPredict(model, x, { iterations, raw }).data;
        prepared.forEach((p, i) => {
          const got = predicted(p, model, x, iterations, raw);
          const where = `${what}: ${rows} rows, iterations ${iterations}, raw ${raw}, ${i + 1} threads`;
          // the raw scores to the bit; outputs through exp, C++'s and JavaScript's, within 1e-12
          if (raw) expect(got, where).toEqual(want);
          else expectClose(got, want, where);
        });
      }
      if (rows > 1000) continue;
      const want = ref.lightgbmContributions(model, x, { iterations }).data;
      prepared.forEach((p, i) =>
        expectClose(
          contributed(p, model, x, iterations),
          want,
          `${what}: contributions, ${rows} rows, iterations ${iterations}, ${i + 1} threads`,
        ),
      );
    }
  }
}

describe('the prepared model against the reference', () => {
  for (const c of FIXTURES.cases) {
    it(`${c.name}`, () => {
      const model = packLightGbm(parseLightGbm(c.model));
      const X = { data: Float64Array.from(c.X.flat(), value), rows: c.X.length, cols: c.X[0].length };
      holdsToReference(model, X, [1, 7, 33, 1000], c.name);
    });
  }

  it('8,000 rows of a fixture: two threads share them, the same bits as one', () => {
    const c = FIXTURES.cases.find((f) => f.name === 'binary-nan-missing')!;
    const model = packLightGbm(parseLightGbm(c.model));
    const X = tile({ data: Float64Array.from(c.X.flat(), value), rows: c.X.length, cols: c.X[0].length }, 8000);
    const want = ref.lightgbmPredict(model, X, { raw: true }).data;
    for (const k of native) expect(predicted(prepare(k, model), model, X, 0, true)).toEqual(want);
  });

  it('random models (sampleModel): 30 seeds', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const s = new Sampler(seed);
      const F = s.int(1, 6);
      const K = s.pick(1, 1, 3);
      const model = sampleModel(s, F, K);
      holdsToReference(model, sampleRows(s, 40, F), [1, 7, 33, 1000], `seed ${seed}`);
    }
  });

  it('a count of 0 (the exact TreeSHAP): the reference, NaN included', () => {
    // the first seed whose model has more than 2 splits
    let seed = 1;
    while (!(sampleModel(new Sampler(seed), 4, 1)[H.nodes] > 2)) seed++;
    const model = sampleModel(new Sampler(seed), 4, 1);
    const at = packedLayout(model[H.trees], model[H.nodes], model[H.leaves], model[H.catBoundaries], model[H.catWords]);
    // the first leaf of the first tree with a split: rows the other way divide by its 0
    const t = Array.from({ length: model[H.trees] }, (_, i) => i).find((i) => model[at.treeNode + i + 1] > model[at.treeNode + i])!;
    model[at.leafCount + model[at.treeLeaf + t]] = 0;
    const X = sampleRows(new Sampler(8), 33, 4);
    const want = ref.lightgbmContributions(model, X).data;
    expect(want.some(Number.isNaN)).toBe(true);
    for (const k of native) expect(contributed(prepare(k, model), model, X, 0)).toEqual(want);
  });

  it('Model.predict(row), its short path, and the others: the reference model', async () => {
    const c = FIXTURES.cases.find((f) => f.name === 'multiclass-3')!;
    for (const name of ['binary-nan-missing', 'multiclass-3']) {
      const text = FIXTURES.cases.find((f) => f.name === name)!.model;
      const [nat, rm] = [await loadModel({ text }, { backend: 'native' }), await loadModel({ text }, { backend: 'reference' })];
      const X = { data: Float64Array.from(c.X.flat(), value).subarray(0, 20 * nat.features.length), rows: 20, cols: nat.features.length };
      for (let r = 0; r < X.rows; r++) {
        const row = X.data.slice(r * X.cols, (r + 1) * X.cols);
        const [got, want] = [nat.predict(row), rm.predict(row)];
        expect(typeof got).toBe(typeof want);
        const values = (v: unknown) => (typeof v === 'number' ? Float64Array.of(v) : (v as Float64Array));
        expectClose(values(got), values(want), `${name} row ${r}`);
        expect(nat.predict(row, { raw: true, iterations: 2 })).toEqual(rm.predict(row, { raw: true, iterations: 2 }));
      }
      expect(await nat.predictAsync(X, { raw: true })).toEqual(rm.predict(X, { raw: true }));
      expect(nat.contributions(X).columns).toEqual(rm.contributions(X).columns);
    }
  });

  it('the promise variants: the same values', async () => {
    const c = FIXTURES.cases.find((f) => f.name === 'multiclass-3')!;
    const model = packLightGbm(parseLightGbm(c.model));
    const X = tile({ data: Float64Array.from(c.X.flat(), value), rows: c.X.length, cols: c.X[0].length }, 300);
    const p = prepare(native[1], model);
    const out = new Float64Array(300 * 3);
    await p.predictAsync(X.data, 300, X.cols, 0, 1, out);
    expect(out).toEqual(predicted(p, model, X, 0, true));
    const phi = new Float64Array(300 * 3 * (X.cols + 1));
    await p.contributionsAsync(X.data, 300, X.cols, 2, phi);
    expect(phi).toEqual(contributed(p, model, X, 2));
  });
});

describe('the prepared model: bad input', () => {
  const c = FIXTURES.cases.find((f) => f.name.startsWith('categorical-codes'))!;
  const good = packLightGbm(parseLightGbm(c.model));
  const at = packedLayout(good[H.trees], good[H.nodes], good[H.leaves], good[H.catBoundaries], good[H.catWords]);
  const F = good[H.features];
  const X = { data: new Float64Array(3 * F).fill(1), rows: 3, cols: F };
  const damaged = (edit: (p: Float64Array) => void): Float64Array => {
    const p = good.slice();
    edit(p);
    return p;
  };
  /** The packed kernel's message for `model` (the reference's: native's is held to it by errors.test.ts). */
  const messageOf = (model: Float64Array): string => {
    try {
      ref.lightgbmPredict(model, X);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('the reference took the model');
  };

  it("a damaged model is refused at prepare with the packed kernels' message", () => {
    // the second tree's first node: its right child made its left one (one leaf the child of two)
    const n1 = at.nodes + NODE * good[at.treeNode + 1];
    const cases: [string, Float64Array][] = [
      ['short', good.subarray(0, 5)],
      ['version', damaged((p) => void (p[H.version] = 2))],
      ['length', good.subarray(0, good.length - 1)],
      ['feature', damaged((p) => void (p[at.nodes] = F))],
      ['child before its node', damaged((p) => void (p[at.nodes + 2] = 0))],
      ['decision type', damaged((p) => void (p[at.nodes + 4] = 16))],
      ['leaf NaN', damaged((p) => void (p[at.leafValue] = Number.NaN))],
      ['bitset word', damaged((p) => void (p[at.catWords] = 2 ** 32))],
      ['a child of two nodes', damaged((p) => void (p[n1 + 3] = p[n1 + 2]))],
    ];
    for (const [what, model] of cases) {
      const message = messageOf(model);
      expect(() => native[0].lightgbmPrepare(model), what).toThrow(KernelInputError);
      expect(() => native[0].lightgbmPrepare(model), what).toThrow(message);
      expect(() => native[0].lightgbmPredict(model, X), what).toThrow(message);
    }
    expect(messageOf(cases[8][1])).toBe(`model: expected a packed LightGBM model (packLightGbm()), got model[${n1 + 3}] = ${good[n1 + 2]}`);
    expect(() => native[0].lightgbmPrepare(new Float32Array(20) as never)).toThrow('model: expected a Float64Array, got Float32Array');
  });

  it("bad counts: predictions as ever, SHAP values refused with the packed kernel's message (from the tree that has them)", () => {
    const lastTree = good[H.trees] - 1;
    const bad = damaged((p) => void (p[at.internalCount + good[at.treeNode + lastTree]] = -1));
    const p = prepare(native[0], bad);
    expect(predicted(p, bad, X, 0, false)).toEqual(ref.lightgbmPredict(good, X).data);
    const message = `model: expected the trees' counts (internal_count, leaf_count: TreeSHAP weighs by them), got model[${at.internalCount + good[at.treeNode + lastTree]}] = -1`;
    expect(() => contributed(p, bad, X, 0)).toThrow(message);
    expect(() => ref.lightgbmContributions(bad, X)).toThrow(message);
    expect(contributed(p, bad, X, 1)).toEqual(contributed(prepare(native[0], good), good, X, 1));
  });

  it('calls: another handle, a detached X, wrong widths, lengths and iterations name the argument', () => {
    const p = prepare(native[0], good);
    const out = new Float64Array(3);
    const handleError = 'model: expected a prepared LightGBM model (mlPrepare()), got';
    for (const other of [{}, 42, good, null]) {
      expect(() => binding.mlPredictPrepared(other, X.data, 3, F, 0, 0, out)).toThrow(
        `${handleError} ${other === null ? 'null' : other === 42 ? '42' : other === good ? 'Float64Array' : 'an object'}`,
      );
      expect(() => binding.mlContributionsPrepared(other, X.data, 3, F, 0, out)).toThrow(KernelInputError);
    }
    const detached = new Float64Array(3 * F);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    expect(() => p.predict(detached, 3, F, 0, 0, out)).toThrow('x: expected a Float64Array with an attached buffer, got a detached buffer');
    expect(() => p.predict(X.data, 3, F + 1, 0, 0, new Float64Array(3))).toThrow(
      `x: expected length ${3 * (F + 1)} (rows x cols), got length ${3 * F}`,
    );
    expect(() => p.predict(new Float64Array(3 * (F + 1)), 3, F + 1, 0, 0, out)).toThrow(
      `x: expected ${F} features a row (the model's), got ${F + 1}`,
    );
    expect(() => p.predict(X.data, 3, F, 0, 0, new Float64Array(2))).toThrow('out: expected length 3 (as the input), got length 2');
    expect(() => p.contributions(X.data, 3, F, 0, new Float64Array(3 * F))).toThrow(
      `out: expected length ${3 * (F + 1)} (as the input), got length ${3 * F}`,
    );
    const total = good[H.trees] / good[H.treesPerIteration];
    expect(() => p.predict(X.data, 3, F, total + 1, 0, out)).toThrow(`options.iterations: expected an integer in [0, ${total}]`);
    expect(() => p.predict(X.data, 3, F, 0, 2, out)).toThrow('raw: expected 0 or 1, got 2');
    expect(() => p.predict(X.data, 1.5, F, 0, 0, out)).toThrow('rows: expected an integer >= 0, got 1.5');
    const sixArguments = binding.mlPredictPrepared as unknown as (...a: unknown[]) => void;
    expect(() => sixArguments(binding.mlPrepare(good), X.data, 3, F, 0, 0)).toThrow('arguments: expected 7 arguments, got 6');
    expect(() => p.predict(new Float32Array(3 * F) as never, 3, F, 0, 0, out)).toThrow('x: expected a Float64Array, got Float32Array');
  });
});
