// What every bar kernel of the features family shares: the trades' checks, the tick rule and the open
// bar's running statistics, as mlfinlab's BaseBars keeps them (data_structures/base_bars.py, 2020). The
// reference's src/backends/reference/features/bar-builder.ts, operation for operation.
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
  /// Trades from i on into the open bar in blocks of 8 (two lanes4()) while a block is valid (ok,
  /// prices > 0) and `taker(a, b)` accepts its halves (a copy: its state in locals as well, copied
  /// back), as add()s: the open bar in locals, high and low by lanes (no signed zero among them), the
  /// sums one by one in order. Returns the first trade not taken. i >= 1 (lanes4() reads trade i - 1).
  template <class Take>
  __attribute__((always_inline)) size_t addBlocks(Doubles ts, Doubles price, Doubles volume, size_t i, size_t n, Take& taker) {
    Take take = taker;
    double h = high, lo = low, vol = this->volume, buys = buyVolume, dollars = dollarValue, count = ticks;
    int sign = prevSign_;
    const size_t first = i;
    for (; i + 8 <= n; i += 8) {
      const Lanes4 a = lanes4(ts, price, volume, i, sign);
      const Lanes4 b = lanes4(ts, price, volume, i + 4, static_cast<int>(a.s[3]));
      if (!(a.ok & b.ok) || !take(a, b)) break;
      for (const Lanes4* l : {&a, &b}) {
        const D4 buy = (D4)((L4)l->v & (l->s == 1));
        const D4 d = l->p * l->v;
        for (int k = 0; k < 4; k++) {
          dollars += d[k];
          vol += l->v[k];
          buys += buy[k];
        }
      }
      count += 8;  // an integer below 2^53: the same as eight + 1
      const D4 up = a.p > b.p ? a.p : b.p, down = a.p < b.p ? a.p : b.p;
      h = std::max(std::max(std::max(up[0], up[1]), std::max(up[2], up[3])), h);
      lo = std::min(std::min(std::min(down[0], down[1]), std::min(down[2], down[3])), lo);
      sign = static_cast<int>(b.s[3]);
    }
    if (i != first) {  // blocks taken: the open the first one's price if none was, the last trade theirs
      if (std::isnan(open)) open = price[first];
      prevPrice_ = price[i - 1];
      lastTs_ = ts[i - 1];
    }
    high = h;
    low = lo;
    this->volume = vol;
    buyVolume = buys;
    dollarValue = dollars;
    ticks = count;
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
