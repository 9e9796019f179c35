/**
 * What a kernel is, said once: its packed parameters (what the native layer unpacks and checks, in
 * order), its named outputs with their shapes (how the one Float64Array a kernel fills is laid out),
 * the dimensions of those shapes from the backend call's arguments, and the options the API accepts.
 * Each family's spec module holds one descriptor per kernel (`RISK_KERNELS`, `FACTOR_KERNELS`, ...);
 * from them come the native backend's allocation and packing, the API's shaping of outputs, the
 * formatting of a parameter fault raised in C++, the unknown-option check and the parameter-name tests.
 */
import { KernelInputError } from '../errors.js';
import { resultMatrix, resultObject } from './fresh-output.js';
import { labelVector, type Split, type Vector } from './labels.js';
import type { Matrix } from './matrix.js';
import type { ParamSpec } from './param-rules.js';
import type { RecordSpec } from './record.js';
import type { Sampler } from './sample.js';
import { argsOf, dimsOf, type Dims, type DimsData } from './signature.js';
import { describeValue } from './validate.js';

export type { ParamSpec } from './param-rules.js';
export type { Dims, DimsData } from './signature.js';
export { dimsOf } from './signature.js';

/** `T`, or a promise of it: a kernel's result type in its `<name>Async` form (A true). */
export type Returned<A extends boolean, T> = A extends true ? Promise<T> : T;

/** An output's shape: [] a number, [d] a vector of d values, [r, c] an r x c row-major matrix. */
export type Shape = readonly [] | readonly [string] | readonly [string, string];

/** One kernel's descriptor. */
export interface KernelSpec {
  /**
   * The packed parameters, in the order the native kernel reads them. They are the trailing scalar
   * arguments of the backend call (`RiskFamily`, `FactorFamily`), packed into one Float64Array for the
   * addon.
   */
  readonly params: readonly ParamSpec[];
  /**
   * The named outputs in the order they lie in the Float64Array the kernel fills. A kernel whose
   * output length depends on the data (vpin's bucket columns, B rows each) declares them too: its
   * `dims` then takes the count a first pass over the data gives (the backend allocates after it),
   * and its api returns a `call`.
   */
  readonly outputs?: Readonly<Record<string, Shape>>;
  /**
   * The backend call's arguments before the packed parameters, as data (src/kernels/signature.ts):
   * `'returns[rows x cols], rows, cols'`. With `dims` as data, scripts/gen-native.ts writes the
   * kernel's C++ declaration, output layout, entry and registration line from it.
   */
  readonly signature?: string;
  /**
   * The dimensions of `outputs`: as data, each a count or parameter of the call (`{ T: 'rows', N:
   * 'cols' }`, `'rows - 1'`), or a function of the backend call's arguments (a layout the data cannot
   * say: rolling's statistics chosen by a mask; or from a first pass's count). `dimsOf` reads both.
   */
  readonly dims?: ((...args: never[]) => Dims) | DimsData;
  /**
   * The backend call's record arguments by name (src/kernels/record.ts: `{ sim: SIMULATION }`), whose
   * C++ readers scripts/gen-records.ts writes.
   */
  readonly records?: Readonly<Record<string, RecordSpec>>;
  /**
   * A product of the call's counts and parameters that must fit in memory besides the output (the
   * kernel's working set: monteCarloVar's portfolios x paths losses), checked by the generated entry.
   */
  readonly workspace?: string;
  /**
   * Seeded arguments of one API call (small, with NaN where the kernel skips it): the sampled parity
   * suite and scripts/native-check.mjs run every kernel that has one on every backend.
   */
  readonly sample?: (s: Sampler) => readonly unknown[];
  /**
   * The backend call's argument count, for a kernel that accepts a caller-owned output: the call may
   * then carry it as one more argument (a Call's `out`), which the backend fills instead of allocating.
   */
  readonly arity?: number;
  /** The option keys the API accepts (any other is a KernelInputError). */
  readonly options?: readonly string[];
  /**
   * The API's side of the kernel: checks the caller's arguments, resolves the options, and says how
   * to run it (a Call). src/api turns every descriptor's `api` into `<name>` and `<name>Async`.
   */
  readonly api?: (...args: never[]) => Call;
}

/** A fixed-layout kernel's outputs by name, as `splitOutputs` gives them. */
export type Outputs = Record<string, OutputValue>;

/**
 * How the API runs one call (what a descriptor's `api` returns):
 * - `{ size, args, shape }`: a fixed-layout kernel: the backend's `<name>(...args)`, its output split
 *   by the descriptor's outputs, then `shape` (sync, or when the promise variant resolves);
 * - `{ size, call, shape }`: any other kernel (the VPIN family's variable outputs): `call` gets the
 *   backend's family and calls it, `shape` turns what it returned into the result (`via`: the family
 *   function it calls, when not the kernel's own);
 * - `{ value }`: computed in TS without a backend (a special function of one number).
 * `size` is the input size 'auto' picks a backend by (src/api/auto.ts).
 */
export type Call<T = unknown> =
  | {
      readonly size: number;
      readonly args: readonly unknown[];
      readonly shape: (outputs: Outputs) => T;
      /** The caller's output array (descriptors with an `arity`), passed after `args`. */
      readonly out?: Float64Array;
      /** How the outputs are split: one problem's shapes, the labels (`Split`). */
      readonly split?: Split;
    }
  | {
      readonly size: number;
      readonly call: (family: never) => unknown;
      readonly shape: (out: never) => T;
      /**
       * The family's function `call` calls, when it is not the kernel's own (an indicator's grid calls
       * the family's `grid`): the promised run hands `call` that function's promise variant.
       */
      readonly via?: string;
    }
  | { readonly value: T };

/**
 * A Call's `shape` that returns the outputs as they are. A descriptor's api takes its shape from here
 * or from `outputNamed`, made once, rather than a closure made per call: a named closure costs a
 * defineProperty of its name per call where esbuild keeps names (tsx), about 0.2 us.
 */
export const asOutputs = (o: Outputs): unknown => o;

/** A Call's `shape` that returns the output `name` (made once per descriptor: see asOutputs). */
export function outputNamed(name: string): (o: Outputs) => unknown {
  return (o) => o[name];
}

/**
 * The backend call's argument count, after which it may take an output array: the descriptor's
 * `arity`, else its signature's arguments and packed parameters; undefined for a call of records (no
 * signature). A backend fills an output given there (a descriptor with an `arity`: the caller's), or
 * may return its own (the API's scratch output for one problem's numbers: src/api/kernels.ts).
 */
export function arityOf(spec: KernelSpec): number | undefined {
  return spec.arity ?? (spec.signature === undefined ? undefined : argsOf(spec.signature).length + spec.params.length);
}

/** A kernel's spec with its outputs (a fixed-layout kernel). */
export interface OutputSpec extends KernelSpec {
  readonly outputs: Readonly<Record<string, Shape>>;
  readonly dims: ((...args: never[]) => Dims) | DimsData;
}

/** The number of values of `shape` under `dims`. */
function sizeOf(shape: Shape, dims: Dims): number {
  let n = 1;
  for (const d of shape) n *= dims[d];
  return n;
}

/** The length of the Float64Array holding every output of `outputs` under `dims`. */
export function outputLength(outputs: Readonly<Record<string, Shape>>, dims: Dims): number {
  const list = entriesOf(outputs);
  let n = 0;
  for (let i = 0; i < list.length; i++) n += sizeOf(list[i][1], dims);
  return n;
}

const entries = new WeakMap<object, readonly (readonly [string, Shape])[]>();

/** The outputs' [name, shape] pairs in order, read once per descriptor (the calls are hot). */
function entriesOf(outputs: Readonly<Record<string, Shape>>): readonly (readonly [string, Shape])[] {
  let list = entries.get(outputs);
  if (!list) entries.set(outputs, (list = Object.entries(outputs)));
  return list;
}

/** An output as the API returns it: a number, a Float64Array view or a Matrix over a view. */
export type OutputValue = number | Vector | Matrix;

/** The dimensions of an output under `split`: its shape's, less the one a one-problem call drops. */
function rankUnder(shape: Shape, one: string | undefined): number {
  return one !== undefined && shape.includes(one as never) ? shape.length - 1 : shape.length;
}

/**
 * Whether every output of `outputs` is a number under `split` (one problem's statistics: a
 * portfolio's volatility, a series' VaR and ES): the result then holds no view of the output array.
 */
export function numbersOnly(outputs: Readonly<Record<string, Shape>>, split: Split | undefined): boolean {
  const one = split?.one;
  if (one === undefined) return false;
  const list = entriesOf(outputs);
  for (let i = 0; i < list.length; i++) if (rankUnder(list[i][1], one) !== 0) return false;
  return true;
}

/**
 * The named outputs of `out` (views, no copy): in order, each `[]` a number, `[d]` a Float64Array of
 * d values, `[r, c]` a Matrix, as `split` shapes and labels them. The one place an output's offset is
 * computed.
 */
export function splitOutputs(
  outputs: Readonly<Record<string, Shape>>,
  out: Float64Array,
  dims: Dims,
  split: Split = {},
): Record<string, OutputValue> {
  const result = resultObject() as Record<string, OutputValue>;
  const { one, labels } = split;
  let at = 0;
  for (const [name, full] of entriesOf(outputs)) {
    const n = sizeOf(full, dims);
    const rank = rankUnder(full, one);
    if (rank === 0) result[name] = out[at];
    else if (rank === 1) {
      const d = (full[0] === one ? full[1] : full[0]) as string; // the dimension left
      const v = n === out.length ? out : out.subarray(at, at + n); // the only output: the array itself
      result[name] = labels?.[d] ? labelVector(v, labels[d]) : v;
    } else {
      const [r, c] = full as readonly [string, string];
      result[name] = resultMatrix(
        out.subarray(at, at + n),
        dims[r],
        dims[c],
        (labels?.[c] || undefined) as readonly string[] | undefined,
        labels?.[r] || undefined,
      );
    }
    at += n;
  }
  return result;
}

/**
 * splitOutputs of one problem whose outputs are all numbers (numbersOnly: a value each, in order),
 * without the dimensions: each output `name` is out[i].
 */
export function numbersOf(outputs: Readonly<Record<string, Shape>>, out: Float64Array): Record<string, number> {
  const result: Record<string, number> = {};
  const list = entriesOf(outputs);
  for (let i = 0; i < list.length; i++) result[list[i][0]] = out[i];
  return result;
}

/** The Float64Array views of `out` per output (a Matrix's data), for a kernel to write into. */
export function outputViews(outputs: Readonly<Record<string, Shape>>, out: Float64Array, dims: Dims): Record<string, Float64Array> {
  const views: Record<string, Float64Array> = {};
  let at = 0;
  for (const [name, shape] of entriesOf(outputs)) {
    const n = sizeOf(shape, dims);
    views[name] = out.subarray(at, at + n);
    at += n;
  }
  return views;
}

/** A fresh output array for `spec`'s call with `args` and its views by output name. */
export function allocateOutputs(spec: OutputSpec, ...args: unknown[]): { out: Float64Array; views: Record<string, Float64Array> } {
  return outputsInto(spec, undefined, ...args);
}

/**
 * The output array for `spec`'s call with `args`, the caller's `given` one (a Call's `out`, of the
 * descriptor's length: the API checked it) or else a fresh one, and its views by output name.
 */
export function outputsInto(
  spec: OutputSpec,
  given: Float64Array | undefined,
  ...args: unknown[]
): { out: Float64Array; views: Record<string, Float64Array> } {
  const dims = dimsOf(spec)(args);
  const out = given ?? new Float64Array(outputLength(spec.outputs, dims));
  return { out, views: outputViews(spec.outputs, out, dims) };
}

/**
 * `given`, a result filled again (its arrays are views of the array the kernel just wrote): its
 * number fields (a one-problem result's statistics) set from `outputs`. Returns `given`.
 */
export function refilled<T extends object>(given: T, outputs: Outputs): T {
  for (const key in outputs) if (typeof outputs[key] === 'number') (given as Record<string, unknown>)[key] = outputs[key];
  return given;
}

/**
 * The one array behind `result`, a result of `spec`'s kernel under `dims` as the API returned it (each
 * output of the descriptor under its name, a view of one buffer in the descriptor's order: a
 * Float64Array, or for an [r, c] shape a Matrix or a Float64Array over one column (c = 1); a
 * one-problem result may hold a number for an output of one value, whose place the views imply, and
 * then the views' buffer must be that array alone, as the API allocates it), so that a call can fill
 * it again (a caller-owned output: OutOption). KernelInputError naming `name` when it is not one.
 */
export function packedOutput(spec: OutputSpec, dims: Dims, result: unknown, name: string, kernel: string): Float64Array {
  const length = outputLength(spec.outputs, dims);
  if (typeof result !== 'object' || result === null) throw resultFault(name, kernel, length, describeValue(result));
  const values = result as Record<string, unknown>;
  const list = entriesOf(spec.outputs);
  let buffer: ArrayBufferLike | undefined;
  let start = 0; // the byte offset of the output's first value in `buffer`
  let number: string | undefined; // an output given as a number
  let at = 0;
  for (let i = 0; i < list.length; i++) {
    const [key, shape] = list[i];
    const n = sizeOf(shape, dims);
    const value = values[key];
    if (typeof value === 'number' && n === 1) {
      number ??= key;
      at += 1;
      continue;
    }
    const matrix = shape.length === 2 && typeof value === 'object' && value !== null && !(value instanceof Float64Array);
    const data = matrix ? (value as Matrix).data : value;
    if (!(data instanceof Float64Array)) throw resultFault(name, kernel, length, `${key}: ${describeValue(value)}`);
    if (matrix && ((value as Matrix).rows !== dims[shape[0]] || (value as Matrix).cols !== dims[shape[1]])) {
      throw resultFault(name, kernel, length, `${key}: ${(value as Matrix).rows} x ${(value as Matrix).cols}`);
    }
    if (shape.length === 2 && !matrix && dims[shape[1]] !== 1) {
      throw resultFault(name, kernel, length, `${key}: a Float64Array for ${dims[shape[0]]} x ${dims[shape[1]]}`);
    }
    if (buffer === undefined) {
      start = data.byteOffset - at * 8;
      if (start >= 0 && start + length * 8 <= data.buffer.byteLength) buffer = data.buffer;
    }
    if (buffer === undefined || data.length !== n || data.buffer !== buffer || data.byteOffset !== start + at * 8) {
      throw resultFault(name, kernel, length, `${key} not at value ${at} of one buffer of ${length}`);
    }
    at += n;
  }
  if (buffer === undefined) throw resultFault(name, kernel, length, 'no array of the result');
  if (number !== undefined && (start !== 0 || buffer.byteLength !== length * 8)) {
    throw resultFault(name, kernel, length, `${number} as a number, its arrays in a buffer of ${buffer.byteLength / 8} values`);
  }
  return new Float64Array(buffer, start, length);
}

/** packedOutput's error, its message made only where it is thrown (engines pass an `out` at every call). */
export function resultFault(name: string, kernel: string, length: number, actual: string): KernelInputError {
  const wanted = `a result of ${kernel}() of the same shape, its arrays as returned (views of one buffer of ${length} values)`;
  return new KernelInputError(name, wanted, actual);
}

/**
 * The caller's output `given` holding what the backend wrote in `out`: `out` itself where the backend
 * filled `given`, else `given` after a copy (a backend that allocates its own output).
 */
export function filled(given: Float64Array | undefined, out: Float64Array): Float64Array {
  if (given === undefined || given === out) return out;
  given.set(out);
  return given;
}

/**
 * Throws KernelInputError naming every key of `options` that `spec` does not know (JavaScript callers
 * get no type error for a misspelt option: `{ confidense: 0.99 }` would silently use the default).
 */
export function requireKnownOptions(spec: KernelSpec, options: unknown, name = 'options'): void {
  if (options === undefined || options === null || typeof options !== 'object' || !spec.options) return;
  let bad = false;
  for (const key in options) bad ||= Object.hasOwn(options, key) && !spec.options.includes(key);
  if (!bad) return; // the common case, without allocating
  const unknown = Object.keys(options).filter((key) => !spec.options!.includes(key));
  const known = spec.options.length > 0 ? spec.options.join(', ') : 'none';
  throw new KernelInputError(
    name,
    `only the options ${known}`,
    `unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => describeValue(k)).join(', ')}`,
  );
}
