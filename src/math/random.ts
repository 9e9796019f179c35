/**
 * Counter-based random numbers for Monte Carlo (the specification; native/kernels/random.hpp computes
 * the same bits): Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC11;
 * Random123's known-answer vectors in the tests), uniforms of 52 bits, and Box-Muller normals through
 * a logarithm and a sine/cosine of our own (fdlibm's polynomials, IEEE operations only), so that every
 * backend draws bit-identical normals, in any order, on any number of threads.
 *
 * Layout: the seed s (an integer in [0, 2^53)) is the key (s mod 2^32, floor(s / 2^32)). Normal j of
 * path k comes from the block at counter (k mod 2^32, floor(k / 2^32), floor(j / 2), 0): its words
 * (x0, x1) and (x2, x3) give the uniforms u1 and u2, and normal 2q is sqrt(-2 ln u1) cos(2 pi u2), normal
 * 2q + 1 the same times sin. Stream 1 (counter word 3 = 1) and 2 feed the chi-square draws of the
 * Student-t scenarios (chiSquare below).
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two 32-bit unsigned integers. */
function mulhi(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = ((al * bl) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** Philox4x32-10 of the counter (c0, c1, c2, c3) under the key (k0, k1), written to out[0..3]. */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

/** A uniform in (0, 1) from two words: ((hi >> 6) 2^26 + (lo >> 6) + 1/2) 2^-52, exact. */
export function uniform52(hi: number, lo: number): number {
  return ((hi >>> 6) * 67108864 + (lo >>> 6) + 0.5) * 2.220446049250313e-16;
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer); // little-endian: [low word, high word]

// fdlibm e_log.c
const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const LG1 = 6.66666666666673513e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/**
 * ln x for a positive normal double (fdlibm's algorithm without its special cases): x = 2^k m with m
 * in [sqrt(2)/2, sqrt(2)), f = m - 1, ln m from s = f / (2 + f) by fdlibm's polynomial. Within 1 ulp.
 */
export function logPositive(x: number): number {
  bits[0] = x;
  const hx = words[1];
  const mantissa = hx & 0x000fffff;
  const i = (mantissa + 0x95f64) & 0x100000; // 0x100000 when m would be >= sqrt(2): halve it
  const k = (hx >>> 20) - 1023 + (i >>> 20);
  words[1] = mantissa | (0x3ff00000 ^ i);
  const f = bits[0] - 1;
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const R = t2 + t1;
  const hfsq = 0.5 * f * f;
  return k * LN2_HI - (hfsq - (s * (hfsq + R) + k * LN2_LO) - f);
}

/**
 * ln x for any x > 0 (subnormals scaled by 2^54 first), NaN for x <= 0 or NaN, Infinity for Infinity:
 * logPositive's bits everywhere, so that kernels taking logs (the factor family's size and value)
 * give the same bits on every backend.
 */
export function logOf(x: number): number {
  if (!(x > 0)) return NaN;
  if (x === Infinity) return Infinity;
  return x < 2.2250738585072014e-308 ? logPositive(x * 18014398509481984) - 54 * Math.LN2 : logPositive(x);
}

// fdlibm k_sin.c and k_cos.c (tail y = 0)
const S1 = -1.66666666666666324348e-1;
const S2 = 8.33333333332248946124e-3;
const S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6;
const S5 = -2.50507602534068634195e-8;
const S6 = 1.58969099521155010221e-10;
const C1 = 4.16666666666666019037e-2;
const C2 = -1.38888888888741095749e-3;
const C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7;
const C5 = 2.0875723212981748279e-9;
const C6 = -1.13596475577881948265e-11;
const HALF_PI = 1.5707963267948966;
const SHIFTER = 6755399441055744; // 1.5 * 2^52: x + SHIFTER - SHIFTER rounds x to an integer

/** sin and cos of x in [-pi/4, pi/4] (fdlibm's kernels). */
function sinCosKernel(x: number): [number, number] {
  const z = x * x;
  const v = z * x;
  const sr = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  const sin = x + v * (S1 + z * sr);
  const cr = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  const hz = 0.5 * z;
  const w = 1 - hz;
  const cos = w + (1 - w - hz + z * cr);
  return [sin, cos];
}

/**
 * [sin, cos] of 2 pi u for u in [0, 1): 4u = n + r exactly (n the nearest integer, |r| <= 1/2), the
 * kernels at r pi/2, then the quadrant n mod 4.
 */
export function sinCos2Pi(u: number): [number, number] {
  const t = 4 * u;
  const n = t + SHIFTER - SHIFTER;
  const [s, c] = sinCosKernel((t - n) * HALF_PI);
  switch (n & 3) {
    case 0:
      return [s, c];
    case 1:
      return [c, -s];
    case 2:
      return [-s, -c];
    default:
      return [-c, s];
  }
}

/** The key words of a seed in [0, 2^53). */
export function seedKey(seed: number): [number, number] {
  return [seed % 4294967296, Math.floor(seed / 4294967296)];
}

const block = new Uint32Array(4);

/** Box-Muller pair q of path `path` in stream `stream`: [r cos, r sin]. */
export function normalPair(k0: number, k1: number, path: number, q: number, stream: number): [number, number] {
  philox4x32(path % 4294967296, Math.floor(path / 4294967296), q, stream, k0, k1, block);
  const radius = Math.sqrt(-2 * logPositive(uniform52(block[0], block[1])));
  const [s, c] = sinCos2Pi(uniform52(block[2], block[3]));
  return [radius * c, radius * s];
}

/** The n standard normals of path `path` (stream 0) into out[0..n). */
export function standardNormals(k0: number, k1: number, path: number, out: Float64Array, n: number): void {
  for (let q = 0; 2 * q < n; q++) {
    const [a, b] = normalPair(k0, k1, path, q, 0);
    out[2 * q] = a;
    if (2 * q + 1 < n) out[2 * q + 1] = b;
  }
}

/** Attempts of chiSquare's rejection sampler before it settles on the mode. */
export const CHI_SQUARE_ATTEMPTS = 64;

/**
 * A chi-square draw with nu > 2 degrees of freedom for path `path`: 2 Gamma(nu / 2) by Marsaglia and
 * Tsang (2000), attempt i taking its normal from pair i of stream 1 and its uniform from the block
 * (path, i, 2). After CHI_SQUARE_ATTEMPTS rejections (probability below 1e-80) it returns 2 d, d = nu / 2 - 1/3.
 */
export function chiSquare(k0: number, k1: number, path: number, nu: number): number {
  const d = nu / 2 - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (let i = 0; i < CHI_SQUARE_ATTEMPTS; i++) {
    const x = normalPair(k0, k1, path, i, 1)[0];
    const v1 = 1 + c * x;
    if (!(v1 > 0)) continue;
    const v = v1 * v1 * v1;
    philox4x32(path % 4294967296, Math.floor(path / 4294967296), i, 2, k0, k1, block);
    const u = uniform52(block[0], block[1]);
    if (logPositive(u) < 0.5 * (x * x) + d - d * v + d * logPositive(v)) return 2 * (d * v);
  }
  return 2 * d;
}
