// Realized measures per day (realized.hpp): src/backends/reference/features/realized.ts in C++,
// function for function.
#include "realized.hpp"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>

#include "lanes.hpp"
#include "log_returns.hpp"
#include "parallel.hpp"
#include "simd.hpp"

namespace kernelbus::features {

namespace {
constexpr double kDayMs = 86400000;
constexpr double kPi = 3.14159265358979323846;
}  // namespace

/// f(r) for each return log(p_i / p_{i-lag}) of the prices [start, end), i from start + lag, in order,
/// on a copy of f, returned: the returns a block at a time (logReturns: fdlibm's log, vectorized). A
/// measure is a struct whose members are its running state: on the copy, a local, they stay in
/// registers (a lambda's captures by reference would be stored at every return).
template <typename F>
F forEachReturn(Doubles price, size_t start, size_t end, size_t lag, F f) {
  constexpr size_t kBlock = 1024;
  double r[kBlock];
  for (size_t i = start + lag; i < end; i += kBlock) {
    const size_t to = std::min(end, i + kBlock);
    logReturns(price, i, to, lag, r);
    for (size_t j = 0; j < to - i; j++) f(r[j]);
  }
  return f;
}

namespace {

/// Whether trades [from, to) (from >= 1) have ts not before the one before them and prices finite and
/// > 0 (NaN fails every comparison).
KERNELBUS_VECTOR_BODY bool sortedAndPriced(Doubles ts, Doubles price, size_t from, size_t to) {
  bool ok = true;
  size_t i = from;
#if defined(__GNUC__)
  L4 all = {-1, -1, -1, -1};
  for (; i + 4 <= to; i += 4) {
    D4 t, before, p;
    load4(ts + i, t);
    load4(ts + (i - 1), before);
    load4(price + i, p);
    all &= (t >= before) & (p > 0) & (p <= DBL_MAX);
  }
  ok = (all[0] & all[1] & all[2] & all[3]) != 0;
#endif
  for (; i < to; i++) ok &= (ts[i] >= ts[i - 1]) & (price[i] > 0) & (price[i] <= DBL_MAX);
  return ok;
}

/// The days of a whole-day session when no trade is at fault (false, out untouched, otherwise): the
/// checks on the pool, each day's end found by search (ts + offset is non-decreasing), with the
/// sequential loop's labels (a trade at or past the open day's end starts the day of its own date).
bool wholeDays(Doubles ts, Doubles price, size_t n, double offset, std::vector<Day>& out) {
  if (n == 0) return true;
  // sorted, and the first and last ts + offset finite: every one is
  if (!std::isfinite(ts[0] + offset) || !std::isfinite(ts[n - 1] + offset) || !(price[0] > 0 && price[0] <= DBL_MAX)) return false;
  std::atomic<bool> ok{true};
  parallelFor(n - 1, size_t{1} << 18, [&](size_t begin, size_t end) {
    if (!simd::run<sortedAndPriced>(ts, price, begin + 1, end + 1)) ok.store(false, std::memory_order_relaxed);
  });
  if (!ok.load()) return false;
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
    if (!out.empty() && out.back().label == dayStart) {
      out.back().end = lo;
    } else {
      out.push_back(Day{i, lo, dayStart});
    }
    i = lo;
  }
  return true;
}

}  // namespace

Status days(Doubles ts, Doubles price, size_t n, double offset, double open, double close, std::vector<Day>& out) {
  const bool whole = open == 0 && close == kDayMs;
  if (whole && wholeDays(ts, price, n, offset, out)) return Status{};
  // the sequential loop: a session, or a fault to find
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

namespace {

/// The measures' running state, one return at a time (the reference's loops).
struct SumSquares {
  double sum = 0;
  void operator()(double r) { sum += r * r; }
};

struct Bipower {
  double sum = 0, before = 0;
  void operator()(double r) {
    const double a = std::fabs(r);
    sum += before * a;
    before = a;
  }
};

/// The median of |r_{i-2}|, |r_{i-1}|, |r_i| squared, from the second return: at the first, the median
/// of 0, 0, |r_1| adds 0 (a sum of +0 stays +0), and the reference's first window is 0, |r_1|, |r_2|.
struct MedianSquares {
  double sum = 0, a = 0, b = 0;
  void operator()(double r) {
    const double c = std::fabs(r);
    const double m = std::max(std::min(a, b), std::min(std::max(a, b), c));
    sum += m * m;
    a = b;
    b = c;
  }
};

struct MinSquares {
  double sum = 0, a = 0;
  void operator()(double r) {
    const double b = std::fabs(r);
    const double m = std::min(a, b);
    sum += m * m;
    a = b;
  }
};

struct Semivariances {
  double up = 0, down = 0;
  void operator()(double r) {
    if (r > 0) {
      up += r * r;
    } else if (r < 0) {
      down += r * r;
    }
  }
};

}  // namespace

double dayRv(Doubles price, size_t start, size_t end) { return forEachReturn(price, start, end, 1, SumSquares{}).sum; }

double dayBpv(Doubles price, size_t start, size_t end) { return (kPi / 2) * forEachReturn(price, start, end, 1, Bipower{}).sum; }

double dayMedRv(Doubles price, size_t start, size_t end) {
  const size_t n = end - start;
  if (n < 3) return NAN;
  const double sum = forEachReturn(price, start, end, 1, MedianSquares{}).sum;
  const double N = static_cast<double>(n);
  return (kPi / (6 - 4 * std::sqrt(3.0) + kPi)) * (N / (N - 2)) * sum;
}

double dayMinRv(Doubles price, size_t start, size_t end) {
  const size_t n = end - start;
  if (n < 2) return NAN;
  const double sum = forEachReturn(price, start, end, 1, MinSquares{}).sum;
  const double N = static_cast<double>(n);
  return (kPi / (kPi - 2)) * (N / (N - 1)) * sum;
}

void daySemivariance(Doubles price, size_t start, size_t end, double& up, double& down) {
  const Semivariances s = forEachReturn(price, start, end, 1, Semivariances{});
  up = s.up;
  down = s.down;
}

namespace {

double lagSquares(Doubles price, size_t start, size_t end, size_t lag) { return forEachReturn(price, start, end, lag, SumSquares{}).sum; }

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
