/**
 * Seeded random inputs for a descriptor's `sample(s)`: the arguments of one API call, drawn the way a
 * user's data looks (returns with NaN sprinkled, positive prices, views at an offset of a larger or
 * shared buffer). The parity suite (test/api/sampled.test.ts), scripts/native-check.mjs and the
 * fuzz-free checks of a new kernel share them, so that a kernel's random inputs are written once.
 */
import { mulberry32 } from '../math/mulberry32.js';
import type { Matrix } from './matrix.js';

/** A seeded source of inputs. */
export class Sampler {
  /** A value in [0, 1). */
  readonly random: () => number;

  constructor(seed: number) {
    this.random = mulberry32(seed);
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }
  /** A number in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.random();
  }
  /** One of `xs`. */
  pick<T>(...xs: T[]): T {
    return xs[this.int(0, xs.length - 1)];
  }
  /** A standard normal draw (Box-Muller). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.random())) * Math.cos(2 * Math.PI * this.random());
  }
  /** A daily return, NaN (missing) with probability `nan`. */
  ret(nan = 0.03): number {
    return this.random() < nan ? NaN : 0.02 * this.normal();
  }
  /** A positive number spanning e^0 .. e^8. */
  positive(): number {
    return Math.exp(this.uniform(0, 8));
  }
  /** `values` in a Float64Array at a random offset of a larger buffer, shared now and then: the views users pass. */
  view(values: ArrayLike<number>): Float64Array {
    const offset = this.int(0, 3);
    const Buffer = this.random() < 0.25 ? SharedArrayBuffer : ArrayBuffer;
    const a = new Float64Array(new Buffer(8 * (values.length + offset + 1)), 8 * offset, values.length);
    a.set(values);
    return a;
  }
  /** n values of `f`, as a view. */
  fill(n: number, f: () => number): Float64Array {
    return this.view(Array.from({ length: n }, f));
  }
  /** A rows x cols matrix of `f`'s values. */
  matrix(rows: number, cols: number, f: () => number): Matrix {
    return { data: this.fill(rows * cols, f), rows, cols };
  }
  /** A positive definite n x n covariance of daily returns (a sample's over n + 3 draws, its diagonal lifted). */
  covariance(n: number): Matrix {
    const m = n + 3;
    const x = Array.from({ length: m * n }, () => 0.03 * this.normal());
    const data = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let t = 0; t < m; t++) s += x[t * n + i] * x[t * n + j];
        data[i * n + j] = data[j * n + i] = s / (m - 1);
      }
      data[i * n + i] += 1e-6;
    }
    return { data: this.view(data), rows: n, cols: n };
  }
  /** n trades: ms times with ties, a walk of 0-3 cent moves (repeats and runs), integer volumes, as views. */
  trades(n: number): { ts: Float64Array; price: Float64Array; volume: Float64Array } {
    let t = 1.7e12;
    let cents = 10_000;
    const drift = this.pick(-1, 0, 1);
    const rows = Array.from({ length: n }, () => {
      t += this.int(0, 300);
      cents += this.int(-1, 1) * this.int(1, 3) + (this.random() < 0.2 ? drift : 0);
      return [t, cents / 100, this.int(1, 500)];
    });
    return { ts: this.view(rows.map((r) => r[0])), price: this.view(rows.map((r) => r[1])), volume: this.view(rows.map((r) => r[2])) };
  }
}
