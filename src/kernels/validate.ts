/** Argument checks shared by every kernel family. All throw KernelInputError naming the argument. */
import { describeValue, KernelInputError } from '../errors.js';

export { describeValue } from '../errors.js';

/** True when the buffer behind a view was transferred or detached (a view on it reads as length 0). */
export function isDetached(view: ArrayBufferView): boolean {
  // a view of a detached buffer has no bytes; one with bytes is attached, and its `buffer` is left
  // unread (reading it gives a small array, which V8 keeps in its object, a buffer of its own)
  if (view.byteLength !== 0) return false;
  const buffer = view.buffer as ArrayBuffer & { detached?: boolean };
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** Requires a Float64Array (any aligned offset, ArrayBuffer or SharedArrayBuffer) that is not detached. */
export function requireFloat64Array(value: unknown, name: string): asserts value is Float64Array {
  if (!(value instanceof Float64Array)) {
    throw new KernelInputError(name, 'a Float64Array', describeValue(value));
  }
  if (isDetached(value)) {
    throw new KernelInputError(name, 'a Float64Array with an attached buffer', 'a detached buffer');
  }
}

/**
 * The index of the first NaN or infinity in `data`, or -1. Up to 65,536 values the engine's own
 * includes() scans them: native code from the first call, where a loop V8 has not optimized yet
 * costs 35 ns a value (2,520 returns: 11 us against 90 us for the first ten calls). Longer arrays take
 * the loop, which V8 optimizes within the call (1.26 M values: 3.0 ms, includes() 5.3 ms).
 */
export function firstNonFinite(data: Float64Array): number {
  if (
    data.length <= 65_536 &&
    !data.includes(Number.NaN) &&
    !data.includes(Number.POSITIVE_INFINITY) &&
    !data.includes(Number.NEGATIVE_INFINITY)
  )
    return -1;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/** Requires two arrays of equal length. */
export function requireSameLength(a: ArrayLike<unknown>, aName: string, b: ArrayLike<unknown>, bName: string): void {
  if (a.length !== b.length) {
    throw new KernelInputError(bName, `length ${a.length} (as ${aName})`, `length ${b.length}`);
  }
}

/** The typed arrays an `out` option may be. */
type OutArray = Int8Array | Float64Array;

/**
 * Checks a caller-owned output (the `out` option: an engine reuses one array across calls instead of
 * a fresh one each time, whose pages the kernel would fault in): `undefined`, or an attached `kind`
 * of exactly `length` elements sharing no memory with `inputs`. Names the option in the error.
 */
export function requireOut<T extends OutArray>(
  out: unknown,
  kind: { new (n: number): T; readonly name: string },
  length: number,
  inputs: readonly ArrayBufferView[],
  name = 'options.out',
): T | undefined {
  if (out === undefined) return undefined;
  if (!(out instanceof kind)) throw outFault(name, kind, length, describeValue(out));
  if (isDetached(out)) throw outFault(name, kind, length, 'a detached buffer');
  if (out.length !== length) throw outFault(name, kind, length, `length ${out.length}`);
  if (out.byteLength === 0) return out;
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    // an empty input first: reading the buffer of an array V8 keeps in its heap would move it out
    if (
      input.byteLength > 0 &&
      input.buffer === out.buffer &&
      input.byteOffset < out.byteOffset + out.byteLength &&
      out.byteOffset < input.byteOffset + input.byteLength
    )
      throw outFault(name, kind, length, 'an array over an input', ' sharing no memory with the inputs');
  }
  return out;
}

/**
 * requireOut's error, its message made only where it is thrown (engines pass an `out` at every call,
 * and a closure made per call costs a defineProperty of its name where esbuild keeps names).
 */
function outFault(name: string, kind: { readonly name: string }, length: number, actual: string, also = ''): KernelInputError {
  return new KernelInputError(name, `${/^[AEIOU]/.test(kind.name) ? 'an' : 'a'} ${kind.name} of length ${length}${also}`, actual);
}

/**
 * A kernel's `options` as an object: undefined gives `{}`; anything but an object is a
 * KernelInputError naming `options` (`expected`: what the message says is accepted).
 */
export function optionsObject<T extends object>(options: T | undefined, expected = 'an object'): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null) throw new KernelInputError('options', expected, describeValue(options));
  return options;
}

/**
 * A caller-owned output (`out`): an engine that classifies batch after batch reuses one array instead
 * of a fresh one per call (whose pages the kernel would fault in: a third of the tick rule's time on
 * 10^7 trades). It must have the output's type and length and share no memory with the inputs; it is
 * returned, filled. After a data fault its contents are unspecified.
 */
export interface OutOption<T> {
  out?: T;
}
