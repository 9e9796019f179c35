/**
 * mlfinlab's fast EWMA (mlfinlab/util/fast_ewma.py, numba-jitted): the last value of
 * `ewma(x, window)`, y = (x[n-1] + (1-a) x[n-2] + ... + (1-a)^(n-1) x[0]) / (1 + (1-a) + ... + (1-a)^(n-1)),
 * a = 2 / (window + 1), computed as it does: the numerator by e = e (1-a) + x[i], the weight by adding
 * (1-a)^i, which numba raises to an integer power by squaring (numba's int_power: above 2^16 it calls
 * pow(), where ours keeps squaring). native/kernels/features/ewma.hpp is the same arithmetic.
 */

/** a^i by squaring, as numba's int_power computes a float to an integer power. */
function powInt(a: number, i: number): number {
  let r = 1;
  let base = a;
  for (let e = i; e !== 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) r *= base;
    base *= base;
  }
  return r;
}

/** The EWMA's denominators by (n, window), the last one kept (windows repeat from bar to bar). */
export class Ewma {
  private n = -1;
  private window = -1;
  private weight = 1;

  /** The EWMA with span `window` of x's last n values (n >= 1), its last value. */
  last(x: ArrayLike<number>, n: number, window: number): number {
    const from = x.length - n;
    const alpha = 2 / (window + 1);
    let e = x[from];
    for (let i = 1; i < n; i++) e = e * (1 - alpha) + x[from + i];
    return e / this.weightOf(n, window, alpha);
  }

  /** 1 + sum over i in [1, n) of (1 - alpha)^i, added in that order. */
  private weightOf(n: number, window: number, alpha: number): number {
    if (n !== this.n || window !== this.window) {
      let w = 1;
      for (let i = 1; i < n; i++) w += powInt(1 - alpha, i);
      this.n = n;
      this.window = window;
      this.weight = w;
    }
    return this.weight;
  }
}
