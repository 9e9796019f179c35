/** PIN test helpers: daily buys and sells simulated from the model (seeded). */
import { mulberry32 } from '../../src/math/mulberry32.js';
import type { PinParams } from '../../src/kernels/pin.js';

/** A seeded uniform in [0, 1): the synthetic market's mulberry32. */
export const rng = mulberry32;

/** A Poisson draw by exponential inter-arrivals. */
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
