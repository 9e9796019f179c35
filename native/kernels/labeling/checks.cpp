// See labeling.hpp: src/backends/reference/labeling/checks.ts in C++, and the concurrency shared by
// the weights (weights.ts' countInto and uniquenessInto).
#include <cmath>

#include "labeling.hpp"

namespace kernelbus::labeling {

Status checkTimes(const double* ts, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const double t = ts[i];
    if (!std::isfinite(t) || (i > 0 && !(t > ts[i - 1]))) {
      return Status{Fault::LabelTsInvalid, static_cast<double>(i), t, i > 0 ? ts[i - 1] : NAN};
    }
  }
  return Status{};
}

Status checkLength(size_t length, size_t n, ValueFault kind, bool orOne) {
  const bool ok = length == n || (orOne ? length == 1 : length == 0);
  return ok ? Status{} : valueFault(kind, length, static_cast<double>(n));
}

size_t firstAtOrAfter(const double* ts, size_t n, double t, size_t from) {
  if (std::isnan(t)) return n;
  // galloping from `from` (labeling.ts firstAtOrAfter): from, from + 1, from + 3, ..., then halving
  size_t lo = from;
  size_t step = 1;
  size_t hi = from;
  while (hi < n && ts[hi] < t) {
    lo = hi + 1;
    hi = from + step;
    step *= 2;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (ts[mid] < t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

long barAt(const double* ts, size_t n, double t, size_t from) {
  const size_t j = firstAtOrAfter(ts, n, t, from);
  return j < n && ts[j] == t ? static_cast<long>(j) : -1;
}

Status eventStarts(const double* ts, size_t n, const double* t0, size_t m, std::vector<size_t>& at) {
  at.assign(m, 0);
  size_t from = 0;
  for (size_t i = 0; i < m; i++) {
    if (i > 0 && !(t0[i] > t0[i - 1]) && !std::isnan(t0[i])) return eventFault(EventFault::T0NotIncreasing, i, t0[i]);
    const long j = barAt(ts, n, t0[i], from);
    if (j < 0) return eventFault(EventFault::T0NotABar, i, t0[i]);
    at[i] = static_cast<size_t>(j);
    from = at[i];
  }
  return Status{};
}

Status eventEnds(const double* ts, size_t n, const std::vector<size_t>& starts, const double* t1, bool open, std::vector<size_t>& at) {
  at.assign(starts.size(), 0);
  for (size_t i = 0; i < starts.size(); i++) {
    const double t = t1[i];
    if (std::isnan(t)) {
      if (!open) return eventFault(EventFault::T1Nan, i, t);
      at[i] = n - 1;
      continue;
    }
    if (Status s = endAt(ts, n, starts[i], t, i, at[i]); !s.ok()) return s;
  }
  return Status{};
}

Status endAt(const double* ts, size_t n, size_t start, double t, size_t i, size_t& at) {
  if (t < ts[start]) return eventFault(EventFault::T1BeforeT0, i, t);
  const long j = barAt(ts, n, t, start);
  if (j < 0) return eventFault(EventFault::T1NotABar, i, t);
  at = static_cast<size_t>(j);
  return Status{};
}

void countConcurrent(const std::vector<size_t>& starts, const std::vector<size_t>& ends, size_t n, double* counts) {
  std::vector<double> delta(n + 1, 0.0);
  for (size_t i = 0; i < starts.size(); i++) {
    delta[starts[i]] += 1;
    delta[ends[i] + 1] -= 1;
  }
  double c = 0;
  for (size_t j = 0; j < n; j++) counts[j] = c += delta[j];
}

void averageUniquenessInto(size_t n, const std::vector<size_t>& starts, const std::vector<size_t>& ends, double* out) {
  std::vector<double> unique(n);
  countConcurrent(starts, ends, n, unique.data());
  for (double& c : unique) c = 1 / c;  // each bar's 1 / concurrency, once (the same bits as at each use)
  for (size_t i = 0; i < starts.size(); i++) {
    double sum = 0;
    for (size_t j = starts[i]; j <= ends[i]; j++) sum += unique[j];
    out[i] = sum / static_cast<double>(ends[i] - starts[i] + 1);
  }
}

std::vector<double> fracDiffWeights(double d, double threshold, size_t limit) {
  std::vector<double> w{1.0};
  for (size_t k = 1; w.size() < limit; k++) {
    const double next = -w.back() * (d - static_cast<double>(k) + 1) / static_cast<double>(k);
    if (std::fabs(next) < threshold) break;
    w.push_back(next);
  }
  return std::vector<double>(w.rbegin(), w.rend());
}

}  // namespace kernelbus::labeling
