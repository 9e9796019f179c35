// Counter-based normals on the GPU: Philox4x32-10 with the counter layout of src/math/random.ts
// (and native/kernels/random.hpp), so that the 32-bit words are the same bits on every backend; the
// uniforms are those words' 52-bit uniforms rounded to float (the same bits as
// Math.fround(uniform52(hi, lo))); Box-Muller in float with the reference's angle reduction.
// Included by risk.metal after kb_types.h.
#ifndef KB_RANDOM_H
#define KB_RANDOM_H

/// Philox4x32-10 of the counter x under the key (k0, k1) (Salmon et al., SC11).
inline uint4 kbPhilox(uint4 x, uint k0, uint k1) {
  for (int i = 0; i < 10; i++) {
    uint hi0 = metal::mulhi(0xd2511f53u, x.x);
    uint lo0 = 0xd2511f53u * x.x;
    uint hi1 = metal::mulhi(0xcd9e8d57u, x.z);
    uint lo1 = 0xcd9e8d57u * x.z;
    x = uint4(hi1 ^ x.y ^ k0, lo1, hi0 ^ x.w ^ k1, lo0);
    k0 += 0x9e3779b9u;
    k1 += 0xbb67ae85u;
  }
  return x;
}

/// N 2^-53 rounded to the nearest float (ties to even) for N = a 2^27 + c (a < 2^26, c < 2^27, N odd,
/// at most 53 bits) with 32-bit integer operations only: the 24 leading bits q of N and the dropped
/// bits r, then q 2^(s - 53) exactly.
inline float kbRound53(uint a, uint c) {
  int bits = a != 0u ? 59 - int(metal::clz(a)) : 32 - int(metal::clz(c));
  if (bits <= 24) return metal::ldexp(float(c), -53);
  int s = bits - 24;
  uint q;
  uint r;
  if (s <= 27) {
    q = (a << (27 - s)) | (c >> s);
    r = c & ((1u << s) - 1u);
  } else {
    q = a >> (s - 27);
    r = ((a & ((1u << (s - 27)) - 1u)) << 27) | c;
  }
  uint middle = 1u << (s - 1);
  if (r > middle || (r == middle && (q & 1u) != 0u)) q += 1u;
  return metal::ldexp(float(q), s - 53);
}

/// random.ts' uniform52(hi, lo) = N 2^-53 with N = 2 ((hi >> 6) 2^26 + (lo >> 6)) + 1, rounded to the
/// nearest float: the same bits as Math.fround(uniform52(hi, lo)).
inline float kbUniform(uint hi, uint lo) { return kbRound53(hi >> 6, ((lo >> 6) << 1) | 1u); }

/// 1 - uniform52(hi, lo) = (2^53 - N) 2^-53, rounded to the nearest float: 2^53 - N = (2^26 - 1 - a) 2^27
/// + (2^27 - c), exact near 1, where 1 - kbUniform() would have lost the digits.
inline float kbUniformComplement(uint hi, uint lo) { return kbRound53(0x3ffffffu - (hi >> 6), 0x8000000u - (((lo >> 6) << 1) | 1u)); }

/// ln of uniform52(hi, lo), to a few ulps everywhere: ln u below 1/2, ln(1 - v) = log1p(-v) by Goldberg's
/// correction above (v = 1 - u exactly rounded), so that radii near 0 keep their digits.
inline float kbLogUniform(uint hi, uint lo) {
  float u = kbUniform(hi, lo);
  if (u <= 0.5f) return precise::log(u);
  float v = kbUniformComplement(hi, lo);
  float w = 1.0f - v;
  if (w == 1.0f) return -v;
  return precise::log(w) * (-v / (w - 1.0f));
}

/// Normals 2q and 2q + 1 of path (c0 + c1 2^32), stream 0: r cos and r sin of the angle 2 pi u2 with
/// r = sqrt(-2 ln u1), (u1, u2) from the block at counter (c0, c1, q, 0) (ln u1 by kbLogUniform()). The angle is reduced as
/// random.ts' sinCos2Pi() does: 4 u2 = n + t exactly (n the nearest integer), the sine and cosine of
/// t pi / 2, then the quadrant n mod 4.
inline float2 kbNormalPair(uint k0, uint k1, uint c0, uint c1, uint q) {
  uint4 x = kbPhilox(uint4(c0, c1, q, 0u), k0, k1);
  float u2 = kbUniform(x.z, x.w);
  float radius = precise::sqrt(-2.0f * kbLogUniform(x.x, x.y));
  float t = 4.0f * u2;
  float n = metal::rint(t);
  float angle = (t - n) * 1.57079632679489662f;
  float s = precise::sin(angle);
  float c = precise::cos(angle);
  uint quadrant = uint(int(n)) & 3u;
  float cosine = quadrant == 0u ? c : quadrant == 1u ? -s : quadrant == 2u ? -c : s;
  float sine = quadrant == 0u ? s : quadrant == 1u ? c : quadrant == 2u ? -s : -c;
  return float2(radius * cosine, radius * sine);
}

#endif
