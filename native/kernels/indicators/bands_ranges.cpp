// TA-Lib's BBANDS, TRANGE, ATR and NATR on one series (src/backends/reference/indicators/bands-ranges.ts).
#include <cmath>

#include "chains.hpp"
#include "columns.hpp"
#include "series.hpp"

namespace kernelbus::indicators::series {

// bbands(): TA_BBANDS, its MA by TA_MAType's number; the SMA's deviation from the precomputed SMA,
// another MA's TA_STDDEV from the MA's first value.
void bbands(const double* x, size_t n, size_t period, double nbDevUp, double nbDevDn, int maType, double* upper, double* middle,
            double* lower) {
  const size_t lookback = maLookback(maType, period);
  if (maType == 0)
    sma(x, n, period, middle);
  else
    maOf(maType, x, n, period, middle);
  if (n <= lookback) {
    fillNaN(upper, 0, n);
    fillNaN(lower, 0, n);
    return;
  }
  fillNaN(upper, 0, lookback);
  fillNaN(lower, 0, lookback);
  const double p = static_cast<double>(period);
  auto band = [&](size_t t, double dev) {
    const double mid = middle[t];
    upper[t] = mid + dev * nbDevUp;
    lower[t] = mid - dev * nbDevDn;
  };
  if (maType == 0) {
    double squares = 0;
    for (size_t i = 0; i < lookback; i++) squares += x[i] * x[i];
    for (size_t end = lookback, start = 0; end < n; end++, start++) {
      squares += x[end] * x[end];
      double mean2 = squares / p;
      squares -= x[start] * x[start];
      const double mid = middle[end];
      mean2 -= mid * mid;
      band(end, !(mean2 < 1e-14) ? std::sqrt(mean2) : 0);
    }
    return;
  }
  double total1 = 0, total2 = 0;
  size_t trailing = lookback - (period - 1);
  for (size_t i = trailing; i < lookback; i++) {
    total1 += x[i];
    total2 += x[i] * x[i];
  }
  for (size_t t = lookback; t < n; t++) {
    total1 += x[t];
    total2 += x[t] * x[t];
    const double mean1 = total1 / p;
    const double mean2 = total2 / p;
    total1 -= x[trailing];
    total2 -= x[trailing] * x[trailing];
    trailing++;
    const double variance = mean2 - mean1 * mean1;
    band(t, !(variance < 1e-14) ? std::sqrt(variance) : 0);
  }
}

// trange(): TA_TRANGE.
void trange(const double* high, const double* low, const double* close, size_t n, double* out) {
  fillNaN(out, 0, n < 1 ? n : 1);
  for (size_t t = 1; t < n; t++) out[t] = trueRange(high, low, close, t);
}

namespace {

// wilderRange(): Wilder's average of the true range (TA_ATR, TA_NATR), each bar's from `period` on,
// in chains (chains.hpp; `each` writes bar t's output from the bar's values only).
template <typename Each>
void wilderRange(const double* high, const double* low, const double* close, size_t n, size_t period, double* out, Each&& each) {
  const double p = static_cast<double>(period), p1 = static_cast<double>(period - 1);
  double total = 0;
  for (size_t t = 1; t <= period; t++) total += trueRange(high, low, close, t);
  const double average = total / p;
  each(period, average);
  using chains::same;
  chains::run<4>(chains::recurrence(
                     [&](chains::State<1>& s, size_t t) {
                       s[0] *= p1;
                       s[0] += trueRange(high, low, close, t);
                       s[0] /= p;
                       each(t, s[0]);
                     },
                     [](size_t) { return chains::State<1>{0}; },
                     [&](size_t t) {
                       return same(high[t], high[t - 1]) && same(low[t], low[t - 1]) && same(close[t], close[t - 1]) &&
                              same(close[t - 1], close[t - 2]);
                     },
                     [&](size_t t) { out[t] = out[t - 1]; }),
                 chains::State<1>{average}, period + 1, n, chains::warmSteps(p1 / p));
}

}  // namespace

// atr(): TA_ATR.
void atr(const double* high, const double* low, const double* close, size_t n, size_t period, double* out) {
  if (period <= 1) return trange(high, low, close, n, out);
  if (n <= period) return fillNaN(out, 0, n);
  fillNaN(out, 0, period);
  wilderRange(high, low, close, n, period, out, [&](size_t t, double average) { out[t] = average; });
}

// natr(): TA_NATR, TA-Lib's write of a zero close's 0 to its first output kept.
void natr(const double* high, const double* low, const double* close, size_t n, size_t period, double* out) {
  if (period <= 1) return trange(high, low, close, n, out);
  if (n <= period) return fillNaN(out, 0, n);
  fillNaN(out, 0, period);
  wilderRange(high, low, close, n, period, out, [&](size_t t, double average) {
    if (!isZero(close[t])) {
      out[t] = (average / close[t]) * 100;
    } else if (t == period) {
      out[t] = 0;
    } else {
      out[t] = NAN;
      out[period] = 0;
    }
  });
}

}  // namespace kernelbus::indicators::series
