// The factor regressions' small solves (src/backends/reference/factor/factor-solve.ts, same operations in the
// same order): x = pinv(A) c for a symmetric positive semi-definite K x K matrix by cyclic Jacobi,
// eigenvalues at most kPinvRtol times the largest counted as 0.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

namespace kernelbus::factor {

constexpr double kPinvRtol = 1e-10;  // PINV_RTOL
constexpr int kMaxSweeps = 60;       // MAX_SWEEPS

/// unitScale(): when A's largest finite |entry| lies outside [2^-400, 2^400], A scaled in place by the
/// power of two s that brings it into [0.5, 2) (at most 2^+-1000), s returned; else (and for A without
/// a finite non-zero entry or with an infinite one) s = 1, A untouched. Exact: the Jacobi squares
/// neither underflow nor overflow, and ordinary A keep their bits.
inline double unitScale(double* a, size_t K) {
  double largest = 0;
  bool infinite = false;
  for (size_t i = 0; i < K * K; i++) {
    const double m = std::fabs(a[i]);
    if (m == HUGE_VAL)
      infinite = true;
    else if (m > largest)
      largest = m;
  }
  if (infinite || largest == 0 || (largest >= 0x1p-400 && largest <= 0x1p400)) return 1;  // squares safe: as it is
  double s = 1;
  while (largest * s < 0.5 && s < 0x1p1000) s *= 2;
  while (largest * s >= 2 && s > 0x1p-1000) s /= 2;
  if (s != 1)
    for (size_t i = 0; i < K * K; i++) a[i] *= s;
  return s;
}

/// pinvSolve(): a (K x K, overwritten), c (K) -> x (K); v is scratch of K x K.
inline void pinvSolve(double* a, size_t K, const double* c, double* x, std::vector<double>& v) {
  const double s = unitScale(a, K);
  v.assign(K * K, 0.0);
  for (size_t i = 0; i < K; i++) v[i * K + i] = 1;
  for (int sweep = 0; sweep < kMaxSweeps; sweep++) {
    double off = 0, diagonal = 0;
    for (size_t p = 0; p < K; p++) {
      diagonal += a[p * K + p] * a[p * K + p];
      for (size_t q = p + 1; q < K; q++) off += a[p * K + q] * a[p * K + q];
    }
    if (!(off > 1e-32 * diagonal)) break;
    for (size_t p = 0; p < K; p++) {
      for (size_t q = p + 1; q < K; q++) {
        const double apq = a[p * K + q];
        if (apq == 0) continue;
        const double theta = (a[q * K + q] - a[p * K + p]) / (2 * apq);
        const double t = (theta >= 0 ? 1 : -1) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double cs = 1 / std::sqrt(t * t + 1);
        const double sn = t * cs;
        for (size_t k = 0; k < K; k++) {
          const double akp = a[k * K + p], akq = a[k * K + q];
          a[k * K + p] = cs * akp - sn * akq;
          a[k * K + q] = sn * akp + cs * akq;
        }
        for (size_t k = 0; k < K; k++) {
          const double apk = a[p * K + k], aqk = a[q * K + k];
          a[p * K + k] = cs * apk - sn * aqk;
          a[q * K + k] = sn * apk + cs * aqk;
        }
        for (size_t k = 0; k < K; k++) {
          const double vkp = v[k * K + p], vkq = v[k * K + q];
          v[k * K + p] = cs * vkp - sn * vkq;
          v[k * K + q] = sn * vkp + cs * vkq;
        }
      }
    }
  }
  double largest = 0;
  for (size_t i = 0; i < K; i++) largest = a[i * K + i] > largest ? a[i * K + i] : largest;
  for (size_t k = 0; k < K; k++) x[k] = 0;
  for (size_t i = 0; i < K; i++) {
    const double lambda = a[i * K + i];
    if (!(lambda > kPinvRtol * largest)) continue;
    double projection = 0;
    for (size_t k = 0; k < K; k++) projection += v[k * K + i] * c[k];
    const double scale = (projection / lambda) * s;
    for (size_t k = 0; k < K; k++) x[k] += v[k * K + i] * scale;
  }
}

}  // namespace kernelbus::factor
