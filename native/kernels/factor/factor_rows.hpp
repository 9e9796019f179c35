// What the factor kernels share (factor_scores.cpp: the panel scores; factor_returns.cpp: factorReturns):
// finiteness, faults, the data checks, and order statistics of a row (RankSelector, linearQuantile:
// factor_rows.cpp). Each names its counterpart in src/backends/reference/factor/factor.ts.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "simd.hpp"
#include "status.hpp"

namespace kernelbus::factor::detail {

inline bool finite(double v) { return v - v == 0; }

inline Status fault(Fault f, size_t index, double value, size_t cols) {
  return Status{f, static_cast<double>(index), value, static_cast<double>(cols)};
}

// checkReturns(): the fault of the first infinite return (row-major), if any.
inline Status checkReturns(const double* returns, size_t n, size_t cols) {
  for (size_t i = 0; i < n; i++)
    if (std::fabs(returns[i]) == INFINITY) return fault(Fault::ReturnNotFinite, i, returns[i], cols);
  return Status{};
}

// checkCaps(): the fault of the first market cap not NaN and not finite > 0, if any.
inline Status checkCaps(const double* cap, size_t n, size_t cols) {
  for (size_t i = 0; i < n; i++) {
    const double v = cap[i];
    if (!(v > 0 && v < INFINITY) && v == v) return fault(Fault::MarketCapNotPositive, i, v, cols);
  }
  return Status{};
}

// Order statistics of n finite values (the values they would have at `ranks`, ascending, once sorted)
// without sorting: bucket by value between the min and the max (floor((v - min) * scale) never
// decreases with v, so buckets hold consecutive ranks), count, then select within the few buckets the
// ranks fall in. About three passes over the values; falls back to std::nth_element when the
// spread overflows.
class RankSelector {
 public:
  /// out[j] = the value of rank ranks[j] (0-based, ascending) among the n >= 1 values v, j < count.
  void select(const double* v, size_t n, const size_t* ranks, size_t count, double* out);

 private:
  static constexpr size_t kBuckets = 1024, kMaxRanks = 4;
  // floor((v - lo) * scale), at most kBuckets - 1, for every value (vectorizes)
  KERNELBUS_VECTOR_BODY static void bucketAll(const double* __restrict v, size_t n, double lo, double scale, uint32_t* __restrict index);
  uint32_t counts_[kBuckets + 1];
  std::vector<uint32_t> index_;
  std::vector<double> slow_, picked_[kMaxRanks];
};

// linearQuantile() of n finite values: numpy's virtual index and lerp over two order statistics.
double linearQuantile(const double* v, size_t n, double p, RankSelector& selector);

}  // namespace kernelbus::factor::detail
