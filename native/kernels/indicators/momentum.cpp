// TA-Lib's RSI, MACD and STOCH on one series (src/backends/reference/indicators/momentum.ts).
#include <algorithm>
#include <vector>

#include "columns.hpp"
#include "series.hpp"

namespace kernelbus::indicators::series {

// rsi(): TA_RSI, Wilder's averages of gains and losses seeded by their means.
void rsi(const double* x, size_t n, size_t period, double* out) {
  if (n <= period) return fillNaN(out, 0, n);
  fillNaN(out, 0, period);
  const double p = static_cast<double>(period), p1 = static_cast<double>(period - 1);
  size_t today = 0;
  double prev = x[today++];
  double gain = 0, loss = 0;
  for (size_t i = period; i > 0; i--) {
    const double value = x[today++];
    const double move = value - prev;
    prev = value;
    if (move < 0)
      loss -= move;
    else
      gain += move;
  }
  loss /= p;
  gain /= p;
  double sum = gain + loss;
  out[period] = !isZero(sum) ? 100 * (gain / sum) : 0;
  while (today < n) {
    const double value = x[today];
    const double move = value - prev;
    prev = value;
    loss *= p1;
    gain *= p1;
    if (move < 0)
      loss -= move;
    else
      gain += move;
    loss /= p;
    gain /= p;
    sum = gain + loss;
    out[today++] = !isZero(sum) ? 100 * (gain / sum) : 0;
  }
}

// macd(): TA_MACD, both EMAs from slowPeriod - 1, the signal the EMA of their difference.
void macd(const double* x, size_t n, size_t fastPeriod, size_t slowPeriod, size_t signalPeriod, double* line, double* signal,
          double* hist) {
  const size_t fast = slowPeriod < fastPeriod ? slowPeriod : fastPeriod;
  const size_t slow = slowPeriod < fastPeriod ? fastPeriod : slowPeriod;
  const size_t start = slow - 1;
  const size_t lookback = start + signalPeriod - 1;
  if (n <= lookback) {
    for (double* o : {line, signal, hist}) fillNaN(o, 0, n);
    return;
  }
  emaFrom(x, n, slow, perToK(slow), start, hist);  // the slow EMA, in hist for now
  emaFrom(x, n, fast, perToK(fast), start, line);
  for (size_t t = start; t < n; t++) line[t] = line[t] - hist[t];
  emaFrom(line, n, signalPeriod, perToK(signalPeriod), lookback, signal);
  for (size_t t = lookback; t < n; t++) hist[t] = line[t] - signal[t];
  for (double* o : {line, signal, hist}) fillNaN(o, 0, lookback);
}

// stoch(): TA_STOCH with SMAs: fast %K, slow %K its MA, %D the MA of slow %K.
void stoch(const double* high, const double* low, const double* close, size_t n, size_t fastK, size_t slowK, size_t slowD, double* outK,
           double* outD) {
  const size_t lookbackK = fastK - 1;
  const size_t lookback = lookbackK + (slowK - 1) + (slowD - 1);
  if (n <= lookback) {
    fillNaN(outK, 0, n);
    fillNaN(outD, 0, n);
    return;
  }
  std::vector<double> raw(n - lookbackK);
  long lowestIdx = -1, highestIdx = -1;
  double lowest = 0, highest = 0, diff = 0;
  size_t k = 0;
  for (size_t today = lookbackK, trailing = 0; today < n; today++, trailing++) {
    double tmp = low[today];
    if (lowestIdx < static_cast<long>(trailing)) {
      lowestIdx = static_cast<long>(trailing);
      lowest = low[lowestIdx];
      for (size_t i = trailing + 1; i <= today; i++) {
        tmp = low[i];
        if (tmp < lowest) {
          lowestIdx = static_cast<long>(i);
          lowest = tmp;
        }
      }
      diff = (highest - lowest) / 100.0;
    } else if (tmp <= lowest) {
      lowestIdx = static_cast<long>(today);
      lowest = tmp;
      diff = (highest - lowest) / 100.0;
    }
    tmp = high[today];
    if (highestIdx < static_cast<long>(trailing)) {
      highestIdx = static_cast<long>(trailing);
      highest = high[highestIdx];
      for (size_t i = trailing + 1; i <= today; i++) {
        tmp = high[i];
        if (tmp > highest) {
          highestIdx = static_cast<long>(i);
          highest = tmp;
        }
      }
      diff = (highest - lowest) / 100.0;
    } else if (tmp >= highest) {
      highestIdx = static_cast<long>(today);
      highest = tmp;
      diff = (highest - lowest) / 100.0;
    }
    raw[k++] = diff != 0.0 ? (close[today] - lowest) / diff : 0.0;
  }
  const size_t slowFrom = lookbackK + slowK - 1;  // the first slow %K
  ma(raw.data(), raw.size(), slowK, outK + lookbackK);
  ma(outK + slowFrom, n - slowFrom, slowD, outD + slowFrom);
  fillNaN(outK, 0, lookback);
  fillNaN(outD, 0, slowFrom);
}

}  // namespace kernelbus::indicators::series
