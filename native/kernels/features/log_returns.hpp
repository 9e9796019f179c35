// Log returns log(p_i / p_{i-lag}) with fdlibm's log (e_log.c), the algorithm V8's Math.log runs
// (v8/src/base/ieee754.cc): the same bits as the reference's Math.log, where the C library's log differs
// in the last bit now and then (measured: 1,824 of 4 million ratios). On AVX2 and AVX-512 four at a
// time (simd::run), branch-free: every path of e_log.c's for a normal ratio computed and the lane's
// chosen; a ratio that is not normal (0, subnormal, infinite) redone after the block by fdlibmLog.
#pragma once

#include <cstddef>

#include "doubles.hpp"

namespace kernelbus::features {

/// fdlibm's log(x), every x (0, subnormal, infinite, NaN, negative included).
double fdlibmLog(double x);

/// r[i - from] = fdlibmLog(price[i] / price[i - lag]) for i in [from, to) (from >= lag).
void logReturns(Doubles price, size_t from, size_t to, size_t lag, double* r);

/// logReturns, and in the same loop whether every trade i in [from, to) (from >= 1) has ts[i] not
/// before ts[i - 1] and price[i] finite and > 0 (the realized measures' checks).
bool logReturnsChecked(Doubles price, Doubles ts, size_t from, size_t to, size_t lag, double* r);

}  // namespace kernelbus::features
