// What every bar kernel of the features family shares: the trades' checks, the tick rule and the open
// bar's running statistics, as mlfinlab's BaseBars keeps them (data_structures/base_bars.py, 2020). The
// reference's src/simulation/bar-builder.ts, operation for operation.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "lanes.hpp"
#include "status.hpp"

namespace kernelbus::features {

/// A bar's columns, in the order of BAR_COLUMNS (src/kernels/features/features.ts).
constexpr size_t kBarColumnCount = 10;
constexpr const char* kBarColumns[kBarColumnCount] = {"ts",    "tickNum", "open",      "high",  "low",
                                                      "close", "volume",  "buyVolume", "ticks", "dollarValue"};
using BarRow = std::array<double, kBarColumnCount>;

/// v, or +0 (all bits cleared) unless `keep`: a select the compiler cannot turn back into a branch.
inline double maskedUnless(bool keep, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  bits &= -static_cast<uint64_t>(keep);
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

/// The open bar and the tick rule's state across the trades of one call; the closed bars in `rows`.
class BarBuilder {
 public:
  /// Trade i into the open bar, checked first (ts finite and not before the last, price finite, volume
  /// finite and >= 0: else the fault, nothing changed); `sign` gets its tick-rule sign.
  Status add(size_t i, double t, double p, double v, int& sign) {
    if (Status s = check(i, t, p, v, sign); !s.ok()) return s;
    accumulate(p, v, sign);
    return Status{};
  }

  /// Trade i checked (as add()) and its tick-rule sign into `sign`, the bar left as it is (time bars
  /// close it first).
  Status check(size_t i, double t, double p, double v, int& sign) {
    const double index = static_cast<double>(i);
    if (!(t >= lastTs_)) return Status{std::isnan(t) ? Fault::TsNotFinite : Fault::TsDecreasing, index, t, lastTs_};
    if (!std::isfinite(t)) return Status{Fault::TsNotFinite, index, t, lastTs_};
    if (!std::isfinite(p)) return Status{Fault::PriceNotFinite, index, p, 0};
    if (!(v >= 0 && v <= std::numeric_limits<double>::max())) return Status{Fault::VolumeInvalid, index, v, 0};
    lastTs_ = t;
    // mlfinlab: tick_diff = price - prev_price (0 for the first trade); a change sets the sign. Distinct
    // finite doubles never subtract to 0, so it is the sign of the comparison (none with the first's
    // NaN), taken by integer arithmetic: a branch would mispredict on the many unchanged prices
    const int up = p > prevPrice_, down = p < prevPrice_;
    prevSign_ += (up | down) * (up - down - prevSign_);
    prevPrice_ = p;
    sign = prevSign_;
    return Status{};
  }

  /// A checked trade of price p, volume v and tick sign `sign` into the open bar (opening one if none is).
  void accumulate(double p, double v, int sign) {
    if (std::isnan(open)) open = p;
    high = p > high ? p : high;
    low = p < low ? p : low;
    ticks += 1;
    dollarValue += p * v;
    volume += v;
    buyVolume += maskedUnless(sign == 1, v);  // v or +0: the same sum as adding v when sign is 1
  }

#if defined(__GNUC__)
  /// Trades from i on into the open bar in blocks of 4 K (K = Take::kLanes lanes4()s, the signs carried
  /// from one to the next) while a block is valid (ok, prices > 0) and `taker(lanes)` accepts it (a
  /// copy: its state in locals as well, copied back), as add()s: the open bar in locals, high and low
  /// by lanes (no signed zero among them), the sums one by one in order. Returns the first trade not
  /// taken. i >= 1 (lanes4() reads trade i - 1).
  template <class Take>
  __attribute__((always_inline)) size_t addBlocks(Doubles ts, Doubles price, Doubles volume, size_t i, size_t n, Take& taker) {
    constexpr int K = Take::kLanes;
    Take take = taker;
    // high and low by lane, folded at the end (no NaN, no signed zero: the order does not matter)
    D4 up = D4{0, 0, 0, 0} + high, down = D4{0, 0, 0, 0} + low;
    // the sums in the lanes of one vector, each lane's adds in trade order: dollars, volume, buys, ticks
    D4 sums = {dollarValue, this->volume, buyVolume, ticks};
    int sign = prevSign_;
    const size_t first = i;
    for (; i + 4 * K <= n; i += 4 * K) {
      Lanes4 l[K];
      L4 valid = {-1, -1, -1, -1};
      for (int j = 0; j < K; j++) {
        l[j] = lanes4(ts, price, volume, i + 4 * j, j == 0 ? sign : 0);
        // the sign carried into a lanes4 after the first: the last of the one before, by a shuffle
        if (j != 0) l[j].s |= __builtin_shufflevector(l[j - 1].s, l[j - 1].s, 3, 3, 3, 3) & (l[j].s == 0);
        valid &= l[j].valid;
      }
      if (!((valid[0] & valid[1]) & (valid[2] & valid[3])) || !take(l)) break;
      for (int j = 0; j < K; j++) {
        const D4 buy = (D4)((L4)l[j].v & (l[j].s == 1));
        const D4 d = l[j].p * l[j].v, one = {1, 1, 1, 1};
        // transposed: trade k's (dollars, volume, buy volume, 1)
        const D4 lo01 = __builtin_shufflevector(d, l[j].v, 0, 4, 1, 5), hi01 = __builtin_shufflevector(d, l[j].v, 2, 6, 3, 7);
        const D4 lo23 = __builtin_shufflevector(buy, one, 0, 4, 1, 5), hi23 = __builtin_shufflevector(buy, one, 2, 6, 3, 7);
        sums += __builtin_shufflevector(lo01, lo23, 0, 1, 4, 5);
        sums += __builtin_shufflevector(lo01, lo23, 2, 3, 6, 7);
        sums += __builtin_shufflevector(hi01, hi23, 0, 1, 4, 5);
        sums += __builtin_shufflevector(hi01, hi23, 2, 3, 6, 7);
        up = l[j].p > up ? l[j].p : up;
        down = l[j].p < down ? l[j].p : down;
      }
      sign = static_cast<int>(l[K - 1].s[3]);
    }
    if (i != first) {  // blocks taken: the open the first one's price if none was, the last trade theirs
      if (std::isnan(open)) open = price[first];
      prevPrice_ = price[i - 1];
      lastTs_ = ts[i - 1];
    }
    high = std::max(std::max(up[0], up[1]), std::max(up[2], up[3]));
    low = std::min(std::min(down[0], down[1]), std::min(down[2], down[3]));
    dollarValue = sums[0];
    this->volume = sums[1];
    buyVolume = sums[2];
    ticks = sums[3];  // integers below 2^53: the same as 1s added one by one
    prevSign_ = sign;
    taker = take;
    return i;
  }
#endif

  /// Closes the open bar at trade i (time t, price p: its close) and opens none.
  void close(size_t i, double t, double p) {
    // Python's max(high, open) and min(low, open): the first unless the second is beyond it
    const double h = open > high ? open : high;
    const double l = open < low ? open : low;
    rows.push_back(BarRow{t, static_cast<double>(i + 1), open, h, l, p, volume, buyVolume, ticks, dollarValue});
    open = std::numeric_limits<double>::quiet_NaN();
    high = -std::numeric_limits<double>::infinity();
    low = std::numeric_limits<double>::infinity();
    volume = 0;
    buyVolume = 0;
    ticks = 0;
    dollarValue = 0;
  }

  double open = std::numeric_limits<double>::quiet_NaN();
  double high = -std::numeric_limits<double>::infinity();
  double low = std::numeric_limits<double>::infinity();
  double volume = 0;
  double buyVolume = 0;
  double ticks = 0;
  double dollarValue = 0;
  std::vector<BarRow> rows;

 private:
  double prevPrice_ = std::numeric_limits<double>::quiet_NaN();
  int prevSign_ = 0;
  double lastTs_ = -std::numeric_limits<double>::infinity();
};

}  // namespace kernelbus::features
