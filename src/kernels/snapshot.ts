/**
 * Snapshot bytes of a VPIN stream, the same on every backend (little-endian):
 *   0  'KBVS' magic            4  u32 version (2)
 *   8  u32 FNV-1a checksum of bytes 16..end
 *   12 u32 number of state values
 *   16 9 x f64 parameters (VpinParams order)
 *   88 state values, f64 (layout: exportVpinState in backends/reference/vpin.ts)
 * Version 1 (before bucket times) had a state header of 20 values, without the open bar's and the open
 * bucket's first trades (values 20 and 21 of version 2): it is still read, those two taken as NaN
 * (unknown), so that a checkpoint taken before an upgrade restores; the bucket open at that moment then
 * reports startTs and duration NaN.
 */
import { KernelInputError } from '../errors.js';
import { describeValue } from './validate.js';
import type { VpinParams } from './vpin.js';

const MAGIC = 0x5356424b; // 'KBVS' read as little-endian u32
const VERSION = 2;
/** Version 1's state: 20 values, then the lists; version 2 inserts V1_INSERTED values at V1_HEADER. */
const V1_HEADER = 20;
const V1_INSERTED = 2;
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

export function encodeSnapshot(params: VpinParams, state: Float64Array): Uint8Array {
  const bytes = new Uint8Array(HEADER + 8 * (PARAM_KEYS.length + state.length));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(12, state.length, true);
  let at = HEADER;
  for (const key of PARAM_KEYS) {
    view.setFloat64(at, params[key], true);
    at += 8;
  }
  for (let i = 0; i < state.length; i++, at += 8) view.setFloat64(at, state[i], true);
  view.setUint32(8, fnv1a(bytes.subarray(HEADER)), true);
  return bytes;
}

/** Checks the bytes and that they come from a stream with these parameters; returns the state. */
export function decodeSnapshot(params: VpinParams, bytes: Uint8Array): Float64Array {
  if (!(bytes instanceof Uint8Array)) throw new KernelInputError('bytes', 'a Uint8Array from snapshot()', describeValue(bytes));
  const fail = (actual: string): never => {
    throw new KernelInputError('bytes', 'a VPIN stream snapshot', actual);
  };
  if (bytes.length < HEADER + 8 * PARAM_KEYS.length) fail(`${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) fail('a wrong magic number');
  const version = view.getUint32(4, true);
  if (version !== VERSION && version !== 1) fail(`version ${version} (this kernelbus reads versions 1 and ${VERSION})`);
  const count = view.getUint32(12, true);
  if (bytes.length !== HEADER + 8 * (PARAM_KEYS.length + count)) fail(`${bytes.length} bytes for ${count} state values`);
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
  if (version === 1 && count >= V1_HEADER) {
    const upgraded = new Float64Array(count + V1_INSERTED).fill(NaN);
    upgraded.set(state.subarray(0, V1_HEADER));
    upgraded.set(state.subarray(V1_HEADER), V1_HEADER + V1_INSERTED);
    return upgraded;
  }
  return state;
}
