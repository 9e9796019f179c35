// The VPIN kernels' shared steps, each named after its counterpart in src/backends/reference/vpin/vpin.ts:
// the faults, the price changes, the sample sigma and the rolling/EWMA sigma rules, the standardized
// change and the buy fractions. vpin_classify.cpp (bulkClassify) and vpin_stream.cpp (the buckets) compute
// with them, so the two agree to the bit; vpin.hpp declares the kernels.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "vpin.hpp"

namespace kernelbus::vpin {

inline Status fault(Fault f, double index, double value, double previous = 0) { return Status{f, index, value, previous}; }

inline bool isFiniteNumber(double x) { return x - x == 0; }

// priceChanges(), one bar: close to close (mode 0, after the first bar), else open to close.
inline double priceChange(int mode, double open, double close, double previousClose) {
  return mode == 0 && !std::isnan(previousClose) ? close - previousClose : close - open;
}

// priceChanges(): priceChange() of every bar into dP[n] (loops that vectorize).
inline void priceChanges(const double* open, const double* close, size_t n, int mode, double* dP) {
  if (n == 0) return;
  dP[0] = close[0] - open[0];
  if (mode == 0) {
    for (size_t i = 1; i < n; i++) dP[i] = close[i] - close[i - 1];
  } else {
    for (size_t i = 1; i < n; i++) dP[i] = close[i] - open[i];
  }
}

// sampleStd(): two-pass, ddof 1, NaN below 2 values. `at(i)` gives the i-th value in order.
template <typename At>
inline double sampleStd(size_t count, At at) {
  if (count < 2) return NAN;
  // four interleaved sums (value i into sum i % 4), then (s0 + s1) + (s2 + s3): four independent chains
  double s[4] = {0, 0, 0, 0};
  size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    for (size_t k = 0; k < 4; k++) s[k] += at(i + k);
  }
  for (; i < count; i++) s[i & 3] += at(i);
  const double mean = ((s[0] + s[1]) + (s[2] + s[3])) / static_cast<double>(count);
  double q[4] = {0, 0, 0, 0};
  for (i = 0; i + 4 <= count; i += 4) {
    for (size_t k = 0; k < 4; k++) q[k] += (at(i + k) - mean) * (at(i + k) - mean);
  }
  for (; i < count; i++) q[i & 3] += (at(i) - mean) * (at(i) - mean);
  return std::sqrt(((q[0] + q[1]) + (q[2] + q[3])) / static_cast<double>(count - 1));
}

// buyFraction(), first half: z = dP / sigma, or NaN where the fraction is 1/2 (sigma not > 0, z NaN).
inline double standardized(double dP, double sigma) { return sigma > 0 ? dP / sigma : NAN; }

// buyFraction(), second half, over many bars at once: z[i] (from standardized()) becomes the buy
// fraction F(z[i]), or 1/2 where z[i] is NaN. The normal CDF runs vectorized, kChunk values at a time
// (vpin_classify.cpp).
inline constexpr size_t kChunk = 1024;
// With `volume`, each fraction times volume[i] (bulkClassify()'s buy volumes, while the chunk is in cache).
void buyFractions(double* z, size_t n, int distribution, double nu, const double* volume = nullptr);

// aggregate()'s path for small bars (vpin_small_bars.cpp), without a classifier's buy volume: the bars of
// at most kSmallChunk trades appended to `closed` and `st` advanced, as aggregate() would; false (nothing
// changed) when the reference would take another step anywhere in them (a fault among them, say).
inline constexpr size_t kSmallChunk = 1024;
bool smallBars(TradeState& st, double barMs, Doubles ts, Doubles price, Doubles volume, size_t n, Bars& closed);

// SigmaState.next() for the rolling/EWMA rules over explicit state (shared by bulkClassify and VpinStream).
struct Sigma {
  int kind;
  double param;
  double fixed;
  double* ewmaVar;
  std::vector<double>* window;
  size_t* head;

  double next(double dP) const {
    if (kind == kSigmaRolling) {
      const size_t k = static_cast<size_t>(param);
      if (window->size() < k) {
        window->push_back(dP);
      } else {  // full ring: overwrite the oldest
        (*window)[*head] = dP;
        *head = (*head + 1) % k;
      }
      const size_t count = window->size();
      const size_t start = count < k ? 0 : *head;
      const std::vector<double>& w = *window;
      return sampleStd(count, [&](size_t i) { return w[(start + i) % count]; });
    }
    if (kind == kSigmaEwma) {
      *ewmaVar = std::isnan(*ewmaVar) ? dP * dP : param * *ewmaVar + (1 - param) * (dP * dP);
      return std::sqrt(*ewmaVar);
    }
    return fixed;
  }
};

// BucketState.addBars()'s pour of one bar's volume into buckets of V, the one definition of that
// arithmetic (prepare() counts with it, commit() writes with it, so the count is exact): complete(need)
// for each bucket the bar completes (then `filled` is 0), partial(rest) for the volume left in the

}  // namespace kernelbus::vpin
