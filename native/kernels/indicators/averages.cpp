// TA-Lib's moving averages on one series (src/backends/reference/indicators/averages.ts).
#include <cstring>

#include "columns.hpp"
#include "series.hpp"

namespace kernelbus::indicators::series {

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

// ma(): TA_MA with its SMA, a period of 1 a copy.
void ma(const double* x, size_t n, size_t period, double* out) {
  if (period == 1) {
    if (n > 0) std::memmove(out, x, n * sizeof(double));
  } else {
    sma(x, n, period, out);
  }
}

// emaFrom(): TA_INT_EMA from `first` (>= period - 1) on, seeded by the SMA of the values ending there.
void emaFrom(const double* x, size_t n, size_t period, double k, size_t first, double* out) {
  size_t today = first - (period - 1);
  double sum = 0;
  for (size_t i = period; i-- > 0;) sum += x[today++];
  double e = sum / static_cast<double>(period);
  out[first] = e;
  while (today < n) {
    e = (x[today] - e) * k + e;
    out[today++] = e;
  }
}

// ema(): TA_EMA.
void ema(const double* x, size_t n, size_t period, double* out) {
  const size_t lookback = period - 1;
  if (n <= lookback) return fillNaN(out, 0, n);
  fillNaN(out, 0, lookback);
  emaFrom(x, n, period, perToK(period), lookback, out);
}

}  // namespace kernelbus::indicators::series
