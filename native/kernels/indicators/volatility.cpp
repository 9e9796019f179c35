// TA-Lib's BBANDS, TRANGE, ATR and NATR on one series (src/backends/reference/indicators/volatility.ts).
#include <cmath>

#include "columns.hpp"
#include "series.hpp"

namespace kernelbus::indicators::series {

// bbands(): TA_BBANDS with its SMA and TA_INT_stddev_using_precalc_ma's deviation.
void bbands(const double* x, size_t n, size_t period, double nbDevUp, double nbDevDn, double* upper, double* middle, double* lower) {
  const size_t lookback = period - 1;
  sma(x, n, period, middle);
  if (n <= lookback) {
    fillNaN(upper, 0, n);
    fillNaN(lower, 0, n);
    return;
  }
  fillNaN(upper, 0, lookback);
  fillNaN(lower, 0, lookback);
  const double p = static_cast<double>(period);
  double squares = 0;
  for (size_t i = 0; i < lookback; i++) squares += x[i] * x[i];
  for (size_t end = lookback, start = 0; end < n; end++, start++) {
    squares += x[end] * x[end];
    double mean2 = squares / p;
    squares -= x[start] * x[start];
    const double mid = middle[end];
    mean2 -= mid * mid;
    const double dev = !(mean2 < 1e-14) ? std::sqrt(mean2) : 0;
    upper[end] = mid + dev * nbDevUp;
    lower[end] = mid - dev * nbDevDn;
  }
}

// trange(): TA_TRANGE.
void trange(const double* high, const double* low, const double* close, size_t n, double* out) {
  fillNaN(out, 0, n < 1 ? n : 1);
  for (size_t t = 1; t < n; t++) out[t] = trueRange(high, low, close, t);
}

namespace {

// wilderRange(): Wilder's average of the true range (TA_ATR, TA_NATR), each bar's from `period` on.
template <typename Each>
void wilderRange(const double* high, const double* low, const double* close, size_t n, size_t period, Each&& each) {
  const double p = static_cast<double>(period), p1 = static_cast<double>(period - 1);
  double total = 0;
  for (size_t t = 1; t <= period; t++) total += trueRange(high, low, close, t);
  double average = total / p;
  each(period, average);
  for (size_t t = period + 1; t < n; t++) {
    average *= p1;
    average += trueRange(high, low, close, t);
    average /= p;
    each(t, average);
  }
}

}  // namespace

// atr(): TA_ATR.
void atr(const double* high, const double* low, const double* close, size_t n, size_t period, double* out) {
  if (period <= 1) return trange(high, low, close, n, out);
  if (n <= period) return fillNaN(out, 0, n);
  fillNaN(out, 0, period);
  wilderRange(high, low, close, n, period, [&](size_t t, double average) { out[t] = average; });
}

// natr(): TA_NATR, TA-Lib's write of a zero close's 0 to its first output kept.
void natr(const double* high, const double* low, const double* close, size_t n, size_t period, double* out) {
  if (period <= 1) return trange(high, low, close, n, out);
  if (n <= period) return fillNaN(out, 0, n);
  fillNaN(out, 0, period);
  wilderRange(high, low, close, n, period, [&](size_t t, double average) {
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
