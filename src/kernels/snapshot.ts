/**
 * Snapshot bytes of a VPIN stream, the same on every backend (little-endian):
 *   0  'KBVS' magic            4  u32 version (1; 2 with a classification section)
 *   8  u32 FNV-1a checksum of bytes 16..end
 *   12 u32 number of state values
 *   16 9 x f64 parameters (VpinParams order)
 *   88 state values, f64 (layout: exportVpinState in backends/reference/vpin.ts)
 * then, in version 2 only (a stream with a VpinClassifier, classifier 2):
 *      f64 m, then m f64: the 4 classifyTrades parameters (CLASSIFY_TRADES_PARAMS order), then the
 *      classification state (layout: LabelStream.exportState in vpin-labels.ts).
 * A version-1 snapshot (every stream before classifier 2 existed) restores into a stream with the
 * same parameters; into a classifier-2 stream it is refused (its classifier parameter differs).
 */
import { KernelInputError } from '../errors.js';
import { describeValue } from './validate.js';
import type { VpinParams } from './vpin.js';

const MAGIC = 0x5356424b; // 'KBVS' read as little-endian u32
const VERSION = 1;
const VERSION_CLASSIFIED = 2;
const HEADER = 16;
const PARAM_KEYS = [
  'bucketVolume',
  'window',
  'barMs',
  'classifier',
  'priceChange',
  'sigmaKind',
  'sigmaParam',
  'distribution',
  'nu',
] as const satisfies readonly (keyof VpinParams)[];

function fnv1a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The snapshot of a stream with these parameters and state (and `classified`: the classification section). */
export function encodeSnapshot(params: VpinParams, state: Float64Array, classified?: Float64Array): Uint8Array {
  const tail = classified ? 1 + classified.length : 0;
  const bytes = new Uint8Array(HEADER + 8 * (PARAM_KEYS.length + state.length + tail));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, classified ? VERSION_CLASSIFIED : VERSION, true);
  view.setUint32(12, state.length, true);
  let at = HEADER;
  for (const key of PARAM_KEYS) {
    view.setFloat64(at, params[key], true);
    at += 8;
  }
  for (let i = 0; i < state.length; i++, at += 8) view.setFloat64(at, state[i], true);
  if (classified) {
    view.setFloat64(at, classified.length, true);
    at += 8;
    for (let i = 0; i < classified.length; i++, at += 8) view.setFloat64(at, classified[i], true);
  }
  view.setUint32(8, fnv1a(bytes.subarray(HEADER)), true);
  return bytes;
}

/**
 * Checks the bytes and that they come from a stream with these parameters; returns the state, and
 * the classification section (`classified`) of a classifier-2 stream.
 */
export function decodeSnapshot(params: VpinParams, bytes: Uint8Array): { state: Float64Array; classified?: Float64Array } {
  if (!(bytes instanceof Uint8Array)) throw new KernelInputError('bytes', 'a Uint8Array from snapshot()', describeValue(bytes));
  const fail = (actual: string): never => {
    throw new KernelInputError('bytes', 'a VPIN stream snapshot', actual);
  };
  if (bytes.length < HEADER + 8 * PARAM_KEYS.length) fail(`${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) fail('a wrong magic number');
  const version = view.getUint32(4, true);
  if (version !== VERSION && version !== VERSION_CLASSIFIED) fail(`version ${version}`);
  const count = view.getUint32(12, true);
  const stateEnd = HEADER + 8 * (PARAM_KEYS.length + count);
  const tail = version === VERSION_CLASSIFIED && bytes.length >= stateEnd + 8 ? view.getFloat64(stateEnd, true) : -1;
  const expected = version === VERSION ? stateEnd : Number.isInteger(tail) && tail >= 0 ? stateEnd + 8 * (1 + tail) : NaN;
  if (bytes.length !== expected) fail(`${bytes.length} bytes for ${count} state values`);
  if (view.getUint32(8, true) !== fnv1a(bytes.subarray(HEADER))) fail('a bad checksum (corrupted bytes)');
  let at = HEADER;
  for (const key of PARAM_KEYS) {
    const value = view.getFloat64(at, true);
    if (!Object.is(value, params[key])) {
      throw new KernelInputError('bytes', `a snapshot of a stream with ${key} = ${params[key]}`, `${key} = ${value}`);
    }
    at += 8;
  }
  const state = new Float64Array(count);
  for (let i = 0; i < count; i++, at += 8) state[i] = view.getFloat64(at, true);
  if (version === VERSION) return { state };
  const classified = new Float64Array(tail);
  for (let i = 0, c = at + 8; i < tail; i++, c += 8) classified[i] = view.getFloat64(c, true);
  return { state, classified };
}
