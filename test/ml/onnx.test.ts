/**
 * kernelbus/ml's ONNX models held to onnxruntime's Python session (1.30.0) on the fixtures of
 * scripts/ml-fixtures/generate_onnx.py (models built with onnx.helper, their outputs by InferenceSession.run,
 * checked there against numpy): within 1e-6 x max(|x|, 1) (the float64 model within 1e-12), on rows of
 * zeros, large values and NaN; the shapes of a row and a Matrix; bad input naming the argument or the
 * file; onnxruntime-node loaded only for an ONNX model, and its absence a clear error. Without
 * onnxruntime-node the tests that run models are skipped locally and fail with CI=true.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as OrtPackage from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, KernelInputError } from '../../src/errors.js';
import type { Matrix } from '../../src/kernels/matrix.js';
import { loadModel } from '../../src/ml/index.js';
import { isOnnx, loadOrt, ONNXRUNTIME_NOT_INSTALLED, type Ort } from '../../src/ml/onnx.js';
import { inCI } from '../helpers/backends.js';

type Json = number | string;
interface Case {
  name: string;
  file: string;
  inputType: string;
  features: number;
  classes: number;
  output: string;
  X: Json[][];
  expected: (Json | Json[])[];
}
const FIXTURES = JSON.parse(readFileSync(new URL('./fixtures/onnx.json', import.meta.url), 'utf8')) as {
  versions: Record<string, string | number>;
  cases: Case[];
  refused: { name: string; file: string }[];
};
const fixture = (file: string) => new URL(`./fixtures/${file}`, import.meta.url).pathname;

// onnxruntime-node's API fits what src/ml/onnx.ts asks of it (a type error here otherwise)
const fits: typeof OrtPackage extends Ort ? true : false = true;

const realRequire = createRequire(import.meta.url);
/** Whether onnxruntime-node is installed (resolved, not loaded: the first test checks when it loads). */
const installed = (() => {
  try {
    realRequire.resolve('onnxruntime-node');
    return true;
  } catch {
    return false;
  }
})();
const ortLoaded = () => Object.keys(realRequire.cache).some((f) => /node_modules[\\/]onnxruntime-node[\\/]/.test(f));

const value = (x: Json): number =>
  typeof x === 'number' ? x : x === 'NaN' ? Number.NaN : x === 'Infinity' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
const matrixOf = (X: Json[][]): Matrix => ({ data: Float64Array.from(X.flat(), value), rows: X.length, cols: X[0].length });

/** Each of ours within tol x max(|theirs|, 1); NaN exactly where theirs is NaN. */
function expectClose(ours: ArrayLike<number>, theirs: number[], tol: number, what: string): void {
  expect(ours.length, what).toBe(theirs.length);
  for (let i = 0; i < theirs.length; i++) {
    const bound = tol * Math.max(Math.abs(theirs[i]), 1);
    const ok = Number.isNaN(theirs[i]) ? Number.isNaN(ours[i]) : Math.abs(ours[i] - theirs[i]) <= bound;
    if (!ok) expect.fail(`${what}[${i}]: ${ours[i]} against onnxruntime's ${theirs[i]} (tolerance ${bound})`);
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'kernelbus-onnx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ONNX models: telling them apart, loading onnxruntime-node', () => {
  it('reads a ModelProto by its first bytes: ir_version (tag 0x08, a small varint), then another field', () => {
    expect(fits).toBe(true);
    for (const c of [...FIXTURES.cases, ...FIXTURES.refused]) expect(isOnnx(readFileSync(fixture(c.file))), c.name).toBe(true);
    // what exporters write: ir_version 7 then producer_name "pytorch"; ir_version 10 then the graph
    expect(isOnnx(Buffer.from([0x08, 0x07, 0x12, 0x07, ...Buffer.from('pytorch')]))).toBe(true);
    expect(isOnnx(Uint8Array.of(0x08, 0x0a, 0x3a, 0x05))).toBe(true);
    expect(isOnnx(Buffer.from('tree\nversion=v4\n'))).toBe(false);
    expect(isOnnx(new Uint8Array(0))).toBe(false);
    expect(isOnnx(Uint8Array.of(0x08, 0x08))).toBe(false); // too short
    expect(isOnnx(Uint8Array.of(0x08, 0x00, 0x12))).toBe(false); // ir_version 0
    expect(isOnnx(Uint8Array.of(0x08, 0x88, 0x01, 0x12))).toBe(false); // ir_version >= 128
    expect(isOnnx(Uint8Array.of(0x08, 0x08, 0x10))).toBe(false); // field 2 as a varint: not ModelProto's
    expect(isOnnx(Buffer.from('PK\u0003\u0004garbage'))).toBe(false);
  });

  it('onnxruntime-node missing: BackendUnavailableError naming the package and the install command', () => {
    // a require from a folder with no node_modules: node's own MODULE_NOT_FOUND
    const nowhere = createRequire(join(tmp, 'nowhere.js'));
    expect(() => loadOrt(nowhere)).toThrow(BackendUnavailableError);
    expect(() => loadOrt(nowhere)).toThrow(`backend 'onnxruntime-node' is unavailable: ${ONNXRUNTIME_NOT_INSTALLED}`);
    expect(ONNXRUNTIME_NOT_INSTALLED).toContain('npm install onnxruntime-node');
    expect(ONNXRUNTIME_NOT_INSTALLED).toContain('ONNXRUNTIME_NODE_INSTALL=skip');
    // installed but its binding does not load: its first line
    const broken = () => {
      throw new Error('Cannot find module ../bin/napi-v6/linux/x64/onnxruntime_binding.node\nRequire stack: ...');
    };
    expect(() => loadOrt(broken)).toThrow(
      "backend 'onnxruntime-node' is unavailable: onnxruntime-node did not load: Cannot find module ../bin/napi-v6/linux/x64/onnxruntime_binding.node",
    );
  });
});

describe.runIf(installed || inCI)('ONNX models against onnxruntime (Python)', () => {
  it('loads onnxruntime-node with the first ONNX model, not before (a LightGBM model needs none)', async () => {
    expect(ortLoaded()).toBe(false);
    await loadModel({ text: readFileSync(new URL('../../examples/model.txt', import.meta.url), 'utf8') });
    expect(ortLoaded()).toBe(false);
    expect((await loadModel(fixture('onnx/linear.onnx'))).kind).toBe('onnx');
    expect(ortLoaded()).toBe(true);
  });

  it('has the fixtures, from onnxruntime 1.30.0', () => {
    expect(FIXTURES.versions.onnxruntime).toBe('1.30.0');
    expect(FIXTURES.cases.map((c) => c.name)).toEqual(['linear', 'linear-batch1', 'mlp', 'softmax3', 'float64']);
  });

  for (const c of FIXTURES.cases) {
    const float64 = c.inputType === 'tensor(double)';
    it(`${c.name}: ${c.features} features, ${c.classes} output(s) a row, ${float64 ? 'float64' : 'float32'}: onnxruntime's outputs`, async () => {
      const bytes = readFileSync(fixture(c.file));
      // a view inside a larger buffer, at an offset: the model is read from its own bytes only
      const padded = new Uint8Array(bytes.length + 11).fill(0xff);
      padded.set(bytes, 7);
      for (const source of [fixture(c.file), bytes, padded.subarray(7, 7 + bytes.length)]) {
        const model = await loadModel(source);
        expect(model.kind).toBe('onnx');
        expect(model.features).toEqual(Array.from({ length: c.features }, (_, i) => `f${i}`));
        expect(model.classes).toBe(c.classes);
        expect(model.iterations).toBe(1);
        expect(model.lightgbm).toBeUndefined();
        const X = matrixOf(c.X);
        const expected = c.expected.flat().map(value);
        const out = await model.predictAsync(X);
        if (c.classes === 1) {
          expect(out).toBeInstanceOf(Float64Array);
          expectClose(out as Float64Array, expected, 1e-6, c.name);
        } else {
          const m = out as Matrix;
          expect([m.rows, m.cols, m.columns]).toEqual([X.rows, c.classes, Array.from({ length: c.classes }, (_, k) => String(k))]);
          expectClose(m.data, expected, 1e-6, c.name);
        }
        // float64 in, float64 through: to rounding, not to float32's 1e-7
        if (float64) expectClose((out as Matrix).data, expected, 1e-12, `${c.name} (float64)`);
        // each row alone: a number, or a Float64Array of the classes
        for (let r = 0; r < X.rows; r++) {
          const one = await model.predictAsync(X.data.subarray(r * X.cols, (r + 1) * X.cols));
          const want = expected.slice(r * c.classes, (r + 1) * c.classes);
          if (c.classes === 1) {
            expect(typeof one).toBe('number');
            expectClose([one as number], want, 1e-6, `${c.name} row ${r}`);
          } else {
            expect(one).toBeInstanceOf(Float64Array);
            expectClose(one as Float64Array, want, 1e-6, `${c.name} row ${r}`);
          }
        }
      }
    });
  }

  it('the classifier: its probabilities (not its int64 label), each row summing to 1', async () => {
    const c = FIXTURES.cases.find((k) => k.name === 'softmax3')!;
    expect(c.output).toBe('probabilities');
    const model = await loadModel(fixture(c.file));
    const X = matrixOf(c.X.slice(0, 12)); // the rows without NaN
    const p = (await model.predictAsync(X)) as Matrix;
    for (let r = 0; r < X.rows; r++) expect(p.data[3 * r] + p.data[3 * r + 1] + p.data[3 * r + 2]).toBeCloseTo(1, 6);
  });

  it('keeps a Matrix index, gives empty outputs for no rows, and reads its input before it returns', async () => {
    const model = await loadModel(fixture('onnx/softmax3.onnx'));
    const c = FIXTURES.cases.find((k) => k.name === 'softmax3')!;
    const X = matrixOf(c.X.slice(0, 2));
    const indexed = (await model.predictAsync({ ...X, index: [1000, 2000] })) as Matrix;
    expect(indexed.index).toEqual([1000, 2000]);
    expect(await model.predictAsync({ data: new Float64Array(0), rows: 0, cols: 5 })).toEqual({
      data: new Float64Array(0),
      rows: 0,
      cols: 3,
      columns: ['0', '1', '2'],
    });
    const linear = await loadModel(fixture('onnx/linear.onnx'));
    expect(await linear.predictAsync({ data: new Float64Array(0), rows: 0, cols: 4 })).toEqual(new Float64Array(0));
    // the rows are copied when predictAsync is called (float64 ones too): a change after it does not reach the run
    const D = FIXTURES.cases.find((k) => k.name === 'float64')!;
    const float64 = await loadModel(fixture(D.file));
    const row = Float64Array.from(D.X[0], value);
    const pending = float64.predictAsync(row);
    row.fill(1e9);
    expectClose((await pending) as Float64Array, (D.expected[0] as Json[]).map(value), 1e-12, 'copied row');
  });

  it('runs at once on several inputs (the float32 input reused only by a run that no other holds)', async () => {
    const c = FIXTURES.cases.find((k) => k.name === 'mlp')!;
    const model = await loadModel(fixture(c.file));
    const all = matrixOf(c.X);
    const expected = (c.expected as Json[]).map(value);
    // a large batch first (its input kept), then concurrent runs of different rows and sizes
    await model.predictAsync(all);
    const rows = c.X.map((r) => Float64Array.from(r, value));
    const results = await Promise.all([model.predictAsync(all), ...rows.map((r) => model.predictAsync(r)), model.predictAsync(all)]);
    expectClose(results[0] as Float64Array, expected, 1e-6, 'batch');
    rows.forEach((_, i) => expectClose(Float64Array.of(results[1 + i] as number), [expected[i]], 1e-6, `row ${i}`));
    expectClose(results[results.length - 1] as Float64Array, expected, 1e-6, 'batch again');
  });

  it('names the argument: the width of X or a row, predict(), contributions(), options', async () => {
    const model = await loadModel(fixture('onnx/linear.onnx'));
    await expect(model.predictAsync({ data: new Float64Array(10), rows: 2, cols: 5 })).rejects.toThrow(
      "X: expected 4 features a row (an ONNX model's input width), got 5",
    );
    await expect(model.predictAsync(new Float64Array(3))).rejects.toThrow(
      "row: expected 4 features a row (an ONNX model's input width), got 3",
    );
    await expect(model.predictAsync({ data: new Float64Array(3), rows: 2, cols: 2 })).rejects.toThrow(
      'X.data: expected length 4 (rows 2 x cols 2), got length 3',
    );
    await expect(model.predictAsync(new Float32Array(4) as never)).rejects.toThrow(KernelInputError);
    const path = fixture('onnx/linear.onnx');
    expect(() => model.predict(new Float64Array(4))).toThrow(KernelInputError);
    expect(() => model.predict(new Float64Array(4))).toThrow(
      `model: expected a LightGBM model for predict() (an ONNX model predicts through predictAsync(): onnxruntime-node runs asynchronously), got an ONNX model (${path})`,
    );
    expect(() => model.contributions(new Float64Array(4))).toThrow(
      `model: expected a LightGBM model for contributions() (an ONNX model has no contributions), got an ONNX model (${path})`,
    );
    await expect(model.predictAsync(new Float64Array(4), { raw: true })).rejects.toThrow(
      'options.raw: expected false (an ONNX model has no raw scores), got true',
    );
    await expect(model.predictAsync(new Float64Array(4), { iterations: 2 })).rejects.toThrow(
      "options.iterations: expected 1 (an ONNX model's iterations: its graph runs whole), got 2",
    );
    await expect(model.predictAsync(new Float64Array(4), { threads: 2 } as never)).rejects.toThrow(
      'options.threads: expected one of raw, iterations, got an unknown option',
    );
    expect(await model.predictAsync(new Float64Array(4), { raw: false, iterations: 1 })).toBeTypeOf('number');
    await expect(loadModel(path, { threads: 0 })).rejects.toThrow('options.threads: expected an integer >= 1, got 0');
    // threads: onnxruntime's intra-op threads, the same numbers
    const two = await loadModel(path, { threads: 2 });
    expect(await two.predictAsync(new Float64Array(4).fill(0.5))).toBe(await model.predictAsync(new Float64Array(4).fill(0.5)));
  });

  it('refuses a file of neither kind, a damaged ONNX model and a graph it cannot feed, naming the file', async () => {
    const garbage = join(tmp, 'garbage.bin');
    writeFileSync(garbage, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff, 0x10]));
    await expect(loadModel(garbage)).rejects.toThrow(KernelInputError);
    await expect(loadModel(garbage)).rejects.toThrow(
      `${garbage}: expected a LightGBM text model (booster.save_model()) or an ONNX model, got "PK`,
    );
    // a truncated ONNX model: its first bytes say ONNX, onnxruntime refuses the rest
    const truncated = join(tmp, 'truncated.onnx');
    const mlp = readFileSync(fixture('onnx/mlp.onnx'));
    writeFileSync(truncated, mlp.subarray(0, mlp.length >> 1));
    await expect(loadModel(truncated)).rejects.toThrow(new RegExp(`^${truncated}: expected an ONNX model onnxruntime can load, got .+`));
    await expect(loadModel(mlp.subarray(0, 40))).rejects.toThrow(/^model: expected an ONNX model onnxruntime can load, got /);
    await expect(loadModel(fixture('onnx/two-inputs.onnx'))).rejects.toThrow(
      `${fixture('onnx/two-inputs.onnx')}: expected an ONNX model of one input, a float32 or float64 tensor [batch, features] (its batch symbolic or 1), got X: float32 [N, 2]; Y: float32 [N, 2]`,
    );
    await expect(loadModel(fixture('onnx/label-only.onnx'))).rejects.toThrow(
      `${fixture('onnx/label-only.onnx')}: expected an ONNX model with a float32 or float64 output (skl2onnx: convert with options={'zipmap': False}), got label: int64 [N]`,
    );
  });
});
