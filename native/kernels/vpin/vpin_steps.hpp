// The VPIN kernels' shared steps, each named after its counterpart in src/backends/reference/vpin/vpin.ts:
// the faults, the price changes, the sample sigma and the rolling/EWMA sigma rules, the standardized
// change and the buy fractions. vpin_classify.cpp (bulkClassify) and vpin_stream.cpp (the buckets) compute
// with them, so the two agree to the bit; vpin.hpp declares the kernels.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
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

// Values of an elementwise function of a double (a bar's buy fraction from its price change under one
// sigma) through a memo of the last value of each key, by its bits: a tape's prices lie on a tick
// grid, so its price changes take few distinct values (22 over the 7.2 million 10 ms bars of the
// bench's 10^7 trades), and the function runs only where the memo misses. The same bits as the
// function everywhere: a hit is its value for the same key. Turns itself off after a chunk (not the
// first) that mostly missed (prices off a grid: there the memo would only cost).
class Memo {
 public:
  // out[i] = f(x[i]) for i < n <= kChunk; compute(values, m) replaces m keys with their f in place.
  template <typename Compute>
  void map(const double* x, double* out, size_t n, Compute compute) {
    if (!on_) {
      std::copy(x, x + n, out);
      compute(out, n);
      return;
    }
    if (!ready_) {  // every slot a true entry: the key 0
      double zero = 0;
      compute(&zero, 1);
      std::fill(keys_, keys_ + kSlots, uint64_t{0});
      std::fill(values_, values_ + kSlots, zero);
      ready_ = true;
    }
    // each value read from its slot; a miss noted without a branch, then computed and stored
    double miss[kChunk];
    uint32_t missAt[kChunk];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
      const uint64_t key = bitsOf(x[i]);
      const size_t s = slot(key);
      out[i] = values_[s];
      miss[m] = x[i];
      missAt[m] = static_cast<uint32_t>(i);
      m += keys_[s] != key;
    }
    if (m == 0) return;
    compute(miss, m);
    for (size_t j = 0; j < m; j++) {
      const size_t i = missAt[j];
      out[i] = miss[j];
      const uint64_t key = bitsOf(x[i]);
      keys_[slot(key)] = key;
      values_[slot(key)] = miss[j];
    }
    if (2 * m > n && warm_) on_ = false;  // (the first chunk misses each repeat of its keys)
    warm_ = true;
  }

 private:
  static constexpr int kSlotBits = 9;
  static constexpr size_t kSlots = size_t{1} << kSlotBits;
  static uint64_t bitsOf(double x) {
    uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
  }
  static size_t slot(uint64_t key) { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> (64 - kSlotBits)); }
  bool on_ = true, ready_ = false, warm_ = false;
  uint64_t keys_[kSlots];
  double values_[kSlots];
};

// aggregate()'s path for small bars (vpin_small_bars.cpp), without a classifier's buy volume: the bars of
// at most kSmallChunk trades appended to `closed` and `st` advanced, as aggregate() would; false (nothing
// changed) when the reference would take another step anywhere in them (a fault among them, say).
inline constexpr size_t kSmallChunk = 1024;
bool smallBars(TradeState& st, double barMs, Doubles ts, Doubles price, Doubles volume, size_t n, Bars& closed);

// Where aggregateInParts() runs and cuts. The defaults are the kernels'; the fuzz target that compares
// it with one pass (native/fuzz/fuzz_vpin_parts.cpp) lowers them so that short tapes take every branch.
struct PartsLimits {
  // trades from which the parts pay: waking the pool's threads costs ~0.1 ms on a VM (one pass ~1 ms a
  // 10^6 trades; two threads over one: 0.73x at 2 * 10^5, 1.0x at 5 * 10^5, 1.33x at 10^6)
  size_t from = size_t{1} << 19;
  // long bars only: at most one bar per this many trades, by the span of the times (short bars go
  // through smallBars() chunk by chunk, their bars too many to keep whole)
  double tradesPerBar = 64;
  // the farthest the tick rule's carried sign is looked for before a cut (a tape whose price stays put
  // that long is cut elsewhere, or not at all)
  size_t carryScan = size_t{1} << 16;
};

// aggregate() on the kernels' threads where it pays (vpin_parts.cpp: limits.from trades or more in long
// bars): true when it ran, `status` then its outcome (on a fault `st` is unchanged); false (nothing
// done) where one pass should run instead.
bool aggregateInParts(TradeState& st, double barMs, bool tick, Doubles ts, Doubles price, Doubles volume, size_t n, Bars& closed,
                      const int8_t* labels, Status& status, const PartsLimits& limits = PartsLimits{});

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

}  // namespace kernelbus::vpin
