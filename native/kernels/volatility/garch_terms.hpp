// The GARCH family's terms of sigma^2 with its first derivatives (alpha's, GJR's gamma's, beta's),
// written once: model.cpp's GARCH(p, o, q) gradient pass loops over the lags with them, and
// GARCH(1,1)'s and GJR(1,1,1)'s step, the passes specialized to those (garch11.cpp's scalar pass,
// lanes.cpp's four models in a vector's lanes, hessian.cpp's passes without vectors), is one of each
// (src/backends/reference/volatility/processes.ts garchRecursion's operations, in its order). T is double or a vector of lanes; d holds d
// sigma^2_t in the K parameters (the mean's KM, omega, alpha, gamma where O, beta, then any the step leaves alone).
#pragma once

#include <cstddef>

#include "simd.hpp"
#include "vector_abi.hpp"  // with T a vector, the steps are always inlined into each simd level's body
#include "volatility/dist.hpp"

namespace kernelbus::volatility {

/// alpha_j's term of the residual el at lag: s += a el^2, d[ia] += el^2 and the mean's km derivatives.
template <class T, class Rd>
KERNELBUS_VECTOR_BODY void archTerm(T& s, T* d, size_t ia, T a, T el, size_t km, size_t lag, const Rd& rd) {
  s += a * (el * el);
  d[ia] += el * el;
  for (size_t i = 0; i < km; i++) d[i] += a * 2.0 * el * rd(lag, i);
}

/// gamma_j's (GJR's) term, taken where el < 0 through negative(el, yes, no): a select, a blend or a
/// branch (the same bits).
template <class T, class Rd, class Negative>
KERNELBUS_VECTOR_BODY void gjrTerm(T& s, T* d, size_t ig, T g, T el, size_t km, size_t lag, const Rd& rd, const Negative& negative) {
  s = negative(el, s + g * (el * el), s);
  d[ig] = negative(el, d[ig] + el * el, d[ig]);
  for (size_t i = 0; i < km; i++) d[i] = negative(el, d[i] + g * 2.0 * el * rd(lag, i), d[i]);
}

/// beta_j's term of the variance sl at lag and its derivatives dl (k).
template <class T>
KERNELBUS_VECTOR_BODY void garchTerm(T& s, T* d, size_t ib, T b, T sl, const T* dl, size_t k) {
  s += b * sl;
  d[ib] += sl;
  for (size_t i = 0; i < k; i++) d[i] += b * dl[i];
}

/// GARCH(1,1)'s and GJR(1,1,1)'s step before the sample (t = 0): s (omega) and d (1 at omega) gain the
/// backcast's terms (half of it for gamma).
template <size_t O, size_t KM, class T>
KERNELBUS_VECTOR_BODY void garch11Start(T& s, T* d, T a, T g, T b, double bc) {
  constexpr size_t IA = KM + 1, IG = KM + 2, IB = KM + 2 + O;
  s += a * bc;
  d[IA] += bc;
  if constexpr (O > 0) {
    s += g * 0.5 * bc;
    d[IG] += 0.5 * bc;
  }
  s += b * bc;
  d[IB] += bc;
}

/// Their step t > 0: the terms of the residual el and the variance sPrev at t - 1, prev the derivatives
/// at t - 1 (K). rd(t, i) is d e_t / d theta_i of the mean's parameters.
template <size_t O, size_t KM, size_t K, class T, class Rd, class Negative>
KERNELBUS_VECTOR_BODY void garch11Step(T& s, T* d, const T* prev, T a, T g, T b, T el, T sPrev, size_t lag, const Rd& rd,
                                       const Negative& negative) {
  archTerm(s, d, KM + 1, a, el, KM, lag, rd);
  if constexpr (O > 0) gjrTerm(s, d, KM + 2, g, el, KM, lag, rd, negative);
  garchTerm(s, d, KM + 2 + O, b, sPrev, prev, K);
}

/// garch11Step's `negative` for doubles: yes where x < 0, selected, not branched on (the sign is the data's).
__attribute__((always_inline)) inline double selectNegative(double x, double yes, double no) { return selectLess(x, 0.0, yes, no); }

/// garch11Step's `negative` as a branch (hessian.cpp's passes, whose own steps branch on the sign too).
__attribute__((always_inline)) inline double branchNegative(double x, double yes, double no) { return x < 0 ? yes : no; }

}  // namespace kernelbus::volatility
