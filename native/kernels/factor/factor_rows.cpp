// See factor_rows.hpp: order statistics of a row, shared by the panel scores and factorReturns.
#include <algorithm>
#include <cmath>
#include <vector>

#include "factor_rows.hpp"
#include "simd.hpp"

namespace kernelbus::factor::detail {

void RankSelector::select(const double* v, size_t n, const size_t* ranks, size_t count, double* out) {
  double lo = v[0], hi = v[0];
  for (size_t i = 1; i < n; i++) {
    lo = v[i] < lo ? v[i] : lo;
    hi = v[i] > hi ? v[i] : hi;
  }
  const double scale = static_cast<double>(kBuckets) / (hi - lo);
  if (!(hi > lo) || !std::isfinite(scale) || !std::isfinite(hi - lo) || count > kMaxRanks) {
    slow_.assign(v, v + n);
    for (size_t j = 0; j < count; j++) {
      std::nth_element(slow_.begin(), slow_.begin() + ranks[j], slow_.end());
      out[j] = slow_[ranks[j]];
    }
    return;
  }
  index_.resize(n);
  simd::run<bucketAll>(v, n, lo, scale, index_.data());
  std::fill(counts_, counts_ + kBuckets + 1, 0u);
  for (size_t i = 0; i < n; i++) counts_[index_[i] + 1]++;
  for (size_t b = 0; b < kBuckets; b++) counts_[b + 1] += counts_[b];  // counts_[b]: values in buckets < b
  uint32_t target[kMaxRanks] = {};
  for (size_t j = 0; j < count; j++) {
    uint32_t b = 0;
    while (counts_[b + 1] <= ranks[j]) b++;
    target[j] = b;
    picked_[j].clear();
  }
  for (size_t j = 0; j < count; j++) {
    if (j > 0 && target[j] == target[j - 1]) continue;  // the same bucket: the same list
    std::vector<double>& in = picked_[j];
    in.resize(n);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {  // branch-free compaction of the bucket's values
      in[kept] = v[i];
      kept += index_[i] == target[j] ? 1 : 0;
    }
    in.resize(kept);
  }
  for (size_t j = 0; j < count; j++) {
    size_t owner = j;
    while (owner > 0 && target[owner - 1] == target[j]) owner--;
    std::vector<double>& in = picked_[owner];
    const size_t k = ranks[j] - counts_[target[j]];
    std::nth_element(in.begin(), in.begin() + k, in.end());
    out[j] = in[k];
  }
}

// floor((v - lo) * scale), at most kBuckets - 1, for every value (vectorizes)
void RankSelector::bucketAll(const double* __restrict v, size_t n, double lo, double scale, uint32_t* __restrict index) {
  for (size_t i = 0; i < n; i++) {
    const double x = (v[i] - lo) * scale;
    index[i] =
        x >= static_cast<double>(kBuckets - 1) ? static_cast<uint32_t>(kBuckets - 1) : static_cast<uint32_t>(static_cast<int32_t>(x));
  }
}

// linearQuantile() of n finite values: numpy's virtual index and lerp over two order statistics.
double linearQuantile(const double* v, size_t n, double p, RankSelector& selector) {
  const double h = static_cast<double>(n) * p + (1 - p) - 1;
  const double fl = std::floor(h);
  const size_t lo = static_cast<size_t>(std::min(std::max(fl, 0.0), static_cast<double>(n - 1)));
  const size_t both[2] = {lo, std::min(lo + 1, n - 1)};
  double ab[2];
  selector.select(v, n, both, 2, ab);
  const double t = h - fl;
  const double a = ab[0], b = ab[1];
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

}  // namespace kernelbus::factor::detail
