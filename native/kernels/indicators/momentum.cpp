// TA-Lib's RSI, MACD, MOM, ROC, CCI, AROON, AROONOSC and ULTOSC on one series
// (src/backends/reference/indicators/momentum.ts).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <vector>

#include "chains.hpp"
#include "columns.hpp"
#include "series.hpp"
#include "simd.hpp"

namespace kernelbus::indicators::series {

namespace {

#if defined(__GNUC__)
// RSI's chains (chains.hpp): 8, in two vectors of 4 (whose comparisons stay vector ones under AVX2),
// so that the 3 divisions a bar (the averages by the period, the gains by their sum) keep the
// divider busy (the one chain waits on them).
constexpr size_t kRsiChains = 8;

// rsiLockstep(): rsi()'s step on bars at[j] + i of chain j, i in [from, to), the averages gains[j]
// and losses[j] updated; a lane's select a mask (+0 where not taken, as the scalar step).
KERNELBUS_VECTOR_BODY void rsiLockstep(const double* x, double* out, const size_t* at, size_t from, size_t to, double p, double p1,
                                       double* gains, double* losses) {
  using chains::D4, chains::L4;
  D4 g[2], l[2];
  std::memcpy(g, gains, sizeof g);
  std::memcpy(l, losses, sizeof l);
  for (size_t i = from; i < to; i++) {
    for (size_t h = 0; h < 2; h++) {
      const D4 move = chains::gather(x, at + 4 * h, i) - chains::gather(x, at + 4 * h, i - 1);
      const L4 down = move < 0;
      g[h] *= p1;
      l[h] *= p1;
      l[h] -= (D4)(down & (L4)move);
      g[h] += (D4)(~down & (L4)move);
      l[h] /= p;
      g[h] /= p;
      const D4 total = g[h] + l[h];
      chains::scatter(out, at + 4 * h, i, (D4)(~chains::isZero(total) & (L4)(100 * (g[h] / total))));
    }
  }
  std::memcpy(gains, g, sizeof g);
  std::memcpy(losses, l, sizeof l);
}
#endif

// rocBody(): ROC's (now / before - 1) * 100 of m bars, 0 where before is 0 (a select: every
// quotient computed, the ones by 0 dropped).
KERNELBUS_VECTOR_BODY void rocBody(const double* now, const double* before, size_t m, double* out) {
  for (size_t i = 0; i < m; i++) {
    const double q = (now[i] / before[i] - 1) * 100;
    out[i] = before[i] != 0 ? q : 0;
  }
}

}  // namespace

// rsi(): TA_RSI, Wilder's averages of gains and losses seeded by their means, in chains (chains.hpp).
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
  const double sum = gain + loss;
  out[period] = !isZero(sum) ? 100 * (gain / sum) : 0;
  // the state: the averages of the gains and of the losses (a chain's guess: none; the move of bar t
  // reads the input only)
  auto step = [&](chains::State<2>& s, size_t t) {
    const double move = x[t] - x[t - 1];
    double g = s[0] * p1, l = s[1] * p1;
    if (move < 0)
      l -= move;
    else
      g += move;
    s[1] = l /= p;
    s[0] = g /= p;
    const double total = g + l;
    out[t] = !isZero(total) ? 100 * (g / total) : 0;
  };
  const auto r = chains::recurrence(
      step,
      [](size_t) {
        return chains::State<2>{0, 0};
      },
      [&](size_t t) { return chains::same(x[t], x[t - 1]) && chains::same(x[t - 1], x[t - 2]); }, [&](size_t t) { out[t] = out[t - 1]; });
  const chains::State<2> exact{gain, loss};
#if defined(__GNUC__)
  chains::run<kRsiChains>(
      r, exact, today, n, chains::warmSteps(p1 / p),
      [&](std::array<chains::State<2>, kRsiChains>& s, const std::array<size_t, kRsiChains>& at, size_t from, size_t to) {
        double g[kRsiChains], l[kRsiChains];
        for (size_t j = 0; j < kRsiChains; j++) g[j] = s[j][0], l[j] = s[j][1];
        simd::run<rsiLockstep>(x, out, at.data(), from, to, p, p1, g, l);
        for (size_t j = 0; j < kRsiChains; j++) s[j] = {g[j], l[j]};
      });
#else
  chains::run<4>(r, exact, today, n, chains::warmSteps(p1 / p));
#endif
}

// macd(): TA_MACD, both EMAs from slowPeriod - 1, the signal the EMA of their difference. One pass
// over the bars for all three (TA-Lib makes three and two more for the differences): the EMAs'
// recurrences are independent chains that overlap, each value computed by TA-Lib's operations.
void macd(const double* x, size_t n, size_t fastPeriod, size_t slowPeriod, size_t signalPeriod, double* line, double* signal,
          double* hist) {
  const size_t fast = slowPeriod < fastPeriod ? slowPeriod : fastPeriod;
  const size_t slow = slowPeriod < fastPeriod ? fastPeriod : slowPeriod;
  const size_t start = slow - 1;
  const size_t lookback = start + signalPeriod - 1;
  for (double* o : {line, signal, hist}) fillNaN(o, 0, n <= lookback ? n : lookback);
  if (n <= lookback) return;
  const double kSlow = perToK(slow), kFast = perToK(fast), kSignal = perToK(signalPeriod);
  // the seeds: the means of the slow and fast periods ending at `start` (emaFrom's sums)
  double sumSlow = 0, sumFast = 0;
  for (size_t t = 0; t <= start; t++) sumSlow += x[t];
  for (size_t t = start + 1 - fast; t <= start; t++) sumFast += x[t];
  double eSlow = sumSlow / static_cast<double>(slow), eFast = sumFast / static_cast<double>(fast);
  // the signal's seed: the mean of the MACD over its first signalPeriod bars
  double sumLine = 0;  // TA-Lib's sums start from 0 (so a first -0 adds up to +0)
  sumLine += eFast - eSlow;
  for (size_t t = start + 1; t <= lookback; t++) {
    eSlow = (x[t] - eSlow) * kSlow + eSlow;
    eFast = (x[t] - eFast) * kFast + eFast;
    sumLine += eFast - eSlow;
  }
  double s = sumLine / static_cast<double>(signalPeriod);
  double m = eFast - eSlow;
  line[lookback] = m;
  signal[lookback] = s;
  hist[lookback] = m - s;
  for (size_t t = lookback + 1; t < n; t++) {
    eSlow = (x[t] - eSlow) * kSlow + eSlow;
    eFast = (x[t] - eFast) * kFast + eFast;
    m = eFast - eSlow;
    s = (m - s) * kSignal + s;
    line[t] = m;
    signal[t] = s;
    hist[t] = m - s;
  }
}

// mom(): TA_MOM.
void mom(const double* x, size_t n, size_t period, double* out) {
  fillNaN(out, 0, std::min(period, n));
  for (size_t t = period; t < n; t++) out[t] = x[t] - x[t - period];
}

// roc(): TA_ROC, its loop vectorized.
void roc(const double* x, size_t n, size_t period, double* out) {
  fillNaN(out, 0, std::min(period, n));
  if (n > period) simd::run<rocBody>(x + period, x, n - period, out + period);
}

// cci(): TA_CCI over TA-Lib's circular buffer, two bars a loop: bar i + 1's buffer is bar i's with
// one slot replaced, and the two bars' sums (each in TA-Lib's order, the buffer's) run side by side.
void cci(const double* high, const double* low, const double* close, size_t n, size_t period, double* out) {
  const size_t lookback = period - 1;
  if (n <= lookback) return fillNaN(out, 0, n);
  fillNaN(out, 0, lookback);
  const double p = static_cast<double>(period);
  std::vector<double> ring(period);
  auto after = [&](size_t at) { return at + 1 > period - 1 ? 0 : at + 1; };
  auto typical = [&](size_t t) { return (high[t] + low[t] + close[t]) / 3; };
  auto emit = [&](size_t t, double last, double average, double deviation) {
    const double distance = last - average;
    out[t] = distance != 0 && deviation != 0 ? distance / (0.015 * (deviation / p)) : 0;
  };
  size_t i = 0, at = 0;
  for (; i < lookback; i++, at = after(at)) ring[at] = typical(i);
  for (; i < n; i += 2) {
    const double last0 = typical(i);
    ring[at] = last0;
    const size_t at1 = after(at);
    const bool pair = i + 1 < n;
    const double last1 = pair ? typical(i + 1) : ring[at1];  // a last bar alone: its twin sums its buffer
    double average0 = 0, average1 = 0;
    for (size_t j = 0; j < period; j++) {
      average0 += ring[j];
      average1 += j == at1 ? last1 : ring[j];
    }
    average0 /= p;
    average1 /= p;
    double deviation0 = 0, deviation1 = 0;
    for (size_t j = 0; j < period; j++) {
      deviation0 += std::fabs(ring[j] - average0);
      deviation1 += std::fabs((j == at1 ? last1 : ring[j]) - average1);
    }
    emit(i, last0, average0, deviation0);
    if (pair) emit(i + 1, last1, average1, deviation1);
    ring[at1] = last1;
    at = after(at1);
  }
}

namespace {

// aroonExtremes(): TA-Lib's AROON tracking, ties to the latest bar.
template <typename Each>
void aroonExtremes(const double* high, const double* low, size_t n, size_t period, Each&& each) {
  long lowestIdx = -1, highestIdx = -1;
  double lowest = 0, highest = 0;
  for (size_t today = period, trailing = 0; today < n; today++, trailing++) {
    const long t = static_cast<long>(today), tr = static_cast<long>(trailing);
    double tmp = low[today];
    if (lowestIdx < tr) {
      lowestIdx = tr;
      lowest = low[lowestIdx];
      for (long i = lowestIdx + 1; i <= t; i++) {
        tmp = low[i];
        if (tmp <= lowest) {
          lowestIdx = i;
          lowest = tmp;
        }
      }
    } else if (tmp <= lowest) {
      lowestIdx = t;
      lowest = tmp;
    }
    tmp = high[today];
    if (highestIdx < tr) {
      highestIdx = tr;
      highest = high[highestIdx];
      for (long i = highestIdx + 1; i <= t; i++) {
        tmp = high[i];
        if (tmp >= highest) {
          highestIdx = i;
          highest = tmp;
        }
      }
    } else if (tmp >= highest) {
      highestIdx = t;
      highest = tmp;
    }
    each(t, lowestIdx, highestIdx);
  }
}

}  // namespace

// aroon(): TA_AROON.
void aroon(const double* high, const double* low, size_t n, size_t period, double* down, double* up) {
  fillNaN(down, 0, std::min(period, n));
  fillNaN(up, 0, std::min(period, n));
  const double factor = 100.0 / static_cast<double>(period);
  const long p = static_cast<long>(period);
  aroonExtremes(high, low, n, period, [&](long today, long lowestIdx, long highestIdx) {
    up[today] = factor * static_cast<double>(p - (today - highestIdx));
    down[today] = factor * static_cast<double>(p - (today - lowestIdx));
  });
}

// aroonOsc(): TA_AROONOSC.
void aroonOsc(const double* high, const double* low, size_t n, size_t period, double* out) {
  fillNaN(out, 0, std::min(period, n));
  const double factor = 100.0 / static_cast<double>(period);
  aroonExtremes(high, low, n, period,
                [&](long today, long lowestIdx, long highestIdx) { out[today] = factor * static_cast<double>(highestIdx - lowestIdx); });
}

namespace {

/// ULTOSC's buying pressure of bar t >= 1: the close less the true low (the lower of the low and the previous close).
inline double buying(const double* low, const double* close, size_t t) {
  const double trueLow = low[t] < close[t - 1] ? low[t] : close[t - 1];
  return close[t] - trueLow;
}

/// Bars a block of ultosc() at least: its terms and outputs stay in L1/L2 between its passes.
constexpr size_t kUltoscBlock = 1024;

#if defined(__GNUC__)
// ultoscTerms(): bars [from, to)'s buying pressure into bp[t - from] and true range into tr[t - from] (vectorized).
KERNELBUS_VECTOR_BODY void ultoscTerms(const double* high, const double* low, const double* close, double* bp, double* tr, size_t from,
                                       size_t to) {
  for (size_t t = from; t < to; t++) {
    bp[t - from] = buying(low, close, t);
    tr[t - from] = trueRange(high, low, close, t);
  }
}

// ultoscLanes(): ultosc()'s bars [from, to) from their terms (bp, tr: bar t's at t - base), the three
// running totals of each kind (shortest period first) in the lanes 0-2 of one vector (`totals`: a's 4
// lanes, then b's; lane 3 repeats lane 2), so that a bar's three quotients are one vector division;
// each lane's additions are the scalar ones, in the same order. The final `/ 7` of the outputs is a
// pass of its own, vectorized.
KERNELBUS_VECTOR_BODY void ultoscLanes(const double* bp, const double* tr, double* out, size_t base, size_t from, size_t to, size_t p1,
                                       size_t p2, size_t p3, double* totals) {
  using chains::D4;
  D4 a, b;
  std::memcpy(&a, totals, sizeof a);
  std::memcpy(&b, totals + 4, sizeof b);
  for (size_t t = from; t < to; t++) {
    a += bp[t - base];
    b += tr[t - base];
    const D4 q = a / b;
    double output = 0;
    if (!isZero(b[0])) output += 4 * q[0];
    if (!isZero(b[1])) output += 2 * q[1];
    if (!isZero(b[2])) output += q[2];
    const size_t t1 = t + 1 - p1 - base, t2 = t + 1 - p2 - base, t3 = t + 1 - p3 - base;
    a -= D4{bp[t1], bp[t2], bp[t3], bp[t3]};
    b -= D4{tr[t1], tr[t2], tr[t3], tr[t3]};
    out[t] = output;
  }
  for (size_t t = from; t < to; t++) out[t] = 100 * (out[t] / 7);
  std::memcpy(totals, &a, sizeof a);
  std::memcpy(totals + 4, &b, sizeof b);
}
#endif

}  // namespace

// ultosc(): TA_ULTOSC over the sorted periods (one total of each kind per period, as TA-Lib keeps them).
void ultosc(const double* high, const double* low, const double* close, size_t n, size_t period1, size_t period2, size_t period3,
            double* out) {
  std::array<size_t, 3> p{period1, period2, period3};
  std::sort(p.begin(), p.end());
  const size_t start = p[2];
  if (n <= start) return fillNaN(out, 0, n);
  fillNaN(out, 0, start);
  // totals[k] (buying pressure) and totals[4 + k] (true range) over the p[k] - 1 bars before start
  double totals[8];
  for (size_t k = 0; k < 3; k++) {
    double a = 0, b = 0;
    for (size_t i = start - p[k] + 1; i < start; i++) {
      a += buying(low, close, i);
      b += trueRange(high, low, close, i);
    }
    totals[k] = a;
    totals[4 + k] = b;
  }
  totals[3] = totals[2];
  totals[7] = totals[6];
#if defined(__GNUC__)
  // blocks of `block` bars, each with the terms of the p[2] - 1 bars before it (their trailing ones)
  const size_t block = std::max(kUltoscBlock, start), span = block + start - 1;
  std::vector<double> terms(2 * span);
  for (size_t from = start; from < n; from += block) {
    const size_t to = std::min(n, from + block), base = from + 1 - start;
    simd::run<ultoscTerms>(high, low, close, terms.data(), terms.data() + span, base, to);
    simd::run<ultoscLanes>(terms.data(), terms.data() + span, out, base, from, to, p[0], p[1], p[2], totals);
  }
#else
  double a1 = totals[0], a2 = totals[1], a3 = totals[2], b1 = totals[4], b2 = totals[5], b3 = totals[6];
  for (size_t today = start; today < n; today++) {
    const double bp = buying(low, close, today), tr = trueRange(high, low, close, today);
    a1 += bp;
    a2 += bp;
    a3 += bp;
    b1 += tr;
    b2 += tr;
    b3 += tr;
    double output = 0;
    if (!isZero(b1)) output += 4 * (a1 / b1);
    if (!isZero(b2)) output += 2 * (a2 / b2);
    if (!isZero(b3)) output += a3 / b3;
    const size_t t1 = today + 1 - p[0], t2 = today + 1 - p[1], t3 = today + 1 - p[2];
    a1 -= buying(low, close, t1);
    b1 -= trueRange(high, low, close, t1);
    a2 -= buying(low, close, t2);
    b2 -= trueRange(high, low, close, t2);
    a3 -= buying(low, close, t3);
    b3 -= trueRange(high, low, close, t3);
    out[today] = 100 * (output / 7);
  }
#endif
}

}  // namespace kernelbus::indicators::series
