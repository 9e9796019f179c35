/**
 * A seeded uniform generator for synthetic data: the synthetic market (src/replay/synthetic-market.ts),
 * the descriptors' samples (src/kernels/sample.ts), scripts/native-check.mjs, test and bench inputs.
 * The kernels draw their random numbers from ./random.ts (Philox4x32-10).
 */

/** mulberry32: a small, fast, seeded uniform generator in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
