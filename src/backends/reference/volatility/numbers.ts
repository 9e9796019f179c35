/**
 * log and exp of the same bits in TS and C++ (src/math/elementary.ts; native/kernels/volatility/model.hpp):
 * a fit's path, and so the point it stops at on a flat likelihood, then does not depend on the
 * platform's C library or V8's.
 */
import { expOf } from '../../../math/elementary.js';
import { logOf } from '../../../math/random.js';

/** ln x for x > 0 (fdlibm's log). */
export const ln = logOf;

/** e^x: Cody-Waite's exp of -|x|, inverted for x > 0 (within 2 ulps). */
export const exp = expOf;

/**
 * x within +-Number.MAX_VALUE (NaN stays NaN): the normal's dl/d sigma^2 where e^2 / sigma^4 is past
 * the doubles (a residual 1e150 sigmas out), so that its product with a zero derivative is 0, not NaN
 * (dist.hpp finiteClamp, the same operations).
 */
export const finiteClamp = (x: number): number => (x > Number.MAX_VALUE ? Number.MAX_VALUE : x < -Number.MAX_VALUE ? -Number.MAX_VALUE : x);
