// The core indicators on kLanes columns at once (lanes.hpp): averages.cpp, momentum.cpp and
// bands_ranges.cpp's series functions with each variable one per lane, the same operations in the same
// order for each lane. A branch on a lane's value becomes a select: RSI adds its move to the gains or
// the losses and +0 to the other (exact: neither average is ever -0).
#include "lanes.hpp"

#include <cmath>

#include "columns.hpp"
#include "series.hpp"

namespace kernelbus::indicators::lanes {

namespace {

constexpr size_t W = kLanes;

/// NaN into rows [0, rows) of the lanes of `out`.
void fillRows(double* out, size_t stride, size_t rows) {
  for (size_t t = 0; t < rows; t++)
    for (size_t b = 0; b < W; b++) out[t * stride + b] = NAN;
}

}  // namespace

// sma(): series::sma.
void sma(const double* x, size_t stride, size_t n, size_t period, double* out) {
  const size_t lookback = period - 1;
  if (n <= lookback) return fillRows(out, stride, n);
  fillRows(out, stride, lookback);
  const double p = static_cast<double>(period);
  double total[W] = {};
  for (size_t t = 0; t < lookback; t++)
    for (size_t b = 0; b < W; b++) total[b] += x[t * stride + b];
  for (size_t t = lookback; t < n; t++) {
    const double* in = x + t * stride;
    const double* old = x + (t - lookback) * stride;
    double* o = out + t * stride;
    for (size_t b = 0; b < W; b++) {
      total[b] += in[b];
      const double value = total[b];
      total[b] -= old[b];
      o[b] = value / p;
    }
  }
}

// ema(): series::ema (emaFrom from the lookback).
void ema(const double* x, size_t stride, size_t n, size_t period, double* out) {
  const size_t lookback = period - 1;
  if (n <= lookback) return fillRows(out, stride, n);
  fillRows(out, stride, lookback);
  const double k = series::perToK(period);
  double e[W] = {};
  for (size_t t = 0; t < period; t++)
    for (size_t b = 0; b < W; b++) e[b] += x[t * stride + b];
  for (size_t b = 0; b < W; b++) out[lookback * stride + b] = e[b] /= static_cast<double>(period);
  for (size_t t = period; t < n; t++) {
    const double* in = x + t * stride;
    double* o = out + t * stride;
    for (size_t b = 0; b < W; b++) o[b] = e[b] = (in[b] - e[b]) * k + e[b];
  }
}

// rsi(): series::rsi.
void rsi(const double* x, size_t stride, size_t n, size_t period, double* out) {
  if (n <= period) return fillRows(out, stride, n);
  fillRows(out, stride, period);
  const double p = static_cast<double>(period), p1 = static_cast<double>(period - 1);
  double gain[W] = {}, loss[W] = {}, prev[W];
  for (size_t b = 0; b < W; b++) prev[b] = x[b];
  auto add = [&](const double* in, size_t b) {
    const double move = in[b] - prev[b];
    prev[b] = in[b];
    const bool down = move < 0;
    loss[b] -= down ? move : 0.0;
    gain[b] += down ? 0.0 : move;
  };
  auto emit = [&](double* o, size_t b) {
    const double sum = gain[b] + loss[b];
    o[b] = !isZero(sum) ? 100 * (gain[b] / sum) : 0;
  };
  for (size_t t = 1; t <= period; t++)
    for (size_t b = 0; b < W; b++) add(x + t * stride, b);
  for (size_t b = 0; b < W; b++) {
    loss[b] /= p;
    gain[b] /= p;
    emit(out + period * stride, b);
  }
  for (size_t t = period + 1; t < n; t++) {
    const double* in = x + t * stride;
    double* o = out + t * stride;
    for (size_t b = 0; b < W; b++) {
      loss[b] *= p1;
      gain[b] *= p1;
      add(in, b);
      loss[b] /= p;
      gain[b] /= p;
      emit(o, b);
    }
  }
}

// macd(): series::macd.
void macd(const double* x, size_t stride, size_t n, size_t fastPeriod, size_t slowPeriod, size_t signalPeriod, double* line, double* signal,
          double* hist) {
  const size_t fast = slowPeriod < fastPeriod ? slowPeriod : fastPeriod;
  const size_t slow = slowPeriod < fastPeriod ? fastPeriod : slowPeriod;
  const size_t start = slow - 1;
  const size_t lookback = start + signalPeriod - 1;
  for (double* o : {line, signal, hist}) fillRows(o, stride, n <= lookback ? n : lookback);
  if (n <= lookback) return;
  const double kSlow = series::perToK(slow), kFast = series::perToK(fast), kSignal = series::perToK(signalPeriod);
  double eSlow[W] = {}, eFast[W] = {}, s[W] = {};
  for (size_t t = 0; t <= start; t++)
    for (size_t b = 0; b < W; b++) eSlow[b] += x[t * stride + b];
  for (size_t t = start + 1 - fast; t <= start; t++)
    for (size_t b = 0; b < W; b++) eFast[b] += x[t * stride + b];
  for (size_t b = 0; b < W; b++) {
    eSlow[b] /= static_cast<double>(slow);
    eFast[b] /= static_cast<double>(fast);
    s[b] += eFast[b] - eSlow[b];
  }
  for (size_t t = start + 1; t <= lookback; t++) {
    const double* in = x + t * stride;
    for (size_t b = 0; b < W; b++) {
      eSlow[b] = (in[b] - eSlow[b]) * kSlow + eSlow[b];
      eFast[b] = (in[b] - eFast[b]) * kFast + eFast[b];
      s[b] += eFast[b] - eSlow[b];
    }
  }
  for (size_t b = 0; b < W; b++) {
    s[b] /= static_cast<double>(signalPeriod);
    const double m = eFast[b] - eSlow[b];
    line[lookback * stride + b] = m;
    signal[lookback * stride + b] = s[b];
    hist[lookback * stride + b] = m - s[b];
  }
  for (size_t t = lookback + 1; t < n; t++) {
    const double* in = x + t * stride;
    const size_t row = t * stride;
    for (size_t b = 0; b < W; b++) {
      eSlow[b] = (in[b] - eSlow[b]) * kSlow + eSlow[b];
      eFast[b] = (in[b] - eFast[b]) * kFast + eFast[b];
      const double m = eFast[b] - eSlow[b];
      s[b] = (m - s[b]) * kSignal + s[b];
      line[row + b] = m;
      signal[row + b] = s[b];
      hist[row + b] = m - s[b];
    }
  }
}

// bbands(): series::bbands with the SMA, the SMA and the running sum of squares in one pass.
void bbands(const double* x, size_t stride, size_t n, size_t period, double nbDevUp, double nbDevDn, double* upper, double* middle,
            double* lower) {
  const size_t lookback = period - 1;
  for (double* o : {upper, middle, lower}) fillRows(o, stride, n <= lookback ? n : lookback);
  if (n <= lookback) return;
  const double p = static_cast<double>(period);
  double total[W] = {}, squares[W] = {};
  for (size_t t = 0; t < lookback; t++) {
    const double* in = x + t * stride;
    for (size_t b = 0; b < W; b++) {
      total[b] += in[b];
      squares[b] += in[b] * in[b];
    }
  }
  for (size_t t = lookback; t < n; t++) {
    const double* in = x + t * stride;
    const double* old = x + (t - lookback) * stride;
    const size_t row = t * stride;
    for (size_t b = 0; b < W; b++) {
      total[b] += in[b];
      const double mid = total[b] / p;
      total[b] -= old[b];
      squares[b] += in[b] * in[b];
      double mean2 = squares[b] / p;
      squares[b] -= old[b] * old[b];
      mean2 -= mid * mid;
      const double dev = !(mean2 < 1e-14) ? std::sqrt(mean2) : 0;
      middle[row + b] = mid;
      upper[row + b] = mid + dev * nbDevUp;
      lower[row + b] = mid - dev * nbDevDn;
    }
  }
}

// atr(): series::atr of a period of 2 or more.
void atr(const double* high, const double* low, const double* close, size_t stride, size_t n, size_t period, double* out) {
  if (n <= period) return fillRows(out, stride, n);
  fillRows(out, stride, period);
  const double p = static_cast<double>(period), p1 = static_cast<double>(period - 1);
  auto trueRange = [&](size_t t, size_t b) {
    const size_t i = t * stride + b;
    const double h = high[i], l = low[i], before = close[i - stride];
    double greatest = h - l;
    const double up = std::fabs(before - h);
    greatest = up > greatest ? up : greatest;
    const double down = std::fabs(before - l);
    return down > greatest ? down : greatest;
  };
  double average[W] = {};
  for (size_t t = 1; t <= period; t++)
    for (size_t b = 0; b < W; b++) average[b] += trueRange(t, b);
  for (size_t b = 0; b < W; b++) out[period * stride + b] = average[b] /= p;
  for (size_t t = period + 1; t < n; t++) {
    double* o = out + t * stride;
    for (size_t b = 0; b < W; b++) {
      average[b] *= p1;
      average[b] += trueRange(t, b);
      average[b] /= p;
      o[b] = average[b];
    }
  }
}

}  // namespace kernelbus::indicators::lanes
