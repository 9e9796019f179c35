// Standard and time bars (features.hpp): the reference's referenceBars and referenceTimeBars
// (src/backends/reference/features/features.ts), the same sums in the same order.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "features.hpp"
#include "lanes.hpp"
#include "simd.hpp"

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
/// `blocks`: take the 8-trade blocks below (two of 4 lanes), a gain only where D4 is one register (simd::run's
/// AVX2 and AVX-512 copies); the baseline copy is slower with them than without.
template <int By>
KERNELBUS_VECTOR_BODY Status barsLoop(Doubles ts, Doubles price, Doubles volume, size_t n, double threshold, bool blocks,
                                      std::vector<BarRow>& out) {
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
  // one trade, checked into `bad`
  auto step = [&](size_t i) {
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
  };
  size_t i = 0;
#if defined(__GNUC__)
  if (blocks) {
    // Blocks of 8 trades inside the open bar, the checks and the tick rule in vector lanes: taken when
    // the 8 are valid with prices > 0 (no signed zero for high and low to tell apart, and dollar sums
    // that only grow) and the bar does not close in them; otherwise the 8 go through step(). The sums
    // are the same adds in the same order. A time bar does not close in them when the last one's end
    // is the bar's: an end, (floor(ts / barMs) + 1) barMs, never decreases with ts, and the trade
    // before them had the bar's.
    while (i + 8 <= n) {
      if (std::isnan(open)) {
        step(i++);
        continue;
      }
      // two blocks of 4 at once (one check, one branch and one fold of high and low for 8 trades)
      const Lanes4 a = lanes4(ts, price, volume, i, sign);
      Lanes4 b = lanes4(ts, price, volume, i + 4, 0);
      b.s |= __builtin_shufflevector(a.s, a.s, 3, 3, 3, 3) & (b.s == 0);  // the sign carried from a's last
      const D4 da = a.p * a.v, db = b.p * b.v;
      double nv = vol, nd = dollarValue;
      for (int k = 0; k < 4; k++) {
        nv += a.v[k];
        nd += da[k];
      }
      for (int k = 0; k < 4; k++) {
        nv += b.v[k];
        nd += db[k];
      }
      bool closes;
      if constexpr (By == 3) {
        closes = !((std::floor(b.t[3] / threshold) + 1) * threshold <= end);
      } else {
        closes = (By == 0 ? ticks + 8 : By == 1 ? nv : nd) >= threshold;
      }
      if (!(a.ok && b.ok) || closes) {
        for (size_t k = i + 8; i < k; i++) step(i);
        continue;
      }
      const D4 buyA = (D4)((L4)a.v & (a.s == 1)), buyB = (D4)((L4)b.v & (b.s == 1));
      for (int k = 0; k < 4; k++) buyVolume += buyA[k];
      for (int k = 0; k < 4; k++) buyVolume += buyB[k];
      const D4 up = a.p > b.p ? a.p : b.p, down = a.p < b.p ? a.p : b.p;
      const double h = std::max(std::max(up[0], up[1]), std::max(up[2], up[3]));
      const double l = std::min(std::min(down[0], down[1]), std::min(down[2], down[3]));
      high = h > high ? h : high;
      low = l < low ? l : low;
      ticks += 8;  // an integer below 2^53: the same as eight + 1
      vol = nv;
      dollarValue = nd;
      sign = static_cast<int>(b.s[3]);
      prev = b.p[3];
      lastTs = b.t[3];
      i += 8;
    }
  }
#endif
  for (; i < n; i++) step(i);
  if (bad) return firstFault(ts, price, volume, n, By == 3, threshold);
  out = std::move(rows);
  return Status{};
}

}  // namespace

Status bars(Doubles ts, Doubles price, Doubles volume, size_t n, const BarsParams& p, std::vector<BarRow>& out) {
  const bool blocks = simd::level() != simd::Level::baseline;
  switch (p.by) {
    case 0:
      return simd::run<barsLoop<0>>(ts, price, volume, n, p.threshold, blocks, out);
    case 1:
      return simd::run<barsLoop<1>>(ts, price, volume, n, p.threshold, blocks, out);
    case 2:
      return simd::run<barsLoop<2>>(ts, price, volume, n, p.threshold, blocks, out);
    default:
      return simd::run<barsLoop<3>>(ts, price, volume, n, p.threshold, blocks, out);
  }
}

}  // namespace kernelbus::features
