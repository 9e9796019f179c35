/**
 * `kernelbus/ml`'s models (docs/ml.md): loadModel(source) reads a model (a path, a Buffer or `{ text }`),
 * its kind told from the content, and returns a Model whose predict() runs on rows of features. A LightGBM
 * text model (./lightgbm-text.ts) is packed once (packLightGbm()) for the ml family's kernels
 * (lightgbmPredict, lightgbmContributions: native, the reference its oracle; on native the model is
 * prepared once, ./lightgbm-calls.ts), which predict as LightGBM's
 * `Booster(model_file).predict(X, raw_score, num_iteration, pred_contrib)` does.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { KernelInputError } from '../errors.js';
import { asColumns, type Matrix } from '../kernels/matrix.js';
import { describeValue } from '../kernels/validate.js';
import { installEveryBackend } from '../api/every-backend.js';
import { kernels, type Kernels } from '../api/kernels.js';
import { packLightGbm } from '../kernels/ml/ml.js';
import { lightGbmCalls } from './lightgbm-calls.js';
import { type LightGbmModel, parseLightGbm } from './lightgbm-text.js';
import type { LoadOptions, Model, ModelSource, PredictOptions } from './types.js';
import { isOnnx, loadOnnx } from './onnx.js';

export type { LoadOptions, Model, ModelSource, PredictOptions } from './types.js';

/** The text of `source` and where it came from. */
async function textOf(source: ModelSource): Promise<{ text: string; from: string; bytes?: Uint8Array }> {
  if (typeof source === 'string') {
    let bytes: Buffer;
    try {
      bytes = await readFile(source);
    } catch (error) {
      throw unreadable('source', source, error);
    }
    return { text: bytes.toString('utf8'), from: source, bytes };
  }
  if (source instanceof Uint8Array)
    return { text: Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString('utf8'), from: 'model', bytes: source };
  if (typeof source === 'object' && source !== null && typeof source.text === 'string') return { text: source.text, from: 'model' };
  throw new KernelInputError('source', 'a path, a Buffer or { text } of a model', describeValue(source));
}

/**
 * The model of `source` (see ModelSource), its kind read from the content: a LightGBM text model (its
 * first line `tree`) or an ONNX model (a ModelProto, isOnnx(): ./onnx.ts, through onnxruntime-node).
 * KernelInputError naming the file and line for a model it cannot read.
 */
export async function loadModel(source: ModelSource, options: LoadOptions = {}): Promise<Model> {
  const { text, from, bytes } = await textOf(source);
  if (bytes !== undefined && isOnnx(bytes)) return loadOnnx(bytes, from, options);
  return lightGbmOfText(text, from, options, 'a LightGBM text model (booster.save_model()) or an ONNX model');
}

/** The KernelInputError of a model file that cannot be read (its error code). */
function unreadable(argument: string, path: string, error: unknown): KernelInputError {
  return new KernelInputError(argument, 'a readable model file', `${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
}

/** The Model of a LightGBM model's `text` (from `from`): KernelInputError saying `expected` for a text that is no such model. */
function lightGbmOfText(text: string, from: string, options: LoadOptions, expected: string): Model {
  if (!text.startsWith('tree')) throw new KernelInputError(from, expected, describeValue(text.slice(0, 24)));
  installEveryBackend();
  return lightGbmModel(parseLightGbm(text, from), kernels(options));
}

/** `options.iterations` checked against the model's. */
function iterationsOf(options: PredictOptions | undefined, total: number): { raw: boolean; iterations: number } {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new KernelInputError('options', 'an object { raw, iterations }', describeValue(options));
  }
  const unknown = Object.keys(options ?? {}).find((k) => k !== 'raw' && k !== 'iterations');
  if (unknown !== undefined) throw new KernelInputError(`options.${unknown}`, 'one of raw, iterations', 'an unknown option');
  const raw = options?.raw ?? false;
  if (typeof raw !== 'boolean') throw new KernelInputError('options.raw', 'a boolean', describeValue(raw));
  const iterations = options?.iterations ?? total;
  if (!(Number.isInteger(iterations) && iterations >= 1 && iterations <= total)) {
    throw new KernelInputError('options.iterations', `an integer in [1, ${total}] (the model's iterations)`, describeValue(iterations));
  }
  return { raw, iterations };
}

/** A Model over a LightGBM model, its kernels on `k`. */
function lightGbmModel(m: LightGbmModel, k: Kernels): Model {
  const F = m.features.length;
  const K = m.treesPerIteration;
  const total = m.numLeaves.length / K;
  const calls = lightGbmCalls(packLightGbm(m), k);
  const oneRow = calls.one;
  const classNames = Array.from({ length: K }, (_, c) => String(c));
  const contribColumns = Array.from({ length: K }, (_, c) => [...m.features, 'bias'].map((f) => (K === 1 ? f : `${c}:${f}`))).flat();
  /** X as the kernels take it, and whether it was one row. */
  const rowsOf = (X: Matrix | Float64Array): { x: Matrix; one: boolean } => {
    const one = X instanceof Float64Array;
    const x = one ? { data: X, rows: 1, cols: X.length } : asColumns(X, 'X');
    if (x.cols !== F) throw new KernelInputError(one ? 'row' : 'X', `${F} features a row (${m.features.join(', ')})`, `${x.cols}`);
    return { x, one };
  };
  function shaped(out: Matrix, x: Matrix, one: boolean, columns: readonly string[]): number | Float64Array | Matrix {
    if (one) return K === 1 && columns === classNames ? out.data[0] : out.data;
    if (K === 1 && columns === classNames) return out.data;
    return { data: out.data, rows: x.rows, cols: out.cols, columns, ...(x.index ? { index: x.index } : {}) };
  }
  function predict(X: Matrix | Float64Array, options?: PredictOptions): number | Float64Array | Matrix {
    // one row, no options, a prepared model: its short path (nothing allocated for one output)
    if (oneRow && options === undefined && X instanceof Float64Array && X.length === F) return oneRow(X);
    const { raw, iterations } = iterationsOf(options, total);
    const { x, one } = rowsOf(X);
    return shaped(calls.predict(x, raw, iterations), x, one, classNames);
  }
  async function predictAsync(X: Matrix | Float64Array, options?: PredictOptions): Promise<number | Float64Array | Matrix> {
    const { raw, iterations } = iterationsOf(options, total);
    const { x, one } = rowsOf(X);
    return shaped(await calls.predictAsync(x, raw, iterations), x, one, classNames);
  }
  function contributions(X: Matrix | Float64Array, options?: { iterations?: number }): Matrix | Float64Array {
    if (options !== undefined && 'raw' in (options as object))
      throw new KernelInputError('options.raw', 'one of iterations', 'an unknown option');
    const { iterations } = iterationsOf(options, total);
    const { x, one } = rowsOf(X);
    return shaped(calls.contributions(x, iterations), x, one, contribColumns) as Matrix | Float64Array;
  }
  return {
    kind: 'lightgbm',
    features: m.features,
    classes: m.output === 'softmax' || m.output === 'sigmoidEach' ? K : 1,
    iterations: total,
    predict: predict as Model['predict'],
    predictAsync: predictAsync as Model['predictAsync'],
    contributions: contributions as Model['contributions'],
    lightgbm: m,
  };
}

/**
 * The LightGBM text model at `path`, read synchronously (strategies load their models when their module
 * loads: src/strategy/models.ts). KernelInputError naming the file, and the line for a text it cannot
 * read; a file of another kind (an ONNX model) is refused: its runtime predicts asynchronously.
 */
export function loadLightGbmFileSync(path: string, options: LoadOptions = {}): Model {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw unreadable('file', path, error);
  }
  return lightGbmOfText(text, path, options, 'a LightGBM text model (booster.save_model())');
}
