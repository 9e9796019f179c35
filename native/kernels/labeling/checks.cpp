// See labeling.hpp: src/backends/reference/labeling/checks.ts in C++, and the concurrency shared by
// the weights (weights.ts' countInto and uniquenessInto).
#include <cmath>

#include "labeling.hpp"
#include "parallel.hpp"

namespace kernelbus::labeling {

namespace {

/// Events a chunk of the pool's (their searches are a few cached steps each).
constexpr size_t kEventChunk = 1024;

}  // namespace

Status checkTimes(const double* ts, size_t n) {
  // the first bad time, found over the pool in chunks (the lowest chunk's first)
  const size_t bad = parallelFirst(n, 1 << 15, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      if (!std::isfinite(ts[i]) || (i > 0 && !(ts[i] > ts[i - 1]))) return i;
    }
    return end;
  });
  if (bad == n) return Status{};
  return Status{Fault::LabelTsInvalid, static_cast<double>(bad), ts[bad], bad > 0 ? ts[bad - 1] : NAN};
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
  // chunks of events over the pool, each galloping on from its previous event (its first from 0: the
  // same bar); the lowest faulty event's fault, as a loop in order finds it
  const size_t bad = parallelFirst(m, kEventChunk, [&](size_t begin, size_t end) {
    size_t from = 0;
    for (size_t i = begin; i < end; i++) {
      if (i > 0 && !(t0[i] > t0[i - 1]) && !std::isnan(t0[i])) return i;
      const long j = barAt(ts, n, t0[i], from);
      if (j < 0) return i;
      at[i] = static_cast<size_t>(j);
      from = at[i];
    }
    return end;
  });
  if (bad == m) return Status{};
  const bool increasing = !(bad > 0 && !(t0[bad] > t0[bad - 1]) && !std::isnan(t0[bad]));
  return eventFault(increasing ? EventFault::T0NotABar : EventFault::T0NotIncreasing, bad, t0[bad]);
}

Status eventEnds(const double* ts, size_t n, const std::vector<size_t>& starts, const double* t1, NanEnd nan, std::vector<size_t>& at) {
  const size_t m = starts.size();
  at.assign(m, 0);
  // each end searched from its event's start: the events share out over the pool
  const size_t bad = parallelFirst(m, kEventChunk, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      if (std::isnan(t1[i])) {
        if (nan == NanEnd::Refuse) return i;
        at[i] = nan == NanEnd::Open ? n - 1 : kNoEnd;
        continue;
      }
      size_t j = 0;
      if (!endAt(ts, n, starts[i], t1[i], i, j).ok()) return i;
      at[i] = j;
    }
    return end;
  });
  if (bad == m) return Status{};
  if (std::isnan(t1[bad])) return eventFault(EventFault::T1Nan, bad, t1[bad]);
  size_t j = 0;
  return endAt(ts, n, starts[bad], t1[bad], bad, j);
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
  // each event's mean is its own: events share out over the pool
  parallelFor(starts.size(), 256, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      double sum = 0;
      for (size_t j = starts[i]; j <= ends[i]; j++) sum += unique[j];
      out[i] = sum / static_cast<double>(ends[i] - starts[i] + 1);
    }
  });
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
