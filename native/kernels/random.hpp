// Counter-based random numbers for Monte Carlo: Philox4x32-10, 52-bit uniforms, Box-Muller normals
// through fdlibm's log and sin/cos polynomials (IEEE operations only). The specification, layout and
// Student-t chi-square sampler are in src/math/random.ts; these functions compute the same bits.
// Everything is inline and branch-free where it sits in a loop, so that loops over it vectorize.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace kernelbus::random {

// State words are 32-bit values held in 64-bit integers: every operation then runs in 64-bit lanes
// when a loop over blocks vectorizes (the 32 x 32 -> 64-bit products map to vpmuludq), with no
// narrowing shuffles between 32- and 64-bit lanes.
using Word = uint64_t;
constexpr Word kLow32 = 0xffffffffull;
constexpr Word kM0 = 0xd2511f53ull, kM1 = 0xcd9e8d57ull, kW0 = 0x9e3779b9ull, kW1 = 0xbb67ae85ull;

/// Philox4x32-10 of the counter (x0..x3) under the key (k0, k1), in place (all values < 2^32).
inline void philox4x32(Word& x0, Word& x1, Word& x2, Word& x3, Word k0, Word k1) {
  for (int round = 0; round < 10; round++) {
    const Word p0 = (x0 & kLow32) * kM0;
    const Word p1 = (x2 & kLow32) * kM1;
    const Word y0 = (p1 >> 32) ^ x1 ^ k0;
    const Word y2 = (p0 >> 32) ^ x3 ^ k1;
    x1 = p1 & kLow32;
    x3 = p0 & kLow32;
    x0 = y0;
    x2 = y2;
    k0 = (k0 + kW0) & kLow32;
    k1 = (k1 + kW1) & kLow32;
  }
}

/// uniform52(): ((hi >> 6) 2^26 + (lo >> 6) + 1/2) 2^-52, in (0, 1), exact.
inline double uniform52(Word hi, Word lo) {
  return (static_cast<double>(static_cast<int64_t>(hi >> 6)) * 67108864.0 + static_cast<double>(static_cast<int64_t>(lo >> 6)) + 0.5) *
         2.220446049250313e-16;
}

/// logPositive(): ln x for a positive normal double (fdlibm's e_log.c without its special cases).
inline double logPositive(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const uint64_t hx = bits >> 32;
  const uint64_t mantissa = hx & 0x000fffffull;
  const uint64_t i = (mantissa + 0x95f64ull) & 0x100000ull;  // set when m would be >= sqrt(2): halve it
  const int64_t k = static_cast<int64_t>(hx >> 20) - 1023 + static_cast<int64_t>(i >> 20);
  const uint64_t mbits = (bits & kLow32) | ((mantissa | (0x3ff00000ull ^ i)) << 32);
  double m;
  std::memcpy(&m, &mbits, sizeof m);
  const double f = m - 1;
  const double s = f / (2 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (3.999999999940941908e-1 + w * (2.222219843214978396e-1 + w * 1.531383769920937332e-1));
  const double t2 =
      z * (6.666666666666735130e-1 + w * (2.857142874366239149e-1 + w * (1.818357216161805012e-1 + w * 1.479819860511658591e-1)));
  const double R = t2 + t1;
  const double hfsq = 0.5 * f * f;
  const double dk = static_cast<double>(k);
  return dk * 6.93147180369123816490e-1 - (hfsq - (s * (hfsq + R) + dk * 1.90821492927058770002e-10) - f);
}

/// logOf(): ln x for any x > 0 (subnormals scaled by 2^54), NaN for x <= 0 or NaN, Infinity for Infinity.
inline double logOf(double x) {
  if (!(x > 0)) return NAN;
  if (x == INFINITY) return INFINITY;
  return x < 2.2250738585072014e-308 ? logPositive(x * 18014398509481984.0) - 54 * 0.6931471805599453 : logPositive(x);
}

/// sinCos2Pi(): sin and cos of 2 pi u for u in [0, 1) (fdlibm's kernels at r pi/2, 4u = n + r).
inline void sinCos2Pi(double u, double& sinOut, double& cosOut) {
  constexpr double kShifter = 6755399441055744.0;
  const double t = 4 * u;
  const double shifted = t + kShifter;
  const double n = shifted - kShifter;
  uint64_t nbits;
  std::memcpy(&nbits, &shifted, sizeof nbits);
  const uint64_t quadrant = nbits & 3u;  // the low bits of the shifted value hold n
  const double x = (t - n) * 1.5707963267948966;
  const double z = x * x;
  const double v = z * x;
  const double sr =
      8.33333333332248946124e-3 + z * (-1.98412698298579493134e-4 +
                                       z * (2.75573137070700676789e-6 + z * (-2.50507602534068634195e-8 + z * 1.58969099521155010221e-10)));
  const double s = x + v * (-1.66666666666666324348e-1 + z * sr);
  const double cr = z * (4.16666666666666019037e-2 +
                         z * (-1.38888888888741095749e-3 +
                              z * (2.48015872894767294178e-5 +
                                   z * (-2.75573143513906633035e-7 + z * (2.08757232129817482790e-9 + z * -1.13596475577881948265e-11)))));
  const double hz = 0.5 * z;
  const double w = 1 - hz;
  const double c = w + (1 - w - hz + z * cr);
  const bool swap = (quadrant & 1u) != 0;
  const double a = swap ? c : s;  // sin up to sign
  const double b = swap ? s : c;  // cos up to sign
  sinOut = (quadrant & 2u) ? -a : a;
  cosOut = ((quadrant + 1) & 2u) ? -b : b;
}

/// normalPair(): the Box-Muller pair of the block at counter (c0, c1, q, stream) under (k0, k1).
inline void normalPair(Word k0, Word k1, Word c0, Word c1, Word q, Word stream, double& z0, double& z1) {
  Word x0 = c0, x1 = c1, x2 = q, x3 = stream;
  philox4x32(x0, x1, x2, x3, k0, k1);
  const double radius = std::sqrt(-2 * logPositive(uniform52(x0, x1)));
  double s, c;
  sinCos2Pi(uniform52(x2, x3), s, c);
  z0 = radius * c;
  z1 = radius * s;
}

/// CHI_SQUARE_ATTEMPTS
constexpr int kChiSquareAttempts = 64;

/// chiSquare(): Marsaglia-Tsang chi-square draw (nu > 2) of path (c0, c1).
inline double chiSquare(Word k0, Word k1, Word c0, Word c1, double nu) {
  const double d = nu / 2 - 1.0 / 3;
  const double c = 1 / std::sqrt(9 * d);
  for (int i = 0; i < kChiSquareAttempts; i++) {
    double x, unused;
    normalPair(k0, k1, c0, c1, static_cast<Word>(i), 1, x, unused);
    const double v1 = 1 + c * x;
    if (!(v1 > 0)) continue;
    const double v = v1 * v1 * v1;
    Word x0 = c0, x1 = c1, x2 = static_cast<Word>(i), x3 = 2;
    philox4x32(x0, x1, x2, x3, k0, k1);
    const double u = uniform52(x0, x1);
    if (logPositive(u) < 0.5 * (x * x) + d - d * v + d * logPositive(v)) return 2 * (d * v);
  }
  return 2 * d;
}

}  // namespace kernelbus::random
