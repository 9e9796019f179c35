// TA-Lib's directional movement and parabolic SAR on one series
// (src/backends/reference/indicators/directional.ts).
#include <cmath>
#include <cstring>
#include <vector>

#include "chains.hpp"
#include "columns.hpp"
#include "series.hpp"
#include "simd.hpp"

namespace kernelbus::indicators::series {

namespace {

// The directional movements a Directional keeps: both (ADX) or one (PLUS_DI, MINUS_DI).
enum Keep { kPlus = 1, kMinus = 2, kBoth = 3 };

// Directional: TA_ADX's running Wilder sums of +DM, -DM (those `K` keeps) and the true range.
template <int K = kBoth>
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
      if (K & kMinus) minusDm -= minusDm / period;
      if (K & kPlus) plusDm -= plusDm / period;
    }
    if (diffM > 0 && diffP < diffM) {
      if (K & kMinus) minusDm += diffM;
    } else if (diffP > 0 && diffP > diffM) {
      if (K & kPlus) plusDm += diffP;
    }
    double tr = h - l;
    const double up = std::fabs(h - prevClose);
    if (up > tr) tr = up;
    const double down = std::fabs(l - prevClose);
    if (down > tr) tr = down;
    range = decay ? range - range / period + tr : range + tr;
    prevClose = close[t];
  }

  // A chain's step: bar t from the sums alone, the previous bar's values read at t - 1.
  void stepAfter(size_t t, double period) {
    prevHigh = high[t - 1], prevLow = low[t - 1], prevClose = close[t - 1];
    step(t, period, true);
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

// Whether bar t's step reads the values bar t - 1's did (chains::recurrence's `repeats`): its high and
// low, and the previous bar's high, low and close.
bool repeatsBar(const double* high, const double* low, const double* close, size_t t) {
  using chains::same;
  return same(high[t], high[t - 1]) && same(low[t], low[t - 1]) && same(high[t - 1], high[t - 2]) && same(low[t - 1], low[t - 2]) &&
         same(close[t - 1], close[t - 2]);
}

}  // namespace

#if defined(__GNUC__)
namespace {

// trueRange() of the 4 chains' bars from their high, low and previous close.
KERNELBUS_VECTOR_BODY chains::D4 trueRanges(const chains::D4& h, const chains::D4& l, const chains::D4& before) {
  chains::D4 tr = h - l;
  const chains::D4 up = chains::abs(h - before);
  tr = chains::select(up > tr, up, tr);
  const chains::D4 down = chains::abs(l - before);
  return chains::select(down > tr, down, tr);
}

// adxLockstep(): adx()'s step (below) on bars at[j] + i of its 4 chains j, i in [from, to), the
// state (+DM, -DM, TR sums and the average, 4 values each, one a chain) updated; a branch a select.
KERNELBUS_VECTOR_BODY void adxLockstep(const double* high, const double* low, const double* close, double* out, const size_t* at,
                                       size_t from, size_t to, double p, double p1, double* state) {
  using chains::D4, chains::L4;
  D4 plusDm, minusDm, range, average;
  std::memcpy(&plusDm, state, sizeof plusDm);
  std::memcpy(&minusDm, state + 4, sizeof minusDm);
  std::memcpy(&range, state + 8, sizeof range);
  std::memcpy(&average, state + 12, sizeof average);
  for (size_t i = from; i < to; i++) {
    const D4 h = chains::gather(high, at, i), l = chains::gather(low, at, i), before = chains::gather(close, at, i - 1);
    const D4 diffP = h - chains::gather(high, at, i - 1), diffM = chains::gather(low, at, i - 1) - l;
    minusDm -= minusDm / p;
    plusDm -= plusDm / p;
    const L4 minus = (diffM > 0) & (diffP < diffM);
    minusDm += (D4)(minus & (L4)diffM);
    plusDm += (D4)(~minus & (diffP > 0) & (diffP > diffM) & (L4)diffP);
    range = range - range / p + trueRanges(h, l, before);
    const D4 minusDi = 100 * (minusDm / range), plusDi = 100 * (plusDm / range), sum = minusDi + plusDi;
    const D4 dx = 100 * (chains::abs(minusDi - plusDi) / sum);
    average = chains::select(~chains::isZero(range) & ~chains::isZero(sum), (average * p1 + dx) / p, average);
    chains::scatter(out, at, i, average);
  }
  std::memcpy(state, &plusDm, sizeof plusDm);
  std::memcpy(state + 4, &minusDm, sizeof minusDm);
  std::memcpy(state + 8, &range, sizeof range);
  std::memcpy(state + 12, &average, sizeof average);
}

// diLockstep(): di()'s step (below) on bars at[j] + i of its 4 chains j, i in [from, to), the state
// (the DM and TR sums, 4 values each, one a chain) updated; a branch a select.
template <bool plus>
KERNELBUS_VECTOR_BODY void diLockstep(const double* high, const double* low, const double* close, double* out, const size_t* at,
                                      size_t from, size_t to, double p, double* state) {
  using chains::D4, chains::L4;
  D4 dm, range;
  std::memcpy(&dm, state, sizeof dm);
  std::memcpy(&range, state + 4, sizeof range);
  for (size_t i = from; i < to; i++) {
    const D4 h = chains::gather(high, at, i), l = chains::gather(low, at, i), before = chains::gather(close, at, i - 1);
    const D4 diffP = h - chains::gather(high, at, i - 1), diffM = chains::gather(low, at, i - 1) - l;
    dm -= dm / p;
    const L4 minus = (diffM > 0) & (diffP < diffM);
    if (plus)
      dm += (D4)(~minus & (diffP > 0) & (diffP > diffM) & (L4)diffP);
    else
      dm += (D4)(minus & (L4)diffM);
    range = range - range / p + trueRanges(h, l, before);
    chains::scatter(out, at, i, chains::select(~chains::isZero(range), 100 * (dm / range), D4{0, 0, 0, 0}));
  }
  std::memcpy(state, &dm, sizeof dm);
  std::memcpy(state + 4, &range, sizeof range);
}

}  // namespace
#endif

// adx(): TA_ADX, lookback 2 period - 1; after it, Wilder's sums and the average in chains
// (chains.hpp: 4, one vector of them where the compiler has vectors, for the 7 divisions a bar).
void adx(const double* high, const double* low, const double* close, size_t n, size_t period, double* out) {
  const size_t lookback = 2 * period - 1;
  if (n <= lookback) return fillNaN(out, 0, n);
  fillNaN(out, 0, lookback);
  const double p = static_cast<double>(period), p1 = static_cast<double>(period - 1);
  Directional<> d(high, low, close);
  size_t today = 0;
  for (size_t i = period - 1; i-- > 0;) d.step(++today, p, false);
  double sumDx = 0, dx = 0;
  for (size_t i = period; i-- > 0;) {
    d.step(++today, p, true);
    if (d.dx(dx)) sumDx += dx;
  }
  const double average = sumDx / p;
  out[today] = average;
  // the state: +DM, -DM, TR (Directional's sums) and the average; a bar reads its own and the
  // previous bar's values only
  auto step = [&](chains::State<4>& s, size_t t) {
    Directional<> at(high, low, close);
    at.plusDm = s[0], at.minusDm = s[1], at.range = s[2];
    at.stepAfter(t, p);
    double value = 0;
    if (at.dx(value)) s[3] = (s[3] * p1 + value) / p;
    s[0] = at.plusDm, s[1] = at.minusDm, s[2] = at.range;
    out[t] = s[3];
  };
  const auto r = chains::recurrence(
      step,
      [](size_t) {
        return chains::State<4>{0, 0, 0, 0};
      },
      [&](size_t t) { return repeatsBar(high, low, close, t); }, [&](size_t t) { out[t] = out[t - 1]; });
  const chains::State<4> exact{d.plusDm, d.minusDm, d.range, average};
#if defined(__GNUC__)
  chains::run<4>(r, exact, today + 1, n, chains::warmSteps(p1 / p),
                 [&](std::array<chains::State<4>, 4>& s, const std::array<size_t, 4>& at, size_t from, size_t to) {
                   double state[16];
                   for (size_t j = 0; j < 4; j++)
                     for (size_t m = 0; m < 4; m++) state[4 * m + j] = s[j][m];
                   simd::run<adxLockstep>(high, low, close, out, at.data(), from, to, p, p1, state);
                   for (size_t j = 0; j < 4; j++)
                     for (size_t m = 0; m < 4; m++) s[j][m] = state[4 * m + j];
                 });
#else
  chains::run<4>(r, exact, today + 1, n, chains::warmSteps(p1 / p));
#endif
}

// di(): TA_PLUS_DI (plus) or TA_MINUS_DI; a period of 1 TA-Lib's DM / TR of the bar.
template <bool plus>
void di(const double* high, const double* low, const double* close, size_t n, size_t period, double* out) {
  if (period <= 1) {
    fillNaN(out, 0, n < 1 ? n : 1);
    for (size_t t = 1; t < n; t++) {
      const double diffP = high[t] - high[t - 1];
      const double diffM = low[t - 1] - low[t];
      const double move = plus ? diffP : diffM;
      if (move > 0 && move > (plus ? diffM : diffP)) {
        const double tr = trueRange(high, low, close, t);
        out[t] = isZero(tr) ? 0 : move / tr;
      } else {
        out[t] = 0;
      }
    }
    return;
  }
  if (n <= period) return fillNaN(out, 0, n);
  fillNaN(out, 0, period);
  const double p = static_cast<double>(period);
  using Kept = Directional<plus ? kPlus : kMinus>;
  Kept d(high, low, close);
  size_t today = 0;
  for (size_t i = period - 1; i-- > 0;) d.step(++today, p, false);
  // after the sums' seed, Wilder's sums of the DM and the true range in chains (chains.hpp: 4 side
  // by side, for the 3 divisions a bar); the state: the DM and TR sums, a bar reading its own and the
  // previous bar's values only
  auto step = [&](chains::State<2>& s, size_t t) {
    Kept at(high, low, close);
    (plus ? at.plusDm : at.minusDm) = s[0];
    at.range = s[1];
    at.stepAfter(t, p);
    s[0] = plus ? at.plusDm : at.minusDm;
    s[1] = at.range;
    out[t] = !isZero(at.range) ? 100 * (s[0] / at.range) : 0;
  };
  const auto r = chains::recurrence(
      step,
      [](size_t) {
        return chains::State<2>{0, 0};
      },
      [&](size_t t) { return repeatsBar(high, low, close, t); }, [&](size_t t) { out[t] = out[t - 1]; });
  const chains::State<2> exact{plus ? d.plusDm : d.minusDm, d.range};
#if defined(__GNUC__)
  chains::run<4>(r, exact, today + 1, n, chains::warmSteps((p - 1) / p),
                 [&](std::array<chains::State<2>, 4>& s, const std::array<size_t, 4>& at, size_t from, size_t to) {
                   double state[8];
                   for (size_t j = 0; j < 4; j++) state[j] = s[j][0], state[4 + j] = s[j][1];
                   simd::run<diLockstep<plus>>(high, low, close, out, at.data(), from, to, p, state);
                   for (size_t j = 0; j < 4; j++) s[j][0] = state[j], s[j][1] = state[4 + j];
                 });
#else
  chains::run<4>(r, exact, today + 1, n, chains::warmSteps((p - 1) / p));
#endif
}

// plusDi()
void plusDi(const double* high, const double* low, const double* close, size_t n, size_t period, double* out) {
  di<true>(high, low, close, n, period, out);
}

// minusDi()
void minusDi(const double* high, const double* low, const double* close, size_t n, size_t period, double* out) {
  di<false>(high, low, close, n, period, out);
}

// adxr(): TA_ADXR, lookback 3 period - 2.
void adxr(const double* high, const double* low, const double* close, size_t n, size_t period, double* out) {
  const size_t lookback = 3 * period - 2;
  if (n <= lookback) return fillNaN(out, 0, n);
  adx(high, low, close, n, period, out);
  for (size_t t = n - 1; t >= lookback; t--) out[t] = (out[t] + out[t - (period - 1)]) / 2;
  fillNaN(out, 0, lookback);
}

// sar(): TA_SAR with TA-Lib's start.
void sar(const double* high, const double* low, size_t n, double acceleration, double maximum, double* out) {
  if (n <= 1) return fillNaN(out, 0, n);
  out[0] = NAN;
  double step = acceleration;
  double af = step;
  if (af > maximum) af = step = maximum;
  const double diffP = high[1] - high[0];
  const double diffM = low[0] - low[1];
  bool isLong = !(diffM > 0 && diffP < diffM);
  double ep = isLong ? high[1] : low[1];
  double value = isLong ? low[0] : high[0];
  double newLow = low[1], newHigh = high[1];
  for (size_t today = 1; today < n; today++) {
    const double prevLow = newLow, prevHigh = newHigh;
    newLow = low[today];
    newHigh = high[today];
    if (isLong) {
      if (newLow <= value) {
        isLong = false;
        value = ep;
        if (value < prevHigh) value = prevHigh;
        if (value < newHigh) value = newHigh;
        out[today] = value;
        af = step;
        ep = newLow;
        value = value + af * (ep - value);
        if (value < prevHigh) value = prevHigh;
        if (value < newHigh) value = newHigh;
      } else {
        out[today] = value;
        if (newHigh > ep) {
          ep = newHigh;
          af += step;
          if (af > maximum) af = maximum;
        }
        value = value + af * (ep - value);
        if (value > prevLow) value = prevLow;
        if (value > newLow) value = newLow;
      }
    } else if (newHigh >= value) {
      isLong = true;
      value = ep;
      if (value > prevLow) value = prevLow;
      if (value > newLow) value = newLow;
      out[today] = value;
      af = step;
      ep = newHigh;
      value = value + af * (ep - value);
      if (value > prevLow) value = prevLow;
      if (value > newLow) value = newLow;
    } else {
      out[today] = value;
      if (newLow < ep) {
        ep = newLow;
        af += step;
        if (af > maximum) af = maximum;
      }
      value = value + af * (ep - value);
      if (value < prevHigh) value = prevHigh;
      if (value < newHigh) value = newHigh;
    }
  }
}

}  // namespace kernelbus::indicators::series
