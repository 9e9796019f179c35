/**
 * Snapshot bytes of a VPIN stream, the same on every backend (little-endian):
 *   0  'KBVS' magic            4  u32 version (2; 3 with a classification section)
 *   8  u32 FNV-1a checksum of bytes 16..end
 *   12 u32 number of state values
 *   16 9 x f64 parameters (VpinParams order)
 *   88 state values, f64 (layout: exportVpinState in backends/reference/vpin/vpin.ts)
 * then, in version 3 only (a stream with a VpinClassifier, classifier 2):
 *      f64 m, then m f64: the 4 classifyTrades parameters (CLASSIFY_TRADES_PARAMS order), then the
 *      classification state (layout: LabelStream.exportState in src/kernels/vpin/label-stream.ts).
 * A snapshot of an earlier version comes from a stream without a VpinClassifier: restored into a
 * classifier-2 stream it is refused (its classifier parameter differs).
 * Version 1 (before bucket times) had a state header of 20 values, without the open bar's and the open
 * bucket's first trades (values 20 and 21 of version 2): it is still read, those two taken as NaN
 * (unknown), so that a checkpoint taken before an upgrade restores; the bucket open at that moment then
 * reports startTs and duration NaN.
 */
import { KernelInputError } from '../../errors.js';
import { fnv1a } from '../checksum.js';
import { describeValue } from '../validate.js';
import type { VpinParams } from './vpin.js';

const MAGIC = 0x5356424b; // 'KBVS' read as little-endian u32
const VERSION = 2;
/** Version 2 and a classification section after the state. */
const VERSION_CLASSIFIED = 3;
/** Version 1's state: 20 values, then the lists; version 2 inserts V1_INSERTED values at V1_HEADER. */
const V1_HEADER = 20;
const V1_INSERTED = 2;
const HEADER = 16;
/** Positions in the state vector (exportVpinState): the cdfWindow, the three list lengths, the header's length. */
const CDF_WINDOW_AT = 16;
const LENGTHS_AT = 17;
const STATE_HEADER = 22;
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
 * Checks the bytes and that they come from a stream with these parameters; returns the state, and the
 * classification section (`classified`) of a version-3 snapshot.
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
  if (version < 1 || version > VERSION_CLASSIFIED) fail(`version ${version} (this kernelbus reads versions 1 to ${VERSION_CLASSIFIED})`);
  const count = view.getUint32(12, true);
  const stateEnd = HEADER + 8 * (PARAM_KEYS.length + count);
  const tail = version === VERSION_CLASSIFIED && bytes.length >= stateEnd + 8 ? view.getFloat64(stateEnd, true) : -1;
  const expected = version !== VERSION_CLASSIFIED ? stateEnd : Number.isInteger(tail) && tail >= 0 ? stateEnd + 8 * (1 + tail) : NaN;
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
  // the state's cdfWindow (0 before there was one: every value so far)
  if (count > CDF_WINDOW_AT && state[CDF_WINDOW_AT] !== params.cdfWindow) {
    throw new KernelInputError(
      'bytes',
      `a snapshot of a stream with cdfWindow = ${params.cdfWindow || "'all'"}`,
      `cdfWindow = ${state[CDF_WINDOW_AT] || "'all'"}`,
    );
  }
  if (version === 1 && count >= V1_HEADER) {
    const upgraded = new Float64Array(count + V1_INSERTED).fill(NaN);
    upgraded.set(state.subarray(0, V1_HEADER));
    upgraded.set(state.subarray(V1_HEADER), V1_HEADER + V1_INSERTED);
    return { state: upgraded };
  }
  if (version !== VERSION_CLASSIFIED) return { state };
  const classified = new Float64Array(tail);
  for (let i = 0, c = at + 8; i < tail; i++, c += 8) classified[i] = view.getFloat64(c, true);
  return { state, classified };
}

/**
 * A state vector exported without its CDF history (`state`, its history length 0) joined with the
 * history `own` (a state's, oldest first, or ascending for cdfWindow 0) followed by `append` (the VPIN
 * values completed since, in order): the last `cdfWindow` of them, or all of them ascending for
 * cdfWindow 0. What restoring a base snapshot and its deltas gives (VpinStream.restore's `append`).
 */
export function joinHistory(state: Float64Array, own: Float64Array, append: Float64Array, cdfWindow: number): Float64Array {
  if (state.length < STATE_HEADER || state[LENGTHS_AT + 2] !== 0) {
    throw new KernelInputError('bytes', 'a snapshot({ history: false }) when options.append is given', 'one with a CDF history');
  }
  const lists = STATE_HEADER + state[LENGTHS_AT] + state[LENGTHS_AT + 1];
  const all = new Float64Array(own.length + append.length);
  all.set(own);
  all.set(append, own.length);
  const history = cdfWindow > 0 ? all.subarray(Math.max(0, all.length - cdfWindow)) : all.sort();
  const out = new Float64Array(lists + history.length);
  out.set(state.subarray(0, lists));
  out.set(history, lists);
  out[LENGTHS_AT + 2] = history.length;
  return out;
}

/** The CDF history part of a state vector (exportVpinState's layout). */
export function historyOf(state: Float64Array): Float64Array {
  return state.subarray(STATE_HEADER + state[LENGTHS_AT] + state[LENGTHS_AT + 1]);
}
