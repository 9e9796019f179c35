// Standard and time bars (features.hpp): the reference's referenceBars and referenceTimeBars
// (src/backends/reference/features/features.ts), the same sums in the same order.
#include <cmath>
#include <limits>

#include "features.hpp"

namespace kernelbus::features {

namespace {

/// The first fault of the trades (BarBuilder's checks, and for time bars a bar index that overflows).
Status firstFault(Doubles ts, Doubles price, Doubles volume, size_t n, bool time, double barMs) {
  BarBuilder checked;
  for (size_t i = 0; i < n; i++) {
    int sign = 0;
    if (Status s = checked.check(i, ts[i], price[i], volume[i], sign); !s.ok()) return s;
    if (time && !std::isfinite((std::floor(ts[i] / barMs) + 1) * barMs)) {
      return Status{Fault::TsBarOutOfRange, static_cast<double>(i), ts[i], barMs};
    }
  }
  return Status{};
}

/// The bars' loop by what closes them (By: 0 ticks, 1 volume, 2 dollar value reaching the threshold,
/// after the trade is added; 3 time: a trade past the bar's end, before it is added, as mlfinlab's
/// TimeBars, the bar labelled by that end), without a branch a random tape mispredicts: the tick
/// rule by integer arithmetic, high and low by selects, the buy volume by adding v or +0 (the same
/// sums: x + 0 is x, and no sum is -0), the open bar in locals, the checks folded into one flag (a
/// flagged tape is scanned again for its first fault, firstFault()).
template <int By>
Status barsLoop(Doubles ts, Doubles price, Doubles volume, size_t n, double threshold, std::vector<BarRow>& out) {
  constexpr double kMax = std::numeric_limits<double>::max();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double open = kNaN, high = -kInf, low = kInf;
  double ticks = 0, dollarValue = 0, vol = 0, buyVolume = 0;
  double lastTs = -kInf, prev = kNaN, end = kNaN;
  int sign = 0;
  bool bad = false;
  std::vector<BarRow> rows;
  // closes the open bar (BarBuilder::close's row) at time t, tickNum i + 1, close c
  auto close = [&](double t, size_t i, double c) {
    const double h = open > high ? open : high;
    const double l = open < low ? open : low;
    rows.push_back(BarRow{t, static_cast<double>(i + 1), open, h, l, c, vol, buyVolume, ticks, dollarValue});
    open = kNaN;
    high = -kInf;
    low = kInf;
    ticks = dollarValue = vol = buyVolume = 0;
  };
  for (size_t i = 0; i < n; i++) {
    const double t = ts[i], p = price[i], v = volume[i];
    bad |= !(t >= lastTs) | !(t <= kMax) | !(p >= -kMax && p <= kMax) | !(v >= 0 && v <= kMax);
    lastTs = t;
    const double last = prev;
    // mlfinlab's tick rule: the sign of p - prev (distinct finite doubles never subtract to 0), else the last
    const int up = p > prev, down = p < prev;
    sign += (up | down) * (up - down - sign);  // integer arithmetic: no branch on the 45% of unchanged prices
    prev = p;
    if constexpr (By == 3) {
      const double boundary = (std::floor(t / threshold) + 1) * threshold;
      bad |= !(boundary >= -kMax && boundary <= kMax);
      if (std::isnan(end)) {
        end = boundary;
      } else if (end < boundary) {
        close(end, i, last);
        end = boundary;
      }
    }
    if (std::isnan(open)) open = p;
    high = p > high ? p : high;
    low = p < low ? p : low;
    ticks += 1;
    dollarValue += p * v;
    vol += v;
    buyVolume += maskedUnless(sign == 1, v);
    if constexpr (By < 3) {
      const double sum = By == 0 ? ticks : By == 1 ? vol : dollarValue;
      if (sum >= threshold) close(t, i, p);
    }
  }
  if (bad) return firstFault(ts, price, volume, n, By == 3, threshold);
  out = std::move(rows);
  return Status{};
}

}  // namespace

Status bars(Doubles ts, Doubles price, Doubles volume, size_t n, const BarsParams& p, std::vector<BarRow>& out) {
  switch (p.by) {
    case 0:
      return barsLoop<0>(ts, price, volume, n, p.threshold, out);
    case 1:
      return barsLoop<1>(ts, price, volume, n, p.threshold, out);
    case 2:
      return barsLoop<2>(ts, price, volume, n, p.threshold, out);
    default:
      return barsLoop<3>(ts, price, volume, n, p.threshold, out);
  }
}

}  // namespace kernelbus::features
