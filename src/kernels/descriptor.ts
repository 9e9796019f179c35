/**
 * What a kernel is, said once: its packed parameters (what the native layer unpacks and checks, in
 * order), its named outputs with their shapes (how the one Float64Array a kernel fills is laid out),
 * the dimensions of those shapes from the backend call's arguments, and the options the API accepts.
 * Each family's spec module holds one descriptor per kernel (`RISK_KERNELS`, `FACTOR_KERNELS`, ...);
 * from them come the native backend's allocation and packing, the API's shaping of outputs, the
 * formatting of a parameter fault raised in C++, the unknown-option check and the parameter-name tests.
 */
import { KernelInputError } from '../errors.js';
import type { Matrix } from './matrix.js';
import { describeValue } from './validate.js';

/**
 * One packed numeric parameter: `key` is its name in C++ (native/kernels, `paramNames()`), `name` the
 * argument a fault names (`options.confidence`; default `key`), `expected` what is accepted (the fault's text; C++
 * checks the same range once, in its unpack function).
 */
export interface ParamSpec {
  readonly key: string;
  /** Default: `key`. */
  readonly name?: string;
  readonly expected: string;
}

/** An output's shape: [] a number, [d] a vector of d values, [r, c] an r x c row-major matrix. */
export type Shape = readonly [] | readonly [string] | readonly [string, string];

/** The dimensions an output's shape names, with their values for one call. */
export type Dims = Readonly<Record<string, number>>;

/** One kernel's descriptor. */
export interface KernelSpec {
  /**
   * The packed parameters, in the order the native kernel reads them. They are the trailing scalar
   * arguments of the backend call (`RiskFamily`, `FactorFamily`), packed into one Float64Array for the
   * addon.
   */
  readonly params: readonly ParamSpec[];
  /**
   * The named outputs in the order they lie in the Float64Array the kernel fills (absent for kernels
   * whose outputs the backend allocates: the VPIN family's, variable in length).
   */
  readonly outputs?: Readonly<Record<string, Shape>>;
  /** The dimensions of `outputs` from the backend call's arguments. */
  readonly dims?: (...args: never[]) => Dims;
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
 *   backend's family and calls it, `shape` turns what it returned into the result;
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
    }
  | { readonly size: number; readonly call: (family: never) => unknown; readonly shape: (out: never) => T }
  | { readonly value: T };

/** A kernel's spec with its outputs (a fixed-layout kernel). */
export interface OutputSpec extends KernelSpec {
  readonly outputs: Readonly<Record<string, Shape>>;
  readonly dims: (...args: never[]) => Dims;
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
export type OutputValue = number | Float64Array | Matrix;

/**
 * The named outputs of `out` (views, no copy): in order, each `[]` a number, `[d]` a Float64Array of
 * d values, `[r, c]` a Matrix. The one place an output's offset is computed.
 */
export function splitOutputs(outputs: Readonly<Record<string, Shape>>, out: Float64Array, dims: Dims): Record<string, OutputValue> {
  const result: Record<string, OutputValue> = {};
  let at = 0;
  for (const [name, shape] of entriesOf(outputs)) {
    const n = sizeOf(shape, dims);
    if (shape.length === 0) result[name] = out[at];
    else if (shape.length === 1 && n === out.length)
      result[name] = out; // the only output: the array itself
    else if (shape.length === 1) result[name] = out.subarray(at, at + n);
    else result[name] = { data: out.subarray(at, at + n), rows: dims[shape[0]], cols: dims[shape[1]] };
    at += n;
  }
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
  const dims = (spec.dims as (...a: unknown[]) => Dims)(...args);
  const out = new Float64Array(outputLength(spec.outputs, dims));
  return { out, views: outputViews(spec.outputs, out, dims) };
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
