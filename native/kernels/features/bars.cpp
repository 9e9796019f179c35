// Standard bars (features.hpp): the reference's referenceBars (src/backends/reference/features/features.ts).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "features.hpp"

namespace kernelbus::features {

namespace {

/// mlfinlab's TimeBars._extract_bars: a trade past the open bar's end, (floor(ts / barMs) + 1) barMs,
/// closes it (labelled by that end, its tickNum that trade's position) before it opens the next.
Status timeBars(Doubles ts, Doubles price, Doubles volume, size_t n, double barMs, std::vector<BarRow>& out) {
  BarBuilder b;
  double end = std::numeric_limits<double>::quiet_NaN();
  double close = std::numeric_limits<double>::quiet_NaN();
  for (size_t i = 0; i < n; i++) {
    int sign = 0;
    if (Status s = b.check(i, ts[i], price[i], volume[i], sign); !s.ok()) return s;
    const double boundary = (std::floor(ts[i] / barMs) + 1) * barMs;
    if (!std::isfinite(boundary)) return Status{Fault::TsBarOutOfRange, static_cast<double>(i), ts[i], barMs};
    if (std::isnan(end)) {
      end = boundary;
    } else if (end < boundary) {
      b.close(i, end, close);
      end = boundary;
    }
    b.accumulate(price[i], volume[i], sign);
    close = price[i];
  }
  out = std::move(b.rows);
  return Status{};
}

/// v, or +0 (all bits cleared) unless `keep`: a select the compiler cannot turn back into a branch.
inline double maskedUnless(bool keep, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  bits &= -static_cast<uint64_t>(keep);
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

/// The standard bars' loop by what is summed (By: 0 ticks, 1 volume, 2 dollar value), without a
/// branch a random tape mispredicts: the tick rule, high and low by selects, the buy volume by adding v
/// or 0 (the same sums: x + 0 is x, and no sum is -0), the checks folded into one flag. A flagged tape
/// is run again by the checked loop (BarBuilder::add) for its first fault.
template <int By>
Status standardBars(Doubles ts, Doubles price, Doubles volume, size_t n, double threshold, std::vector<BarRow>& out) {
  constexpr double kMax = std::numeric_limits<double>::max();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  // the open bar in locals (BarBuilder's fields, kept in registers), closed as BarBuilder::close does
  double open = std::numeric_limits<double>::quiet_NaN(), high = -kInf, low = kInf;
  double ticks = 0, dollarValue = 0, vol = 0, buyVolume = 0;
  double lastTs = -kInf;
  double prev = std::numeric_limits<double>::quiet_NaN();
  int sign = 0;
  bool bad = false;
  std::vector<BarRow> rows;
  for (size_t i = 0; i < n; i++) {
    const double t = ts[i], p = price[i], v = volume[i];
    bad |= !(t >= lastTs) | !(t <= kMax) | !(p >= -kMax && p <= kMax) | !(v >= 0 && v <= kMax);
    lastTs = t;
    // mlfinlab's tick rule: the sign of p - prev (distinct finite doubles never subtract to 0), else the last
    const int up = p > prev, down = p < prev;
    sign += (up | down) * (up - down - sign);  // integer arithmetic: no branch on the 45% of unchanged prices
    prev = p;
    if (std::isnan(open)) open = p;
    high = p > high ? p : high;
    low = p < low ? p : low;
    ticks += 1;
    dollarValue += p * v;
    vol += v;
    buyVolume += maskedUnless(sign == 1, v);
    const double sum = By == 0 ? ticks : By == 1 ? vol : dollarValue;
    if (sum >= threshold) {
      const double h = open > high ? open : high;
      const double l = open < low ? open : low;
      rows.push_back(BarRow{t, static_cast<double>(i + 1), open, h, l, p, vol, buyVolume, ticks, dollarValue});
      open = std::numeric_limits<double>::quiet_NaN();
      high = -kInf;
      low = kInf;
      ticks = dollarValue = vol = buyVolume = 0;
    }
  }
  if (bad) {
    // the checked loop finds the first fault (its bars are not kept)
    BarBuilder checked;
    for (size_t i = 0; i < n; i++) {
      int s = 0;
      if (Status status = checked.add(i, ts[i], price[i], volume[i], s); !status.ok()) return status;
    }
  }
  out = std::move(rows);
  return Status{};
}

}  // namespace

Status bars(Doubles ts, Doubles price, Doubles volume, size_t n, const BarsParams& p, std::vector<BarRow>& out) {
  switch (p.by) {
    case 0:
      return standardBars<0>(ts, price, volume, n, p.threshold, out);
    case 1:
      return standardBars<1>(ts, price, volume, n, p.threshold, out);
    case 2:
      return standardBars<2>(ts, price, volume, n, p.threshold, out);
    default:
      return timeBars(ts, price, volume, n, p.threshold, out);
  }
}

}  // namespace kernelbus::features
