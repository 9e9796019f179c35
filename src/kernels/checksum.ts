/** The checksum of the streams' snapshots (VPIN's, the indicators'), the same on every backend. */

/** FNV-1a (32 bits) of `bytes`: the streams' snapshot checksums. */
export function fnv1a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
