// Cheap invariants shared by the fuzz targets; a violation traps (libFuzzer reports it as a crash).
// Outputs are checked as plain columns (Buckets, TimeBars), whatever the kernel API that wrote them.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "vpin/vpin.hpp"

namespace kernelbus::fuzz {

/// Traps when `ok` is false: libFuzzer reports a crash whose stack trace names the failed check.
inline void require(bool ok) {
  if (!ok) __builtin_trap();
}

/// Same values bit for bit (NaN payloads and the sign of zero included), whatever the vectors' allocators.
template <class A, class B>
inline bool sameBits(const std::vector<double, A>& a, const std::vector<double, B>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

/// Bucket rows as plain columns (what calls.hpp returns, whatever the kernel API).
struct Buckets {
  std::vector<double> startTs, endTs, duration, buyVolume, sellVolume, vpin, cdf;
  size_t size() const { return endTs.size(); }
};

/// Time-bar columns.
struct TimeBars {
  std::vector<double> start, open, close, volume, count;
};

inline bool sameBits(const Buckets& a, const Buckets& b) {
  return sameBits(a.startTs, b.startTs) && sameBits(a.endTs, b.endTs) && sameBits(a.duration, b.duration) &&
         sameBits(a.buyVolume, b.buyVolume) && sameBits(a.sellVolume, b.sellVolume) && sameBits(a.vpin, b.vpin) && sameBits(a.cdf, b.cdf);
}

inline bool sameBits(const vpin::Status& a, const vpin::Status& b) {
  return a.fault == b.fault &&
         sameBits(std::vector<double>{a.index, a.value, a.previous}, std::vector<double>{b.index, b.value, b.previous});
}

/// A fault is one of `allowed`, at an index inside the input (TooManyBuckets reports index 0).
inline bool faultIsOneOf(const vpin::Status& s, size_t n, std::initializer_list<vpin::Fault> allowed) {
  bool known = false;
  for (vpin::Fault f : allowed) known |= s.fault == f;
  return known && s.index >= 0 && (s.index < static_cast<double>(n) || s.index == 0);
}

/// Buckets as vpin()/VpinStream produce them from valid parameters and valid trades: columns of one
/// length; starts and ends within the trades' time span and non-decreasing, each start at or before its
/// end and duration exactly end - start; vpin NaN before `window` buckets
/// (counting `before` buckets of earlier calls), in [0, 1] from then on (give or take the rounding of a
/// sum of `window` terms); cdf NaN with vpin, else in (0, 1].
inline void checkBuckets(const Buckets& b, const vpin::Params& p, double firstTs, double lastTs, double before = 0) {
  const size_t n = b.size();
  require(b.startTs.size() == n && b.duration.size() == n);
  require(b.buyVolume.size() == n && b.sellVolume.size() == n && b.vpin.size() == n && b.cdf.size() == n);
  for (size_t i = 0; i < n; i++) {
    require(b.endTs[i] >= firstTs && b.endTs[i] <= lastTs);
    require(i == 0 || b.endTs[i] >= b.endTs[i - 1]);
    require(b.startTs[i] >= firstTs && b.startTs[i] <= b.endTs[i]);
    require(i == 0 || b.startTs[i] >= b.startTs[i - 1]);
    require(sameBits(std::vector<double>{b.duration[i]}, std::vector<double>{b.endTs[i] - b.startTs[i]}));
    if (before + static_cast<double>(i) < static_cast<double>(p.window - 1)) {
      require(std::isnan(b.vpin[i]) && std::isnan(b.cdf[i]));
    } else {
      // The sum of `window` imbalances rounds: all-sell buckets give 1 + 4 ulp with window = 52.
      require(b.vpin[i] >= 0 && b.vpin[i] <= 1 + static_cast<double>(p.window + 2) * DBL_EPSILON);
      require(b.cdf[i] > 0 && b.cdf[i] <= 1);
    }
  }
}

}  // namespace kernelbus::fuzz
