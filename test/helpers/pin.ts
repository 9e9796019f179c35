/** PIN test helpers: daily buys and sells simulated from the model (seeded). */
import { mulberry32 } from '../../src/math/mulberry32.js';

/** A seeded uniform in [0, 1): the synthetic market's mulberry32. */
export const rng = mulberry32;

/** Daily counts from the PIN model (the bench's generator: one definition). */
export { simulatePin } from '../../bench/inputs.js';
