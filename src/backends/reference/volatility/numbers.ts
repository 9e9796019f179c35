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
