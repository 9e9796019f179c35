/**
 * The byte layout of engine checkpoint records (RiskEngine's universes and portfolios, FactorEngine's
 * universes): u32 magic, u32 version, f64 head fields, u32 byte length + UTF-8 JSON, zero padding to
 * 8 bytes, then f64 values; all little-endian. Each record kind has its own magic and version.
 */
import { KernelInputError, describeValue } from '../errors.js';

/** The parts of a record: its head fields, its JSON and its values. */
export interface StateParts {
  head: number[];
  json: unknown;
  values: Float64Array;
}

/** A record as bytes: `magic`, `version`, the `head` f64 fields, `json` as UTF-8 JSON, then `values`. */
export function encodeState(magic: number, version: number, head: readonly number[], json: unknown, values: ArrayLike<number>): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(json));
  const at = 8 + 8 * head.length + 4;
  const body = Math.ceil((at + text.byteLength) / 8) * 8;
  const out = new Uint8Array(body + 8 * values.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, true);
  view.setUint32(4, version, true);
  head.forEach((x, i) => view.setFloat64(8 + 8 * i, x, true));
  view.setUint32(at - 4, text.byteLength, true);
  out.set(text, at);
  for (let i = 0; i < values.length; i++) view.setFloat64(body + 8 * i, values[i], true);
  return out;
}

/**
 * The parts of bytes from encodeState() with `heads` head fields, or KernelInputError('bytes', 'a
 * <what> state (version <version>)', ...) when they are not such a record.
 */
export function decodeState(bytes: Uint8Array, magic: number, version: number, heads: number, what: string): StateParts {
  const bad = (actual: string) => new KernelInputError('bytes', `a ${what} state (version ${version})`, actual);
  if (!(bytes instanceof Uint8Array)) throw bad(describeValue(bytes));
  const at = 8 + 8 * heads + 4;
  if (bytes.byteLength < at) throw bad(`${bytes.byteLength} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== magic || view.getUint32(4, true) !== version) throw bad('other bytes');
  const head = Array.from({ length: heads }, (_, i) => view.getFloat64(8 + 8 * i, true));
  const length = view.getUint32(at - 4, true);
  const body = Math.ceil((at + length) / 8) * 8;
  if (bytes.byteLength < body || (bytes.byteLength - body) % 8 !== 0) throw bad(`${bytes.byteLength} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at, at + length)));
  } catch {
    throw bad('bytes that do not decode');
  }
  const values = new Float64Array((bytes.byteLength - body) / 8);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat64(body + 8 * i, true);
  return { head, json, values };
}
