// TA-Lib's moving averages on one series (src/backends/reference/indicators/averages.ts).
#include <cmath>
#include <cstring>
#include <vector>

#include "chains.hpp"
#include "columns.hpp"
#include "series.hpp"

namespace kernelbus::indicators::series {

namespace {

// The EMAs' chains.hpp recurrences: a bar repeats the one before where its value does; its one
// output copied.
auto repeatsOf(const double* x) {
  return [x](size_t t) { return chains::same(x[t], x[t - 1]); };
}
auto copyOf(double* out) {
  return [out](size_t t) { out[t] = out[t - 1]; };
}

}  // namespace

// sma(): TA_SMA, a running sum of `period` values; lookback period - 1.
void sma(const double* x, size_t n, size_t period, double* out) {
  const size_t lookback = period - 1;
  if (n <= lookback) return fillNaN(out, 0, n);
  fillNaN(out, 0, lookback);
  const double p = static_cast<double>(period);
  double total = 0;
  size_t i = 0;
  while (i < lookback) total += x[i++];
  size_t trailing = 0;
  do {
    total += x[i++];
    const double value = total;
    total -= x[trailing++];
    out[i - 1] = value / p;
  } while (i < n);
}

// emaFrom(): TA_INT_EMA from `first` (>= period - 1) on, seeded by the SMA of the values ending there;
// its recurrence in chains (chains.hpp).
void emaFrom(const double* x, size_t n, size_t period, double k, size_t first, double* out) {
  size_t today = first - (period - 1);
  double sum = 0;
  for (size_t i = period; i-- > 0;) sum += x[today++];
  const double e = sum / static_cast<double>(period);
  out[first] = e;
  chains::run<4>(chains::recurrence([&](chains::State<1>& s, size_t t) { out[t] = s[0] = (x[t] - s[0]) * k + s[0]; },
                                    [&](size_t t) { return chains::State<1>{x[t - 1]}; }, repeatsOf(x), copyOf(out)),
                 chains::State<1>{e}, today, n, chains::warmSteps(1 - k));
}

// ema(): TA_EMA.
void ema(const double* x, size_t n, size_t period, double* out) {
  const size_t lookback = period - 1;
  if (n <= lookback) return fillNaN(out, 0, n);
  fillNaN(out, 0, lookback);
  emaFrom(x, n, period, perToK(period), lookback, out);
}

// wma(): TA_WMA.
void wma(const double* x, size_t n, size_t period, double* out) {
  const size_t lookback = period - 1;
  if (n <= lookback) return fillNaN(out, 0, n);
  fillNaN(out, 0, lookback);
  const double p = static_cast<double>(period);
  const double divider = static_cast<double>((period * (period + 1)) >> 1);
  double sum = 0, sub = 0;
  size_t i = 0;
  for (size_t w = 1; i < lookback; w++) {
    const double value = x[i++];
    sub += value;
    sum += value * static_cast<double>(w);
  }
  double trailingValue = 0;
  size_t trailing = 0;
  while (i < n) {
    const double value = x[i++];
    sub += value;
    sub -= trailingValue;
    sum += value * p;
    trailingValue = x[trailing++];
    out[i - 1] = sum / divider;
    sum -= sub;
  }
}

// dema(): TA_DEMA in one pass: the EMA of x (from period - 1) and the EMA of that EMA (from the
// lookback, seeded by the mean of the first's values there), as TA-Lib's two passes compute them.
void dema(const double* x, size_t n, size_t period, double* out) {
  const size_t lookback = 2 * (period - 1);
  if (n <= lookback) return fillNaN(out, 0, n);
  fillNaN(out, 0, lookback);
  const double k = perToK(period), p = static_cast<double>(period);
  double e1 = 0, sum2 = 0;
  for (size_t t = 0; t < period; t++) e1 += x[t];
  e1 /= p;
  sum2 += e1;
  for (size_t t = period; t <= lookback; t++) sum2 += e1 = (x[t] - e1) * k + e1;
  const double e2 = sum2 / p;
  out[lookback] = 2 * e1 - e2;
  chains::run<4>(chains::recurrence(
                     [&](chains::State<2>& s, size_t t) {
                       s[0] = (x[t] - s[0]) * k + s[0];
                       s[1] = (s[0] - s[1]) * k + s[1];
                       out[t] = 2 * s[0] - s[1];
                     },
                     [&](size_t t) {
                       return chains::State<2>{x[t - 1], x[t - 1]};
                     },
                     repeatsOf(x), copyOf(out)),
                 chains::State<2>{e1, e2}, lookback + 1, n, chains::warmSteps(1 - k));
}

// tema(): TA_TEMA in one pass: the EMAs of x, of that EMA and of the second, each seeded by the mean
// of its input's first period values, as TA-Lib's three passes compute them.
void tema(const double* x, size_t n, size_t period, double* out) {
  const size_t lookback = 3 * (period - 1);
  if (n <= lookback) return fillNaN(out, 0, n);
  fillNaN(out, 0, lookback);
  const double k = perToK(period), p = static_cast<double>(period);
  double e1 = 0, sum2 = 0, sum3 = 0;
  for (size_t t = 0; t < period; t++) e1 += x[t];
  e1 /= p;
  sum2 += e1;
  for (size_t t = period; t <= 2 * (period - 1); t++) sum2 += e1 = (x[t] - e1) * k + e1;
  double e2 = sum2 / p;
  sum3 += e2;
  for (size_t t = 2 * (period - 1) + 1; t <= lookback; t++) {
    e1 = (x[t] - e1) * k + e1;
    sum3 += e2 = (e1 - e2) * k + e2;
  }
  const double e3 = sum3 / p;
  out[lookback] = e3 + (3 * e1 - 3 * e2);
  chains::run<4>(chains::recurrence(
                     [&](chains::State<3>& s, size_t t) {
                       s[0] = (x[t] - s[0]) * k + s[0];
                       s[1] = (s[0] - s[1]) * k + s[1];
                       s[2] = (s[1] - s[2]) * k + s[2];
                       out[t] = s[2] + (3 * s[0] - 3 * s[1]);
                     },
                     [&](size_t t) {
                       return chains::State<3>{x[t - 1], x[t - 1], x[t - 1]};
                     },
                     repeatsOf(x), copyOf(out)),
                 chains::State<3>{e1, e2, e3}, lookback + 1, n, chains::warmSteps(1 - k));
}

// trima(): TA_TRIMA, odd and even periods in their orders.
void trima(const double* x, size_t n, size_t period, double* out) {
  const size_t lookback = period - 1;
  if (n <= lookback) return fillNaN(out, 0, n);
  fillNaN(out, 0, lookback);
  const bool odd = period % 2 == 1;
  const size_t half = period >> 1;
  const double factor = 1 / static_cast<double>(odd ? (half + 1) * (half + 1) : half * (half + 1));
  size_t trailing = 0;
  size_t middle = odd ? half : half - 1;
  size_t today = middle + half;
  double numerator = 0, numeratorSub = 0;
  for (size_t i = middle + 1; i-- > trailing;) {
    numeratorSub += x[i];
    numerator += numeratorSub;
  }
  double numeratorAdd = 0;
  middle++;
  for (size_t i = middle; i <= today; i++) {
    numeratorAdd += x[i];
    numerator += numeratorAdd;
  }
  double value = x[trailing++];
  out[lookback] = numerator * factor;
  today++;
  while (today < n) {
    numerator -= numeratorSub;
    numeratorSub -= value;
    value = x[middle++];
    numeratorSub += value;
    if (odd) {
      numerator += numeratorAdd;
      numeratorAdd -= value;
    } else {
      numeratorAdd -= value;
      numerator += numeratorAdd;
    }
    value = x[today++];
    numeratorAdd += value;
    numerator += value;
    value = x[trailing++];
    out[today - 1] = numerator * factor;
  }
}

// kama(): TA_KAMA.
void kama(const double* x, size_t n, size_t period, double* out) {
  if (n <= period) return fillNaN(out, 0, n);
  fillNaN(out, 0, period);
  const double constMax = 2.0 / (30.0 + 1.0);
  const double constDiff = 2.0 / (2.0 + 1.0) - constMax;
  auto smoothing = [&](double sum, double roc) {
    const double ratio = sum <= roc || isZero(sum) ? 1.0 : std::fabs(roc / sum);
    const double s = ratio * constDiff + constMax;
    return s * s;
  };
  double sum = 0;
  size_t today = 0, trailing = 0;
  for (size_t i = period; i-- > 0;) {
    double move = x[today++];
    move -= x[today];
    sum += std::fabs(move);
  }
  double average = x[today - 1];
  double trailingValue = x[trailing++];
  double s = smoothing(sum, x[today] - trailingValue);
  average = (x[today++] - average) * s + average;
  out[period] = average;
  while (today < n) {
    const double value = x[today];
    const double old = x[trailing++];
    const double roc = value - old;
    sum -= std::fabs(trailingValue - old);
    sum += std::fabs(value - x[today - 1]);
    trailingValue = old;
    s = smoothing(sum, roc);
    average = (x[today++] - average) * s + average;
    out[today - 1] = average;
  }
}

// maLookback(): TA_MA_Lookback by TA_MAType's number; 0 for a period of 1.
size_t maLookback(int type, size_t period) {
  if (period <= 1) return 0;
  if (type == 3) return 2 * (period - 1);  // DEMA
  if (type == 4) return 3 * (period - 1);  // TEMA
  if (type == 6) return period;            // KAMA
  return period - 1;
}

// maOf(): TA_MA by TA_MAType's number, a period of 1 a copy.
void maOf(int type, const double* x, size_t n, size_t period, double* out) {
  if (period == 1) {
    if (n > 0) std::memmove(out, x, n * sizeof(double));
    return;
  }
  switch (type) {
    case 1:
      return ema(x, n, period, out);
    case 2:
      return wma(x, n, period, out);
    case 3:
      return dema(x, n, period, out);
    case 4:
      return tema(x, n, period, out);
    case 5:
      return trima(x, n, period, out);
    case 6:
      return kama(x, n, period, out);
    default:
      return sma(x, n, period, out);
  }
}

}  // namespace kernelbus::indicators::series
