/** PIN test helpers: daily buys and sells simulated from the model (seeded). */
import type { PinParams } from '../../src/kernels/pin.js';

/** A seeded uniform (mulberry32) and Poisson draws by exponential inter-arrivals. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function poisson(u: () => number, lambda: number): number {
  let k = 0;
  let t = -Math.log(1 - u());
  while (t < lambda) {
    k++;
    t -= Math.log(1 - u());
  }
  return k;
}
/** Daily counts from the PIN model. */
export function simulatePin(p: PinParams, days: number, seed: number): { buys: Float64Array; sells: Float64Array } {
  const u = rng(seed);
  const buys = new Float64Array(days);
  const sells = new Float64Array(days);
  for (let i = 0; i < days; i++) {
    const event = u() < p.alpha;
    const bad = u() < p.delta;
    buys[i] = poisson(u, p.epsilonBuy + (event && !bad ? p.mu : 0));
    sells[i] = poisson(u, p.epsilonSell + (event && bad ? p.mu : 0));
  }
  return { buys, sells };
}
