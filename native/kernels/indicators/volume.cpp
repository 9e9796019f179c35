// TA-Lib's volume indicators on one series (src/backends/reference/indicators/volume.ts).
#include <vector>

#include "columns.hpp"
#include "select.hpp"
#include "series.hpp"

namespace kernelbus::indicators::series {

// obv(): TA_OBV.
void obv(const double* close, const double* volume, size_t n, double* out) {
  if (n == 0) return;
  double total = volume[0];
  double prev = close[0];
  for (size_t t = 0; t < n; t++) {
    const double value = close[t];
    // TA-Lib adds or subtracts the volume on a rise or a fall: total - v is total + -v, and adding
    // -0.0 where the close is unchanged leaves any total as it is; no branch
    total += selectLess(prev, value, volume[t], selectLess(value, prev, -volume[t], -0.0));
    out[t] = total;
    prev = value;
  }
}

namespace {

// adStep()
inline double adStep(const double* high, const double* low, const double* close, const double* volume, size_t t, double ad) {
  const double h = high[t], l = low[t];
  const double range = h - l;
  const double c = close[t];
  return range > 0 ? ad + ((c - l - (h - c)) / range) * volume[t] : ad;
}

}  // namespace

// ad(): TA_AD.
void ad(const double* high, const double* low, const double* close, const double* volume, size_t n, double* out) {
  double line = 0;
  for (size_t t = 0; t < n; t++) out[t] = line = adStep(high, low, close, volume, t, line);
}

// adosc(): TA_ADOSC.
void adosc(const double* high, const double* low, const double* close, const double* volume, size_t n, size_t fastPeriod, size_t slowPeriod,
           double* out) {
  const size_t lookback = (fastPeriod < slowPeriod ? slowPeriod : fastPeriod) - 1;
  if (n <= lookback) return fillNaN(out, 0, n);
  fillNaN(out, 0, lookback);
  const double fastK = perToK(fastPeriod), fastRest = 1.0 - fastK;
  const double slowK = perToK(slowPeriod), slowRest = 1.0 - slowK;
  double line = adStep(high, low, close, volume, 0, 0);
  double fast = line, slow = line;
  for (size_t t = 1; t < n; t++) {
    line = adStep(high, low, close, volume, t, line);
    fast = fastK * line + fastRest * fast;
    slow = slowK * line + slowRest * slow;
    if (t >= lookback) out[t] = fast - slow;
  }
}

// mfi(): TA_MFI over TA-Lib's circular buffer.
void mfi(const double* high, const double* low, const double* close, const double* volume, size_t n, size_t period, double* out) {
  if (n <= period) return fillNaN(out, 0, n);
  fillNaN(out, 0, period);
  std::vector<double> positive(period), negative(period);
  size_t at = 0;
  double pos = 0, neg = 0;
  double prev = (high[0] + low[0] + close[0]) / 3.0;
  auto flow = [&](size_t t) {
    double typical = (high[t] + low[t] + close[t]) / 3.0;
    const double move = typical - prev;
    prev = typical;
    typical *= volume[t];
    const double up = selectLess(0.0, move, typical, 0.0), down = selectLess(move, 0.0, typical, 0.0);
    positive[at] = up;
    negative[at] = down;
    // TA-Lib adds the flow to one of the sums (or neither); adding 0 to the others is the same bits,
    // as neither sum is ever -0.0 (from +0.0, x + y and x - y give -0.0 only from x = -0.0), and
    // takes no branch
    neg += down;
    pos += up;
  };
  auto ratio = [&] {
    const double sum = pos + neg;
    return sum < 1.0 ? 0.0 : 100.0 * (pos / sum);
  };
  for (size_t t = 1; t <= period; t++) {
    flow(t);
    at = at + 1 > period - 1 ? 0 : at + 1;
  }
  out[period] = ratio();
  for (size_t t = period + 1; t < n; t++) {
    pos -= positive[at];
    neg -= negative[at];
    flow(t);
    out[t] = ratio();
    at = at + 1 > period - 1 ? 0 : at + 1;
  }
}

}  // namespace kernelbus::indicators::series
