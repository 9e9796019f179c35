// Standard bars (features.hpp): the reference's referenceBars (src/backends/reference/features/features.ts).
#include <cmath>
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

}  // namespace

Status bars(Doubles ts, Doubles price, Doubles volume, size_t n, const BarsParams& p, std::vector<BarRow>& out) {
  if (p.by == 3) return timeBars(ts, price, volume, n, p.threshold, out);
  BarBuilder b;
  for (size_t i = 0; i < n; i++) {
    int sign = 0;
    if (Status s = b.add(i, ts[i], price[i], volume[i], sign); !s.ok()) return s;
    const double sum = p.by == 0 ? b.ticks : p.by == 1 ? b.volume : b.dollarValue;
    if (sum >= p.threshold) b.close(i, ts[i], price[i]);
  }
  out = std::move(b.rows);
  return Status{};
}

}  // namespace kernelbus::features
