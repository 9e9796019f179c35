// Realized measures per day (realized.hpp): src/backends/reference/features/realized.ts in C++,
// function for function.
#include "realized.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "log_returns.hpp"

namespace kernelbus::features {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

bool wholeDayBounds(Doubles ts, size_t n, double offset, std::vector<Day>& out) {
  if (n == 0) return true;
  if (!std::isfinite(ts[0] + offset) || !std::isfinite(ts[n - 1] + offset)) return false;
  for (size_t i = 0; i < n;) {
    const double dayStart = std::floor((ts[i] + offset) / kDayMs) * kDayMs;
    const double dayEnd = dayStart + kDayMs;
    // the first trade at or past dayEnd: galloping from i (a day of m trades costs log m reads), then bisection
    size_t lo = i + 1, hi = i + 1;
    for (size_t step = 1; hi < n && ts[hi] + offset < dayEnd; step *= 2) {
      lo = hi + 1;
      hi = std::min(n, hi + step);
    }
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (ts[mid] + offset < dayEnd) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    // unsorted ts can give a date twice in a row: one day (the checks then fail)
    if (!out.empty() && out.back().label == dayStart) {
      out.back().end = lo;
    } else {
      out.push_back(Day{i, lo, dayStart});
    }
    i = lo;
  }
  return true;
}

Status days(Doubles ts, Doubles price, size_t n, double offset, double open, double close, std::vector<Day>& out) {
  const bool whole = open == 0 && close == kDayMs;
  double last = -INFINITY, dayStart = NAN, dayEnd = -INFINITY;
  for (size_t i = 0; i < n; i++) {
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

double bpvOf(double sum) { return (kPi / 2) * sum; }

double medRvOf(size_t n, double sum) {
  const double N = static_cast<double>(n);
  return n < 3 ? NAN : (kPi / (6 - 4 * std::sqrt(3.0) + kPi)) * (N / (N - 2)) * sum;
}

double minRvOf(size_t n, double sum) {
  const double N = static_cast<double>(n);
  return n < 2 ? NAN : (kPi / (kPi - 2)) * (N / (N - 1)) * sum;
}

double tsrvOf(size_t n, size_t K, size_t J, double sumK, double sumJ) {
  if (n < K) return NAN;
  const double N = static_cast<double>(n), k = static_cast<double>(K), j = static_cast<double>(J);
  const double nbarK = (N - k + 1) / k;
  const double nbarJ = (N - j + 1) / j;
  const double adj = 1 / (1 - nbarK / nbarJ);
  return adj * ((1 / k) * sumK - (nbarK / nbarJ) * (1 / j) * sumJ);
}

namespace {

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
