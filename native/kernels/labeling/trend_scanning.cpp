// Trend-scanning labels (generated/labeling.hpp declares them): src/backends/reference/labeling/
// events.ts referenceTrendScanningLabels in C++, the same operations in the same order.
#include <cmath>
#include <vector>

#include "labeling.hpp"
#include "parallel.hpp"

namespace kernelbus::labeling {

namespace {

/// The t-value of the OLS slope of close[from..from + k) (less `shift`) on 0..k-1 (events.ts slopeT).
double slopeT(const double* close, size_t from, size_t k, double shift) {
  double sy = 0;
  for (size_t j = 0; j < k; j++) sy += close[from + j] - shift;
  const double kd = static_cast<double>(k);
  const double ybar = sy / kd;
  const double xbar = (kd - 1) / 2;
  const double sxx = (kd * (kd * kd - 1)) / 12;
  double sxy = 0;
  for (size_t j = 0; j < k; j++) sxy += (static_cast<double>(j) - xbar) * (close[from + j] - shift - ybar);
  const double b1 = sxy / sxx;
  double ssr = 0;
  for (size_t j = 0; j < k; j++) {
    const double e = close[from + j] - shift - ybar - b1 * (static_cast<double>(j) - xbar);
    ssr += e * e;
  }
  if (ssr == 0 && b1 == 0) return 0;
  return b1 / std::sqrt(ssr / (kd - 2) / sxx);
}

/// Event i's window of the largest |t| from bar s, written to row i of o (NaN where none).
void scanEvent(const double* ts, size_t n, const double* close, size_t s, size_t lookForward, size_t minSampleLength, size_t step,
               const TrendScanningLabelsOut& o, size_t i) {
  if (n - s < lookForward) return;
  const double shift = std::isfinite(close[s]) ? close[s] : 0;
  double best = -INFINITY;
  double bestT = NAN;
  size_t bestK = 0;
  for (size_t k = minSampleLength; k < lookForward; k += step) {
    const double t = slopeT(close, s, k, shift);
    if (std::fabs(t) > best) {
      best = std::fabs(t);
      bestT = t;
      bestK = k;
    }
  }
  if (bestK == 0) return;
  const size_t e = s + bestK - 1;
  o.t1[i] = ts[e];
  o.tValue[i] = bestT;
  o.ret[i] = close[e] / close[s] - 1;
  o.label[i] = bestT > 0 ? 1 : bestT < 0 ? -1 : bestT;
}

}  // namespace

Status trendScanningLabels(const double* ts, size_t n, const double* close, const double* t0, size_t m, size_t lookForward,
                           size_t minSampleLength, size_t step, double* out) {
  if (Status s = checkTimes(ts, n); !s.ok()) return s;
  std::vector<size_t> starts;
  if (Status s = eventStarts(ts, n, t0, m, starts); !s.ok()) return s;
  const TrendScanningLabelsOut o = trendScanningLabelsOut(out, m);
  for (size_t i = 0; i < trendScanningLabelsLength(m); i++) out[i] = NAN;
  // each event's windows are its own: events share out over the pool (~ lookForward^2 / 2 steps each)
  parallelFor(m, 1 + (1 << 16) / (lookForward * lookForward / 2 + 1), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) scanEvent(ts, n, close, starts[i], lookForward, minSampleLength, step, o, i);
  });
  return Status{};
}

}  // namespace kernelbus::labeling
