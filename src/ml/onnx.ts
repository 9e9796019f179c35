/**
 * ONNX models (docs/ml.md "ONNX models"): loadModel() hands a file whose bytes are a ModelProto here
 * (isOnnx()), and the Model returned runs it in onnxruntime-node. That package is an optional peer
 * dependency, loaded on the first ONNX model (nothing else in kernelbus needs it): its absence is a
 * BackendUnavailableError naming it and the install command.
 *
 * A model takes one input, a float32 or float64 tensor [batch, n] (its features named f0..f{n-1}), and
 * predicts with its first float32 or float64 output: [batch] or [batch, 1] gives one value a row,
 * [batch, k] k values (a classifier's label output, int64, and a ZipMap's sequence of maps are skipped,
 * so skl2onnx's `label` + `probabilities` give the probabilities). Rows arrive as float64 and are
 * converted to the input's type (float32: rounded to nearest; NaN stays NaN).
 */
import { createRequire } from 'node:module';
import { BackendUnavailableError, KernelInputError } from '../errors.js';
import { asColumns, type Matrix } from '../kernels/matrix.js';
import { describeValue } from '../kernels/validate.js';
import type { Model, PredictOptions } from './types.js';

/** Loads a module by name (node's require; tests inject one that hides the package). */
export type Require = (id: string) => unknown;

/** Why an ONNX model cannot load where onnxruntime-node is not installed, with the fix. */
export const ONNXRUNTIME_NOT_INSTALLED =
  'onnxruntime-node is not installed, and ONNX models run on it (npm install onnxruntime-node; ONNXRUNTIME_NODE_INSTALL=skip keeps the CPU build it ships and downloads nothing)';

/** A tensor in and out of onnxruntime (the part of onnxruntime-common's Tensor used here). */
interface OrtTensor {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** What onnxruntime-node says of an input or output. */
type OrtValueMetadata =
  | { readonly name: string; readonly isTensor: false }
  | { readonly name: string; readonly isTensor: true; readonly type: string; readonly shape: readonly (number | string)[] };

/** An onnxruntime InferenceSession (the part used here). */
interface OrtSession {
  readonly inputMetadata: readonly OrtValueMetadata[];
  readonly outputMetadata: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}

/** onnxruntime-node's API, the part used here (test/ml/onnx.test.ts holds the package to it). */
export interface Ort {
  readonly InferenceSession: {
    create(buffer: Uint8Array, options?: { intraOpNumThreads?: number }): Promise<OrtSession>;
  };
  readonly Tensor: new (type: 'float32' | 'float64', data: Float32Array | Float64Array, dims: readonly number[]) => OrtTensor;
}

/** True when `error` says that module `id` itself (not something it requires) is missing. */
function isMissing(error: unknown, id: string): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${id}'`);
}

/** The first line of an error's message. */
function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0];
}

let loaded: Ort | undefined;

/**
 * onnxruntime-node, loaded on first use (once; `require` given, through it and not kept: the tests hide
 * the package so). BackendUnavailableError naming the package and its install command when it is not
 * installed, or the first line of its error when it does not load.
 */
export function loadOrt(require?: Require): Ort {
  if (require === undefined && loaded) return loaded;
  let ort: Ort;
  try {
    ort = (require ?? createRequire(import.meta.url))('onnxruntime-node') as Ort;
  } catch (error) {
    const reason = isMissing(error, 'onnxruntime-node') ? ONNXRUNTIME_NOT_INSTALLED : `onnxruntime-node did not load: ${firstLine(error)}`;
    throw new BackendUnavailableError('onnxruntime-node', reason);
  }
  if (require === undefined) loaded = ort;
  return ort;
}

/** ModelProto's fields that may follow ir_version, by their tag byte (field number << 3 | wire type). */
const NEXT_TAGS = new Set([
  0x12, // producer_name
  0x1a, // producer_version
  0x22, // domain
  0x28, // model_version (varint)
  0x32, // doc_string
  0x3a, // graph
  0x42, // opset_import
  0x72, // metadata_props
  0xa2, // training_info (field 20: 0xa2 0x01)
  0xca, // functions (field 25: 0xca 0x01)
  0xd2, // configuration (field 26: 0xd2 0x01)
]);

/**
 * True when `bytes` start as a serialized ONNX ModelProto: protobuf writes fields in number order, so
 * ir_version (field 1, a varint: tag 0x08) comes first, a small number (1..127; 3..12 in ONNX so far),
 * then the tag of another ModelProto field (exporters write producer_name, 0x12; onnx.helper without one
 * writes the graph, 0x3a). A LightGBM text starts `tree`.
 */
export function isOnnx(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x08 && bytes[1] >= 1 && bytes[1] <= 0x7f && NEXT_TAGS.has(bytes[2]);
}

/** Options of loadOnnx(): loadModel()'s (`backend` concerns LightGBM models only). */
export interface OnnxLoadOptions {
  /** onnxruntime's intra-op threads (default: onnxruntime's, one per physical core). */
  threads?: number;
}

type FloatType = 'float32' | 'float64';

/** An input or output in a few words, for messages. */
function describeMeta(m: OrtValueMetadata): string {
  return m.isTensor ? `${m.name}: ${m.type} [${m.shape.join(', ')}]` : `${m.name}: not a tensor`;
}

/**
 * The ONNX model of `bytes` (a ModelProto; `from` names it in messages) as a Model that predicts through
 * predictAsync(). KernelInputError naming `from` for a model onnxruntime cannot load or whose input or
 * output is not as described above; BackendUnavailableError when onnxruntime-node is missing.
 */
export async function loadOnnx(bytes: Uint8Array, from: string, options: OnnxLoadOptions = {}, ort: Ort = loadOrt()): Promise<Model> {
  const threads = options.threads;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new KernelInputError('options.threads', 'an integer >= 1', describeValue(threads));
  }
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(bytes, threads === undefined ? {} : { intraOpNumThreads: threads });
  } catch (error) {
    throw new KernelInputError(from, 'an ONNX model onnxruntime can load', firstLine(error));
  }
  const inputs = session.inputMetadata;
  const input = inputs[0];
  const shape = input?.isTensor ? input.shape : [];
  if (
    inputs.length !== 1 ||
    !input.isTensor ||
    (input.type !== 'float32' && input.type !== 'float64') ||
    shape.length !== 2 ||
    typeof shape[1] !== 'number' ||
    (typeof shape[0] === 'number' && shape[0] !== 1)
  ) {
    throw new KernelInputError(
      from,
      'an ONNX model of one input, a float32 or float64 tensor [batch, features] (its batch symbolic or 1)',
      inputs.map(describeMeta).join('; ') || 'no input',
    );
  }
  const output = session.outputMetadata.find(
    (m): m is Extract<OrtValueMetadata, { isTensor: true }> => m.isTensor && (m.type === 'float32' || m.type === 'float64'),
  );
  if (output === undefined) {
    throw new KernelInputError(
      from,
      "an ONNX model with a float32 or float64 output (skl2onnx: convert with options={'zipmap': False})",
      session.outputMetadata.map(describeMeta).join('; ') || 'no output',
    );
  }
  const F = shape[1] as number;
  const runner: Runner = {
    ort,
    session,
    from,
    input: input.name,
    type: input.type as FloatType,
    output: output.name,
    rowAtATime: shape[0] === 1,
    features: F,
  };
  // the width of each output row: from the metadata, else from a run on a row of zeros
  const out = output.shape;
  let classes: number;
  if (out.length === 1) classes = 1;
  else if (out.length === 2 && typeof out[1] === 'number') classes = out[1];
  else {
    const probe = await run(runner, new Float64Array(F), 1);
    classes = probe.length;
  }
  if (!(classes >= 1)) throw new KernelInputError(from, 'an ONNX model whose output has a value a row or more', describeMeta(output));
  return onnxModel(runner, classes);
}

/** What a run needs: the session, its input and output, and how rows go in. */
interface Runner {
  readonly ort: Ort;
  readonly session: OrtSession;
  readonly from: string;
  readonly input: string;
  readonly type: FloatType;
  readonly output: string;
  /** The input's batch is fixed to 1: one run a row. */
  readonly rowAtATime: boolean;
  readonly features: number;
  /**
   * A float32 input no run holds, for the next one (a fresh 20 MB array each call of a large batch was
   * as long as the conversion itself, and pushed the rows out of the cache).
   */
  spare?: Float32Array;
}

/** The model's outputs on `rows` rows of `data` (row-major, copied before the run), as float64. */
async function run(r: Runner, data: Float64Array, rows: number): Promise<Float64Array> {
  if (r.rowAtATime && rows > 1) {
    const parts: Float64Array[] = [];
    for (let i = 0; i < rows; i++) parts.push(await run(r, data.subarray(i * r.features, (i + 1) * r.features), 1));
    const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return all;
  }
  // copied: onnxruntime-node reads its feeds later, at its run in setImmediate (the caller may change
  // its rows meanwhile); a float32 copy into the spare input where no other run holds it
  let x: Float32Array | Float64Array;
  if (r.type === 'float32') {
    const n = rows * r.features;
    const spare = r.spare;
    r.spare = undefined;
    x = spare !== undefined && spare.buffer.byteLength >= 4 * n ? new Float32Array(spare.buffer, 0, n) : new Float32Array(n);
    x.set(data.subarray(0, n));
  } else {
    x = data.slice(0, rows * r.features);
  }
  let result: Record<string, OrtTensor>;
  try {
    result = await r.session.run({ [r.input]: new r.ort.Tensor(r.type, x, [rows, r.features]) });
  } finally {
    if (x instanceof Float32Array && (r.spare === undefined || r.spare.buffer.byteLength < x.buffer.byteLength)) {
      r.spare = new Float32Array(x.buffer);
    }
  }
  const y = result[r.output];
  const values = y?.data;
  if (!(values instanceof Float32Array || values instanceof Float64Array) || y.dims[0] !== rows || values.length % rows !== 0) {
    throw new KernelInputError(
      r.from,
      `an ONNX model whose output ${r.output} has a row for each of the ${rows} rows in`,
      y === undefined ? 'no output' : `${y.type} [${y.dims.join(', ')}]`,
    );
  }
  return values instanceof Float64Array ? values : new Float64Array(values);
}

/** predictAsync()'s options for an ONNX model: no raw scores, its one iteration. */
function checkOptions(options: PredictOptions | undefined): void {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new KernelInputError('options', 'an object { raw, iterations }', describeValue(options));
  }
  const unknown = Object.keys(options ?? {}).find((k) => k !== 'raw' && k !== 'iterations');
  if (unknown !== undefined) throw new KernelInputError(`options.${unknown}`, 'one of raw, iterations', 'an unknown option');
  if (options?.raw !== undefined && options.raw !== false) {
    const raw = options.raw;
    throw new KernelInputError('options.raw', 'false (an ONNX model has no raw scores)', raw === true ? 'true' : describeValue(raw));
  }
  if (options?.iterations !== undefined && options.iterations !== 1) {
    throw new KernelInputError(
      'options.iterations',
      "1 (an ONNX model's iterations: its graph runs whole)",
      describeValue(options.iterations),
    );
  }
}

/** A Model over an onnxruntime session whose output has `classes` values a row. */
function onnxModel(r: Runner, classes: number): Model {
  const F = r.features;
  const features = Array.from({ length: F }, (_, i) => `f${i}`);
  const classNames = Array.from({ length: classes }, (_, c) => String(c));
  async function predictAsync(X: Matrix | Float64Array, options?: PredictOptions): Promise<number | Float64Array | Matrix> {
    checkOptions(options);
    const one = X instanceof Float64Array;
    const x = one ? { data: X, rows: 1, cols: X.length } : asColumns(X, 'X');
    if (x.cols !== F) throw new KernelInputError(one ? 'row' : 'X', `${F} features a row (an ONNX model's input width)`, `${x.cols}`);
    const y = x.rows === 0 ? new Float64Array(0) : await run(r, x.data, x.rows);
    if (y.length !== x.rows * classes) {
      throw new KernelInputError(r.from, `an ONNX model whose output has ${classes} values a row`, `${y.length / x.rows}`);
    }
    if (one) return classes === 1 ? y[0] : y;
    if (classes === 1) return y;
    return { data: y, rows: x.rows, cols: classes, columns: classNames, ...(x.index ? { index: x.index } : {}) };
  }
  const refuse = (call: string, why: string) => (): never => {
    throw new KernelInputError('model', `a LightGBM model for ${call} (${why})`, `an ONNX model (${r.from})`);
  };
  return {
    kind: 'onnx',
    features,
    classes,
    iterations: 1,
    predict: refuse('predict()', 'an ONNX model predicts through predictAsync(): onnxruntime-node runs asynchronously') as Model['predict'],
    predictAsync: predictAsync as Model['predictAsync'],
    contributions: refuse('contributions()', 'an ONNX model has no contributions') as Model['contributions'],
  };
}
