// TA-Lib's BBANDS, TRANGE, ATR and ADX on one series (src/backends/reference/indicators/volatility.ts).
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

// trueRange()
double trueRange(const double* high, const double* low, const double* close, size_t t) {
  double greatest = high[t] - low[t];
  const double up = std::fabs(close[t - 1] - high[t]);
  if (up > greatest) greatest = up;
  const double down = std::fabs(close[t - 1] - low[t]);
  if (down > greatest) greatest = down;
  return greatest;
}

// trange(): TA_TRANGE.
void trange(const double* high, const double* low, const double* close, size_t n, double* out) {
  fillNaN(out, 0, n < 1 ? n : 1);
  for (size_t t = 1; t < n; t++) out[t] = trueRange(high, low, close, t);
}

// atr(): TA_ATR, Wilder's average of the true range.
void atr(const double* high, const double* low, const double* close, size_t n, size_t period, double* out) {
  if (period <= 1) return trange(high, low, close, n, out);
  if (n <= period) return fillNaN(out, 0, n);
  fillNaN(out, 0, period);
  const double p = static_cast<double>(period), p1 = static_cast<double>(period - 1);
  double total = 0;
  for (size_t t = 1; t <= period; t++) total += trueRange(high, low, close, t);
  double average = total / p;
  out[period] = average;
  for (size_t t = period + 1; t < n; t++) {
    average *= p1;
    average += trueRange(high, low, close, t);
    average /= p;
    out[t] = average;
  }
}

namespace {

// Directional: TA_ADX's running Wilder sums of +DM, -DM and the true range.
struct Directional {
  const double *high, *low, *close;
  double plusDm = 0, minusDm = 0, range = 0;
  double prevHigh, prevLow, prevClose;

  Directional(const double* h, const double* l, const double* c)
      : high(h), low(l), close(c), prevHigh(h[0]), prevLow(l[0]), prevClose(c[0]) {}

  // step()
  void step(size_t t, double period, bool decay) {
    const double h = high[t];
    const double diffP = h - prevHigh;
    prevHigh = h;
    const double l = low[t];
    const double diffM = prevLow - l;
    prevLow = l;
    if (decay) {
      minusDm -= minusDm / period;
      plusDm -= plusDm / period;
    }
    if (diffM > 0 && diffP < diffM)
      minusDm += diffM;
    else if (diffP > 0 && diffP > diffM)
      plusDm += diffP;
    double tr = h - l;
    const double up = std::fabs(h - prevClose);
    if (up > tr) tr = up;
    const double down = std::fabs(l - prevClose);
    if (down > tr) tr = down;
    range = decay ? range - range / period + tr : range + tr;
    prevClose = close[t];
  }

  // dx(): false where TA-Lib forms none (a zero range or a zero DI sum).
  bool dx(double& value) const {
    if (isZero(range)) return false;
    const double minusDi = 100 * (minusDm / range);
    const double plusDi = 100 * (plusDm / range);
    const double sum = minusDi + plusDi;
    if (isZero(sum)) return false;
    value = 100 * (std::fabs(minusDi - plusDi) / sum);
    return true;
  }
};

}  // namespace

// adx(): TA_ADX, lookback 2 period - 1.
void adx(const double* high, const double* low, const double* close, size_t n, size_t period, double* out) {
  const size_t lookback = 2 * period - 1;
  if (n <= lookback) return fillNaN(out, 0, n);
  fillNaN(out, 0, lookback);
  const double p = static_cast<double>(period), p1 = static_cast<double>(period - 1);
  Directional d(high, low, close);
  size_t today = 0;
  for (size_t i = period - 1; i-- > 0;) d.step(++today, p, false);
  double sumDx = 0, dx = 0;
  for (size_t i = period; i-- > 0;) {
    d.step(++today, p, true);
    if (d.dx(dx)) sumDx += dx;
  }
  double average = sumDx / p;
  out[today] = average;
  while (today < n - 1) {
    d.step(++today, p, true);
    if (d.dx(dx)) average = (average * p1 + dx) / p;
    out[today] = average;
  }
}

}  // namespace kernelbus::indicators::series
