/**
 * A kernel's backend call as data (a descriptor's `signature` and `dims`), from which both sides are
 * derived: here the output dimensions of a call (`dimsOf`), in scripts/gen-native.ts the C++ side
 * (the kernel's declaration, its output layout, its entry's length checks and registration line).
 *
 * `signature` lists the backend call's arguments before its packed parameters, in order: a count is
 * a bare name (`rows`), an array its name (which may say where it comes from: `model.factorCov`, the
 * name its errors give; C++ calls it by the last part) and its length as a product of counts or parameters in
 * brackets (`returns[rows x cols]`, `benchmark[rows]`); a name in brackets that is neither is the
 * array's own length (`x[n]`: n is x.length; the C++ kernel takes it after the array). `dims` gives
 * each output dimension as one of those names, or a name less one (`'rows - 1'`, at least 0).
 */
import type { ParamSpec } from './param-rules.js';

/** An argument of the backend call: a count (no shape), or an array of the product of `shape`'s names. */
export interface ArgSpec {
  readonly name: string;
  readonly shape?: readonly string[];
}

/** Output dimensions as data: dimension -> a count's or parameter's name, or `'<name> - 1'`. */
export type DimsData = Readonly<Record<string, string>>;

/** The dimensions an output's shape names, with their values for one call. */
export type Dims = Readonly<Record<string, number>>;

const parsed = new Map<string, readonly ArgSpec[]>();

/** The arguments `signature` lists (see the module's comment); an Error on a malformed one. */
export function argsOf(signature: string): readonly ArgSpec[] {
  let args = parsed.get(signature);
  if (args) return args;
  args = signature.split(',').map((part) => {
    const m = /^\s*([\w.]+)(?:\[([\w\s]+)\])?\s*$/.exec(part);
    if (!m) throw new Error(`signature '${signature}': cannot read '${part}'`);
    return m[2] === undefined ? { name: m[1] } : { name: m[1], shape: m[2].split(/\s+x\s+/).map((s) => s.trim()) };
  });
  parsed.set(signature, args);
  return args;
}

/** A dimension's source: the name it reads and whether it is that value less one. */
export function dimSource(expr: string): { name: string; less: boolean } {
  const m = /^(\w+)(\s*-\s*1)?$/.exec(expr.trim());
  if (!m) throw new Error(`dims: cannot read '${expr}' (a name, or a name - 1)`);
  return { name: m[1], less: m[2] !== undefined };
}

/** What `dimsOf` needs of a descriptor. */
interface Shaped {
  readonly signature?: string;
  readonly params: readonly ParamSpec[];
  readonly dims?: ((...args: never[]) => Dims) | DimsData;
}

/** A call's output dimensions from the backend call's arguments, as one array. */
export type DimsOf = (args: readonly unknown[]) => Dims;

const compiled = new WeakMap<object, DimsOf>();

/**
 * The function giving a call's output dimensions from the backend call's arguments (the signature's,
 * then the packed parameters'; one array, the hot path allocates none): the descriptor's own when
 * `dims` is a function, else compiled once from its data.
 */
export function dimsOf(spec: Shaped): DimsOf {
  let f = compiled.get(spec);
  if (f) return f;
  f = compile(spec);
  compiled.set(spec, f);
  return f;
}

function compile(spec: Shaped): DimsOf {
  const dims = spec.dims;
  if (typeof dims === 'function') {
    const g = dims as (...args: unknown[]) => Dims;
    return (args) => g(...args);
  }
  if (!dims || !spec.signature) throw new Error('dims: data dims need a signature');
  const args = argsOf(spec.signature);
  const names = [...args.map((a) => a.name), ...spec.params.map((p) => p.key)];
  const reads = Object.entries(dims).map(([dim, expr]) => {
    const { name, less } = dimSource(expr);
    const at = names.indexOf(name);
    if (at >= 0) return { dim, at, less, length: false };
    // a length: the array whose one dimension it is
    const of = args.findIndex((a) => a.shape?.length === 1 && a.shape[0] === name);
    if (of < 0) throw new Error(`dims.${dim}: '${name}' is not an argument, parameter or an array's length`);
    return { dim, at: of, less, length: true };
  });
  return (call) => {
    const out: Record<string, number> = {};
    for (let i = 0; i < reads.length; i++) {
      const { dim, at, less, length } = reads[i];
      const v = length ? (call[at] as ArrayLike<number>).length : (call[at] as number);
      out[dim] = less ? Math.max(v - 1, 0) : v;
    }
    return out;
  };
}
