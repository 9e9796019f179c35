/**
 * The covariances known to pass the optimizers' covariance test (portfolio-psd.ts): a cache keyed by
 * the memory the array views (its buffer's identity, its offset and length: a new view of the same
 * values, `matrix(stack.subarray(...))`, is the same covariance) that holds a copy of what passed, so
 * that an optimizer called again on the same covariance (an engine re-solving on the latest estimate,
 * a sweep of targets, minVariance then maxSharpe) runs no second Cholesky factorization, without
 * trusting the caller: the memory must still hold, byte for byte, what the test passed (a covariance
 * changed in place since is tested again).
 *
 * Why a cache of what passed and not a marker on the outputs of covariance(), nearestPsd() or
 * factorCovariance(): those are positive semidefinite in exact arithmetic, not always to the test's
 * tolerance (the tfjs backend forms the cross-products in float32, about 1e-7 of the largest variance,
 * and a rank-deficient float64 sample covariance leaves pivots near -5e-10 of it: psd.test.ts), and a
 * marker could not see an array changed in place after it was made. A cached pass changes no answer:
 * the test is deterministic (the same pivots on every backend, to the bit), and the copy proves the
 * input is what passed. Such an output pays the test on its first two optimizer calls.
 *
 * An array is copied the second time it passes, not the first: a new covariance each call (a rolling
 * window, an engine's latest estimate) would otherwise pay a copy per call, 8 n^2 bytes to allocate,
 * fill and keep (12-30 us at N = 50 measured here under load, where the test is about 10 us), for a
 * test it never skips; an array seen once is only marked (a WeakSet), and one called again pays the
 * test once more, then is copied. The copies are held while the caller holds the buffer (a WeakMap:
 * they go when it does), at most PSD_MEMORY_BYTES in all, the oldest forgotten first (a caller
 * keeping a history of covariances does not keep twice its memory). A call on a remembered array
 * costs a comparison of n^2 doubles (memcmp, about 0.04 ms at N = 500) for the test's n^3 / 6
 * multiply-adds (about 3 ms at N = 500).
 */
import { Buffer } from 'node:buffer';

/** What passed for an array: its matrices' order n, a copy of its values, and when (a count). */
interface Passed {
  n: number;
  values: Buffer;
  seq: number;
}

/** The most bytes of copies held (the oldest forgotten first); a larger covariance is not remembered. */
export const PSD_MEMORY_BYTES = 64 * 1024 * 1024;

/**
 * The memory that passed, by buffer and then by region (`byteOffset:length`): a view made anew each
 * call of the same values (`matrix(stack.subarray(...))`, a window of a panel) is the same region.
 */
type Regions<T> = WeakMap<ArrayBufferLike, Map<string, T>>;
/** The regions that passed once (no copy yet), and those remembered with a copy. */
const seen: Regions<true> = new WeakMap();
const passed: Regions<Passed> = new WeakMap();
/** The regions remembered, oldest first, with the bytes each copy holds (a buffer gone: still counted until its turn). */
const order: { buffer: WeakRef<ArrayBufferLike>; region: string; bytes: number; seq: number }[] = [];
let held = 0;
let seq = 0;

/** The bytes of `a` (a view, no copy). */
const bytesOf = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const regionOf = (a: Float64Array) => `${a.byteOffset}:${a.length}`;

/** The region map of `buffer` in `regions`, made when absent. */
function regionsOf<T>(regions: Regions<T>, buffer: ArrayBufferLike): Map<string, T> {
  let m = regions.get(buffer);
  if (!m) regions.set(buffer, (m = new Map()));
  return m;
}

/**
 * Records that `data` (stacked n x n covariances) passed the covariance test as it holds now: the
 * first time marked only, from the second on with a copy of its values (see the module's comment).
 */
export function rememberPsd(data: Float64Array, n: number): void {
  const region = regionOf(data);
  const once = regionsOf(seen, data.buffer);
  if (!once.has(region)) {
    once.set(region, true);
    return;
  }
  if (data.byteLength > PSD_MEMORY_BYTES) return;
  seq++;
  regionsOf(passed, data.buffer).set(region, { n, values: Buffer.from(bytesOf(data)), seq });
  order.push({ buffer: new WeakRef(data.buffer), region, bytes: data.byteLength, seq });
  held += data.byteLength;
  while (held > PSD_MEMORY_BYTES) {
    const oldest = order.shift() as (typeof order)[number];
    held -= oldest.bytes;
    const buffer = oldest.buffer.deref();
    const m = buffer && passed.get(buffer);
    // forgotten unless remembered again since (then its copy is a later entry's)
    if (m?.get(oldest.region)?.seq === oldest.seq) m.delete(oldest.region);
  }
}

/** Whether `data` (stacked n x n covariances) passed the covariance test and still holds what passed. */
export function knownPsd(data: Float64Array, n: number): boolean {
  const p = passed.get(data.buffer)?.get(regionOf(data));
  return p !== undefined && p.n === n && p.values.equals(bytesOf(data));
}
