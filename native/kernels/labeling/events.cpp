// The CUSUM filter, daily volatility, vertical barriers and fixed-horizon labels (generated/labeling.hpp
// declares them): src/backends/reference/labeling/events.ts in C++, the same operations in the same
// order (logs are random::logOf, the reference's logOf).
#include <cmath>
#include <vector>

#include "labeling.hpp"
#include "random.hpp"

namespace kernelbus::labeling {

namespace {

constexpr double kDayMs = 86'400'000;

/// ln x as numpy's log: NaN below 0, -Infinity at 0.
double ln(double x) { return x == 0 ? -INFINITY : random::logOf(x); }

/// pandas' ewm(alpha, adjust=True, ignore_na=False).std() of x[from..n) into out[from..n) (events.ts ewmStd).
void ewmStd(const std::vector<double>& x, size_t from, double alpha, double* out) {
  const size_t n = x.size();
  if (from >= n) return;
  const double oldWtFactor = 1 - alpha;
  const double newWt = 1;
  double mean = x[from];
  size_t nobs = std::isnan(mean) ? 0 : 1;
  out[from] = NAN;
  double cov = 0;
  double sumWt = 1;
  double sumWt2 = 1;
  double oldWt = 1;
  for (size_t i = from + 1; i < n; i++) {
    const double cur = x[i];
    const bool obs = !std::isnan(cur);
    if (obs) nobs++;
    if (!std::isnan(mean)) {
      sumWt *= oldWtFactor;
      sumWt2 *= oldWtFactor * oldWtFactor;
      oldWt *= oldWtFactor;
      if (obs) {
        const double oldMean = mean;
        if (mean != cur) mean = (oldWt * oldMean + newWt * cur) / (oldWt + newWt);
        cov = (oldWt * (cov + (oldMean - mean) * (oldMean - mean)) + newWt * ((cur - mean) * (cur - mean))) / (oldWt + newWt);
        sumWt += newWt;
        sumWt2 += newWt * newWt;
        oldWt += newWt;
      }
    } else if (obs) {
      mean = cur;
    }
    double v = NAN;
    if (nobs >= 1) {
      const double numerator = sumWt * sumWt;
      const double denominator = numerator - sumWt2;
      if (denominator > 0) v = (numerator / denominator) * cov;
    }
    out[i] = v >= 0 ? std::sqrt(v) : v < 0 ? 0 : NAN;
  }
}

/// The mean and sample standard deviation of x[from..from + w) (events.ts windowMoments).
void windowMoments(const std::vector<double>& x, size_t from, size_t w, double& mean, double& sd) {
  double sum = 0;
  for (size_t j = from; j < from + w; j++) sum += x[j];
  mean = sum / static_cast<double>(w);
  double ss = 0;
  for (size_t j = from; j < from + w; j++) ss += (x[j] - mean) * (x[j] - mean);
  sd = std::sqrt(ss / static_cast<double>(w - 1));
}

}  // namespace

Status cusumFilter(const double* ts, size_t n, const double* close, const double* threshold, size_t k, double* out) {
  if (Status s = checkTimes(ts, n); !s.ok()) return s;
  if (Status s = checkLength(k, n, ValueFault::CusumThresholdLength, true); !s.ok()) return s;
  for (size_t i = 0; i < k; i++) {
    const double h = threshold[i];
    if (!(h > 0) && !std::isnan(h)) return valueFault(ValueFault::CusumThreshold, i, h);
  }
  for (size_t t = 0; t < n; t++) out[t] = 0;
  double sPos = 0;
  double sNeg = 0;
  double previous = n > 0 ? ln(close[0]) : 0;
  for (size_t t = 1; t < n; t++) {
    const double current = ln(close[t]);
    const double r = current - previous;
    previous = current;
    const double h = k == 1 ? threshold[0] : threshold[t];
    const double pos = sPos + r;
    const double neg = sNeg + r;
    sPos = pos > 0 ? pos : 0;
    sNeg = neg < 0 ? neg : 0;
    if (sNeg < -h) {
      sNeg = 0;
      out[t] = 1;
    } else if (sPos > h) {
      sPos = 0;
      out[t] = 1;
    }
  }
  return Status{};
}

Status dailyVolatility(const double* ts, size_t n, const double* close, size_t lookback, double* out) {
  if (Status s = checkTimes(ts, n); !s.ok()) return s;
  for (size_t i = 0; i < n; i++) out[i] = NAN;
  std::vector<double> returns(n, NAN);
  size_t from = n;
  size_t j = 0;
  for (size_t i = 0; i < n; i++) {
    while (j < n && ts[j] < ts[i] - kDayMs) j++;
    if (j > 0) {
      if (from == n) from = i;
      returns[i] = close[i] / close[j - 1] - 1;
    }
  }
  ewmStd(returns, from, 1 / (1 + (static_cast<double>(lookback) - 1) / 2), out);
  return Status{};
}

Status verticalBarriers(const double* ts, size_t n, const double* t0, size_t m, double ms, double* out) {
  if (Status s = checkTimes(ts, n); !s.ok()) return s;
  size_t from = 0;  // increasing events search on from the last one's barrier
  for (size_t i = 0; i < m; i++) {
    if (!std::isfinite(t0[i])) return eventFault(EventFault::T0NotFinite, i, t0[i]);
    if (i > 0 && t0[i] < t0[i - 1]) from = 0;
    const size_t j = firstAtOrAfter(ts, n, t0[i] + ms, from);
    out[i] = j < n ? ts[j] : NAN;
    from = j < n ? j : 0;
  }
  return Status{};
}

Status fixedHorizonLabels(const double* close, size_t n, const double* threshold, size_t k, bool lag, bool standardized, size_t window,
                          double* out) {
  if (Status s = checkLength(k, n, ValueFault::HorizonThresholdLength, true); !s.ok()) return s;
  for (size_t i = 0; i < k; i++) {
    if (!std::isfinite(threshold[i])) return valueFault(ValueFault::HorizonThreshold, i, threshold[i]);
  }
  // pandas' pct_change: the closes padded forward, then p_t / p_{t-1} - 1
  std::vector<double> r(n, NAN);
  double previous = NAN;
  for (size_t i = 0; i < n; i++) {
    const double p = std::isnan(close[i]) ? previous : close[i];
    if (i > 0) r[i] = p / previous - 1;
    previous = p;
  }
  std::vector<double> z(n);
  for (size_t i = 0; i < n; i++) z[i] = lag ? (i + 1 < n ? r[i + 1] : NAN) : r[i];
  if (standardized) {
    const std::vector<double> raw = z;
    for (size_t i = 0; i < n; i++) {
      if (i + 1 < window) {
        z[i] = NAN;
        continue;
      }
      double mean = 0;
      double sd = 0;
      windowMoments(raw, i + 1 - window, window, mean, sd);
      z[i] = (raw[i] - mean) / sd;
    }
  }
  for (size_t i = 0; i < n; i++) {
    const double h = k == 1 ? threshold[0] : threshold[i];
    const double x = z[i];
    out[i] = x > h ? 1 : x < -h ? -1 : x >= -h && x <= h ? 0 : NAN;
  }
  return Status{};
}

}  // namespace kernelbus::labeling
