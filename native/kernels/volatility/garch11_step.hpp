// GARCH(1,1)'s and GJR(1,1,1)'s step of sigma^2 with its first derivatives, written once for the passes
// specialized to them: garch11.cpp's scalar pass, lanes.cpp's four models in a vector's lanes, and
// hessian.cpp's passes without vectors (src/backends/reference/volatility/processes.ts garchRecursion's
// operations, in its order). T is double or a vector of lanes; d holds d sigma^2_t in the K parameters
// (the mean's KM, omega, alpha, gamma where O, beta, then any the step leaves alone).
#pragma once

#include <cstddef>

#include "simd.hpp"
#include "vector_abi.hpp"  // with T a vector, the steps are always inlined into each simd level's body
#include "volatility/dist.hpp"

namespace kernelbus::volatility {

/// The step before the sample (t = 0): s (omega) and d (1 at omega) gain the backcast's terms.
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

/// A step t > 0: s (omega) and d (1 at omega) gain the terms of the residual el and the variance sPrev at
/// t - 1 and b times prev (d at t - 1). GJR's term is taken where el < 0 through negative(el, yes, no): a
/// select, a blend or a branch (the same bits). rd(t, i) is d e_t / d theta_i of the mean's parameters.
template <size_t O, size_t KM, size_t K, class T, class Rd, class Negative>
KERNELBUS_VECTOR_BODY void garch11Step(T& s, T* d, const T* prev, T a, T g, T b, T el, T sPrev, size_t lag, const Rd& rd,
                                       const Negative& negative) {
  constexpr size_t IA = KM + 1, IG = KM + 2, IB = KM + 2 + O;
  s += a * (el * el);
  d[IA] += el * el;
  for (size_t i = 0; i < KM; i++) d[i] += a * 2.0 * el * rd(lag, i);
  if constexpr (O > 0) {
    s = negative(el, s + g * (el * el), s);
    d[IG] = negative(el, d[IG] + el * el, d[IG]);
    for (size_t i = 0; i < KM; i++) d[i] = negative(el, d[i] + g * 2.0 * el * rd(lag, i), d[i]);
  }
  s += b * sPrev;
  d[IB] += sPrev;
  for (size_t i = 0; i < K; i++) d[i] += b * prev[i];
}

/// garch11Step's `negative` for doubles: yes where x < 0, selected, not branched on (the sign is the data's).
__attribute__((always_inline)) inline double selectNegative(double x, double yes, double no) { return selectLess(x, 0.0, yes, no); }

/// garch11Step's `negative` as a branch (hessian.cpp's passes, whose own steps branch on the sign too).
__attribute__((always_inline)) inline double branchNegative(double x, double yes, double no) { return x < 0 ? yes : no; }

}  // namespace kernelbus::volatility
