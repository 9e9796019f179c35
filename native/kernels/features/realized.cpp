// Realized measures per day (realized.hpp): src/backends/reference/features/realized.ts in C++,
// function for function.
#include "realized.hpp"

#include "log_returns.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace kernelbus::features {

namespace {
constexpr double kDayMs = 86400000;
constexpr double kPi = 3.14159265358979323846;
}  // namespace

/// f(r) for each return log(p_i / p_{i-lag}) of the prices [start, end), i from start + lag, in order:
/// the returns a block at a time (logReturns: fdlibm's log, vectorized).
template <typename F>
void forEachReturn(Doubles price, size_t start, size_t end, size_t lag, F&& f) {
  constexpr size_t kBlock = 1024;
  double r[kBlock];
  for (size_t i = start + lag; i < end; i += kBlock) {
    const size_t to = std::min(end, i + kBlock);
    logReturns(price, i, to, lag, r);
    for (size_t j = 0; j < to - i; j++) f(r[j]);
  }
}

namespace {

/// Under a whole-day session, whether trades [i, i + kDayBlock) all belong to the open day (ending at
/// dayEnd, the last trade's ts `last`), in order, with prices finite and > 0: then they only extend it,
/// as days()'s one-by-one steps would (a block that is not is taken one by one, its first fault found).
constexpr size_t kDayBlock = 8;
bool inOpenDay(Doubles ts, Doubles price, size_t i, double last, double offset, double dayEnd) {
  bool ok = ts[i] >= last && ts[i + kDayBlock - 1] + offset < dayEnd;
  for (size_t j = 0; j < kDayBlock; j++) {
    const double p = price[i + j];
    ok &= (j == 0 || ts[i + j] >= ts[i + j - 1]) & (p > 0) & (p <= DBL_MAX);
  }
  return ok;
}

}  // namespace

Status days(Doubles ts, Doubles price, size_t n, double offset, double open, double close, std::vector<Day>& out) {
  const bool whole = open == 0 && close == kDayMs;
  double last = -INFINITY, dayStart = NAN, dayEnd = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (whole && !out.empty() && i + kDayBlock <= n && inOpenDay(ts, price, i, last, offset, dayEnd)) {
      i += kDayBlock - 1;
      last = ts[i];
      out.back().end = i + 1;
      continue;
    }
    const double t = ts[i];
    const double local = t + offset;
    if (!(t >= last) || !std::isfinite(local)) return Status{Fault::RealizedTsInvalid, static_cast<double>(i), t, last};
    last = t;
    if (local >= dayEnd) {
      dayStart = std::floor(local / kDayMs) * kDayMs;
      dayEnd = dayStart + kDayMs;
    }
    if (!whole) {
      const double tod = local - dayStart;
      if (tod < open || tod > close) continue;
    }
    const double p = price[i];
    if (!(p > 0 && p <= DBL_MAX)) return Status{Fault::RealizedPriceInvalid, static_cast<double>(i), p, 0};
    if (!out.empty() && out.back().label == dayStart) {
      out.back().end = i + 1;
    } else {
      out.push_back(Day{i, i + 1, dayStart});
    }
  }
  return Status{};
}

double dayRv(Doubles price, size_t start, size_t end) {
  double sum = 0;
  forEachReturn(price, start, end, 1, [&](double r) { sum += r * r; });
  return sum;
}

double dayBpv(Doubles price, size_t start, size_t end) {
  double sum = 0, before = 0;
  forEachReturn(price, start, end, 1, [&](double r) {
    const double a = std::fabs(r);
    sum += before * a;
    before = a;
  });
  return (kPi / 2) * sum;
}

double dayMedRv(Doubles price, size_t start, size_t end) {
  const size_t n = end - start;
  if (n < 3) return NAN;
  double sum = 0, a = 0, b = 0;
  size_t seen = 0;
  forEachReturn(price, start, end, 1, [&](double r) {
    const double c = std::fabs(r);
    if (seen++ > 0) {  // from the second return: the median of |r_{i-2}|, |r_{i-1}|, |r_i|
      const double m = std::max(std::min(a, b), std::min(std::max(a, b), c));
      sum += m * m;
      a = b;
    }
    b = c;
  });
  const double N = static_cast<double>(n);
  return (kPi / (6 - 4 * std::sqrt(3.0) + kPi)) * (N / (N - 2)) * sum;
}

double dayMinRv(Doubles price, size_t start, size_t end) {
  const size_t n = end - start;
  if (n < 2) return NAN;
  double sum = 0, a = 0;
  forEachReturn(price, start, end, 1, [&](double r) {
    const double b = std::fabs(r);
    const double m = std::min(a, b);
    sum += m * m;
    a = b;
  });
  const double N = static_cast<double>(n);
  return (kPi / (kPi - 2)) * (N / (N - 1)) * sum;
}

void daySemivariance(Doubles price, size_t start, size_t end, double& up, double& down) {
  up = 0;
  down = 0;
  forEachReturn(price, start, end, 1, [&](double r) {
    if (r > 0) {
      up += r * r;
    } else if (r < 0) {
      down += r * r;
    }
  });
}

namespace {

double lagSquares(Doubles price, size_t start, size_t end, size_t lag) {
  double sum = 0;
  forEachReturn(price, start, end, lag, [&](double r) { sum += r * r; });
  return sum;
}

double kernelWeight(double x, int type) {
  const double x2 = x * x, x3 = x2 * x;
  switch (type) {
    case 0:
      return 1;
    case 1:
      return 1 - x;
    case 2:
      return 1 - 2 * x3;
    case 3:
      return 1 - x2;
    case 4:
      return 1 - 3 * x2 + 2 * x3;
    case 5:
      return 1 - 10 * x3 + 15 * (x2 * x2) - 6 * (x3 * x2);
    case 6:
      return 1 - 15 * (x2 * x2) + 24 * (x3 * x2) - 10 * (x3 * x3);
    case 7:
      return 1 - 21 * (x3 * x2) + 35 * (x3 * x3) - 15 * (x3 * x3 * x);
    case 8:
      return 1 - 28 * (x3 * x3) + 48 * (x3 * x3 * x) - 21 * (x3 * x3 * x2);
    case 9:
      return x > 0.5 ? 2 * (1 - x) * (1 - x) * (1 - x) : 1 - 6 * x2 + 6 * x3;
    case 10:
      return (1 + std::sin(kPi / 2 - kPi * x)) / 2;
    default:
      return (1 - std::sin(kPi / 2 - kPi * (1 - x) * (1 - x))) / 2;
  }
}

}  // namespace

double dayTsrv(Doubles price, size_t start, size_t end, size_t K, size_t J) {
  const size_t n = end - start;
  if (n < K) return NAN;
  const double N = static_cast<double>(n), k = static_cast<double>(K), j = static_cast<double>(J);
  const double nbarK = (N - k + 1) / k;
  const double nbarJ = (N - j + 1) / j;
  const double adj = 1 / (1 - nbarK / nbarJ);
  const double sumK = lagSquares(price, start, end, K);
  const double sumJ = lagSquares(price, start, end, J);
  return adj * ((1 / k) * sumK - (nbarK / nbarJ) * (1 / j) * sumJ);
}

double dayKernel(Doubles price, size_t start, size_t end, int type, size_t H, bool adjust, std::vector<double>& r) {
  const size_t n = end - start;
  r.assign(n, 0.0);
  if (n > 1) logReturns(price, start + 1, end, 1, r.data() + 1);
  double ans = 0;
  for (size_t i = 0; i < n; i++) ans += r[i] * r[i];
  const size_t lags = std::min(H, n - 1);
  const double N = static_cast<double>(n);
  for (size_t h = 1; h <= lags; h++) {
    double gamma = 0;
    for (size_t i = 0; i + h < n; i++) gamma += r[i] * r[i + h];
    const double w = kernelWeight(static_cast<double>(h - 1) / static_cast<double>(H), type);
    const double adj = adjust ? N / (N - static_cast<double>(h)) : 1;
    ans += w * (adj * gamma + adj * gamma);
  }
  return ans;
}

}  // namespace kernelbus::features
