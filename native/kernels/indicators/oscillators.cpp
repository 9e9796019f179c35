// TA-Lib's oscillators over the range of the last bars on one series
// (src/backends/reference/indicators/oscillators.ts).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "columns.hpp"
#include "series.hpp"
#include "simd.hpp"

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

// plainValues(): no NaN and no -0.0 among x[0, n): then a window's lowest and highest are its minimum
// and maximum whatever order they are taken in (TA-Lib's tracking keeps one of equal values; without
// -0.0, equal values are the same bits).
KERNELBUS_VECTOR_BODY bool plainValues(const double* __restrict x, size_t n) {
  int64_t odd = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t bits;
    std::memcpy(&bits, &x[i], sizeof bits);
    odd |= (bits == INT64_MIN) | ((bits & INT64_MAX) > 0x7ff0000000000000LL);
  }
  return odd == 0;
}

// One doubling level: lw[i], hw[i] the extremes of l, h over [i, i + 2w) from those over [i, i + w).
KERNELBUS_VECTOR_BODY void doubleLevel(const double* __restrict l, const double* __restrict h, size_t m, size_t w, double* __restrict lw,
                                       double* __restrict hw) {
  for (size_t i = 0; i < m; i++) {
    lw[i] = std::min(l[i], l[i + w]);
    hw[i] = std::max(h[i], h[i + w]);
  }
}

// The outputs of `count` windows from the widest level (two runs, `shift` apart, cover a window), by
// fastK's or willr's formula: as extremes() and its callers compute them, the division taken whatever
// diff is (by 1 when it is 0: the output is 0 then) so that the loop has no branch.
KERNELBUS_VECTOR_BODY void windowValues(const double* __restrict l, const double* __restrict h, const double* __restrict close,
                                        size_t count, size_t shift, double divisor, bool fromHigh, double* __restrict out) {
  for (size_t j = 0; j < count; j++) {
    const double lowest = std::min(l[j], l[j + shift]), highest = std::max(h[j], h[j + shift]);
    const double diff = (highest - lowest) / divisor;
    const double q = (fromHigh ? highest - close[j] : close[j] - lowest) / (diff != 0.0 ? diff : 1.0);
    out[j] = diff != 0.0 ? q : 0.0;
  }
}

// fastK (from the lowest: (close - lowest) / diff, diff = (highest - lowest) / 100) or willr (from the
// highest: (highest - close) / diff, diff over -100) of each window of `period` into out[period - 1, n).
// Plain values (plainValues(), checked a chunk at a time, while they are in the cache) take doubling
// levels over chunks of windows (level w holds the extremes of the w values from each position), in
// vectorized passes that stay in the cache; at a chunk that is not plain, TA-Lib's tracking
// (extremes()) computes every output again. The same bits either way.
void rangeOscillator(const double* high, const double* low, const double* close, size_t n, size_t period, bool fromHigh, double* out) {
  const double divisor = fromHigh ? -100.0 : 100.0;
  constexpr size_t kChunk = 2048;  // windows a chunk
  const size_t room = kChunk + period;
  std::vector<double> buffers(4 * room);
  for (size_t t0 = period - 1; t0 < n; t0 += kChunk) {
    const size_t t1 = std::min(n, t0 + kChunk), from = t0 + 1 - period, len = t1 - from;  // the chunk's values [from, t1)
    const double* l = low + from;
    const double* h = high + from;
    if (!simd::run<plainValues>(h, len) || !simd::run<plainValues>(l, len)) {
      extremes(high, low, n, period, divisor, [&](size_t today, double lowest, double highest, double diff) {
        out[today] = diff != 0.0 ? (fromHigh ? highest - close[today] : close[today] - lowest) / diff : 0.0;
      });
      return;
    }
    size_t w = 1;
    for (size_t at = 0; 2 * w <= period; w *= 2, at ^= 1) {
      double* lw = buffers.data() + at * 2 * room;
      simd::run<doubleLevel>(l, h, len + 1 - 2 * w, w, lw, lw + room);
      l = lw;
      h = lw + room;
    }
    simd::run<windowValues>(l, h, close + t0, t1 - t0, period - w, divisor, fromHigh, out + t0);
  }
}

// fastKInto()
void fastKInto(const double* high, const double* low, const double* close, size_t n, size_t fastK, double* out) {
  rangeOscillator(high, low, close, n, fastK, false, out);
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
  fastKInto(high, low, close, n, fastK, outD);  // the raw %K in outD until the slow %D replaces it
  maOf(slowKType, outD + lookbackK, n - lookbackK, slowK, outK + lookbackK);
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
  rangeOscillator(high, low, close, n, period, true, out);
}

}  // namespace kernelbus::indicators::series
