/**
 * The digamma function psi(x) = d/dx log Gamma(x) for x > 0: the recurrence psi(x) = psi(x + 1) - 1/x
 * up to x >= 10, then the asymptotic series (relative error below 1e-15 there). The volatility family's
 * gradient in Student's t degrees of freedom uses it; native/kernels/volatility/dist.hpp has the same
 * (fdlibm's log on both sides: the same bits).
 */
import { logOf } from './random.js';

export function digamma(x: number): number {
  let shift = 0;
  while (x < 10) {
    shift -= 1 / x;
    x += 1;
  }
  const r = 1 / (x * x);
  // log x - 1/(2x) - sum B_2k / (2k x^2k), k = 1..6
  const series = r * (1 / 12 - r * (1 / 120 - r * (1 / 252 - r * (1 / 240 - r * (1 / 132 - r * (691 / 32760))))));
  return shift + logOf(x) - 0.5 / x - series;
}
