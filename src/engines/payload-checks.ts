/** Checks shared by the engines' message payloads (risk-messages.ts, factor-messages.ts). */
import { KernelInputError, describeValue } from '../errors.js';

/** A plain object (not an array nor a typed array). */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/** `payload.assets`: a non-empty array of distinct non-empty strings (KernelInputError naming the first bad one). */
export function requireAssetNames(assets: unknown): asserts assets is string[] {
  if (!Array.isArray(assets) || assets.length === 0)
    throw new KernelInputError('payload.assets', 'a non-empty array of asset names', describeValue(assets));
  const seen = new Set<string>();
  for (let i = 0; i < assets.length; i++) {
    const a: unknown = assets[i];
    if (typeof a !== 'string' || a.length === 0) throw new KernelInputError(`payload.assets[${i}]`, 'a non-empty string', describeValue(a));
    if (seen.has(a)) throw new KernelInputError(`payload.assets[${i}]`, 'a name not given before', JSON.stringify(a));
    seen.add(a);
  }
}
