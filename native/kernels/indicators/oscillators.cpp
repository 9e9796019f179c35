// TA-Lib's oscillators over the range of the last bars on one series
// (src/backends/reference/indicators/oscillators.ts).
#include <vector>

#include "columns.hpp"
#include "series.hpp"

namespace kernelbus::indicators::series {

namespace {

// extremes(): TA-Lib's tracking of the lowest low and highest high (STOCH, STOCHF, WILLR).
template <typename Each>
void extremes(const double* high, const double* low, size_t n, size_t period, double divisor, Each&& each) {
  long lowestIdx = -1, highestIdx = -1;
  double lowest = 0, highest = 0, diff = 0;
  for (size_t today = period - 1, trailing = 0; today < n; today++, trailing++) {
    const long t = static_cast<long>(today), tr = static_cast<long>(trailing);
    double tmp = low[today];
    if (lowestIdx < tr) {
      lowestIdx = tr;
      lowest = low[lowestIdx];
      for (long i = lowestIdx + 1; i <= t; i++) {
        tmp = low[i];
        if (tmp < lowest) {
          lowestIdx = i;
          lowest = tmp;
        }
      }
      diff = (highest - lowest) / divisor;
    } else if (tmp <= lowest) {
      lowestIdx = t;
      lowest = tmp;
      diff = (highest - lowest) / divisor;
    }
    tmp = high[today];
    if (highestIdx < tr) {
      highestIdx = tr;
      highest = high[highestIdx];
      for (long i = highestIdx + 1; i <= t; i++) {
        tmp = high[i];
        if (tmp > highest) {
          highestIdx = i;
          highest = tmp;
        }
      }
      diff = (highest - lowest) / divisor;
    } else if (tmp >= highest) {
      highestIdx = t;
      highest = tmp;
      diff = (highest - lowest) / divisor;
    }
    each(today, lowest, highest, diff);
  }
}

// fastKInto()
void fastKInto(const double* high, const double* low, const double* close, size_t n, size_t fastK, double* out) {
  extremes(high, low, n, fastK, 100.0,
           [&](size_t today, double lowest, double, double diff) { out[today] = diff != 0.0 ? (close[today] - lowest) / diff : 0.0; });
}

}  // namespace

// stoch(): TA_STOCH, its MAs by TA_MAType's number.
void stoch(const double* high, const double* low, const double* close, size_t n, size_t fastK, size_t slowK, int slowKType, size_t slowD,
           int slowDType, double* outK, double* outD) {
  const size_t lookbackK = fastK - 1;
  const size_t slowFrom = lookbackK + maLookback(slowKType, slowK);  // the first slow %K
  const size_t lookback = slowFrom + maLookback(slowDType, slowD);
  if (n <= lookback) {
    fillNaN(outK, 0, n);
    fillNaN(outD, 0, n);
    return;
  }
  const auto raw = scratch(n);
  fastKInto(high, low, close, n, fastK, raw.get());
  maOf(slowKType, raw.get() + lookbackK, n - lookbackK, slowK, outK + lookbackK);
  maOf(slowDType, outK + slowFrom, n - slowFrom, slowD, outD + slowFrom);
  fillNaN(outK, 0, lookback);
  fillNaN(outD, 0, slowFrom);
}

// stochf(): TA_STOCHF, its MA by TA_MAType's number.
void stochf(const double* high, const double* low, const double* close, size_t n, size_t fastK, size_t fastD, int fastDType, double* outK,
            double* outD) {
  const size_t lookbackK = fastK - 1;
  const size_t lookback = lookbackK + maLookback(fastDType, fastD);
  if (n <= lookback) {
    fillNaN(outK, 0, n);
    fillNaN(outD, 0, n);
    return;
  }
  fastKInto(high, low, close, n, fastK, outK);
  maOf(fastDType, outK + lookbackK, n - lookbackK, fastD, outD + lookbackK);
  fillNaN(outK, 0, lookback);
  fillNaN(outD, 0, lookbackK);
}

// stochRsi(): TA_STOCHRSI, STOCHF of the RSI.
void stochRsi(const double* x, size_t n, size_t period, size_t fastK, size_t fastD, int fastDType, double* outK, double* outD) {
  if (n <= period) {
    fillNaN(outK, 0, n);
    fillNaN(outD, 0, n);
    return;
  }
  const auto r = scratch(n);
  rsi(x, n, period, r.get());
  const double* from = r.get() + period;
  stochf(from, from, from, n - period, fastK, fastD, fastDType, outK + period, outD + period);
  fillNaN(outK, 0, period);
  fillNaN(outD, 0, period);
}

// willr(): TA_WILLR.
void willr(const double* high, const double* low, const double* close, size_t n, size_t period, double* out) {
  if (n <= period - 1) return fillNaN(out, 0, n);
  fillNaN(out, 0, period - 1);
  extremes(high, low, n, period, -100.0,
           [&](size_t today, double, double highest, double diff) { out[today] = diff != 0.0 ? (highest - close[today]) / diff : 0.0; });
}

}  // namespace kernelbus::indicators::series
