// Purged k-fold and combinatorial purged cross-validation (generated/labeling.hpp declares them):
// src/backends/reference/labeling/folds.ts in C++: the fold x event matrix of kFoldTrain | kFoldTest.
#include <algorithm>
#include <cmath>
#include <vector>

#include "labeling.hpp"

namespace kernelbus::labeling {

namespace {

constexpr int kFoldTrain = 1;
constexpr int kFoldTest = 2;

Status checkSpans(const double* t0, const double* t1, size_t m) {
  for (size_t i = 0; i < m; i++) {
    if (!std::isfinite(t0[i])) return eventFault(EventFault::T0NotFinite, i, t0[i]);
    if (i > 0 && !(t0[i] > t0[i - 1])) return eventFault(EventFault::T0NotIncreasing, i, t0[i]);
    if (t1[i] < t0[i] || t1[i] == -INFINITY) return eventFault(EventFault::T1BeforeT0, i, t1[i]);
  }
  return Status{};
}

/// C(n, k) as labeling.ts binomial computes it (doubles, rounded).
double binomial(size_t n, size_t k) {
  double c = 1;
  for (size_t i = 1; i <= k; i++) c = (c * static_cast<double>(n - k + i)) / static_cast<double>(i);
  return std::round(c);
}

/// The next of itertools.combinations(range(n), k) after c, in its order; false after the last.
bool nextCombination(std::vector<size_t>& c, size_t n) {
  const size_t k = c.size();
  size_t i = k;
  while (i > 0 && c[i - 1] == n - k + i - 1) i--;
  if (i == 0) return false;
  c[i - 1]++;
  for (size_t j = i; j < k; j++) c[j] = c[j - 1] + 1;
  return true;
}

Status folds(const double* t0, size_t m, const double* t1, size_t count, size_t splits, size_t testSplits, double embargo, int convention,
             double* out) {
  if (Status s = checkSpans(t0, t1, m); !s.ok()) return s;
  if (testSplits >= splits) return Status{Fault::ParamInvalid, 1, static_cast<double>(testSplits), 0};  // testSplits < splits
  if (splits > m) return Status{Fault::SplitsAboveEvents, static_cast<double>(splits), static_cast<double>(m), 0};
  const double expected = binomial(splits, testSplits);
  if (static_cast<double>(count) != expected) return valueFault(ValueFault::FoldsCount, count, expected);
  // numpy's array_split: the first m mod splits blocks one longer
  std::vector<size_t> start(splits + 1, 0);
  for (size_t b = 0; b < splits; b++) start[b + 1] = start[b] + m / splits + (b < m % splits ? 1 : 0);
  const size_t h = static_cast<size_t>(std::floor(static_cast<double>(m) * embargo));
  std::vector<size_t> combo(testSplits);
  for (size_t i = 0; i < testSplits; i++) combo[i] = i;
  std::vector<int> row(m);
  size_t f = 0;
  do {
    std::fill(row.begin(), row.end(), 0);
    for (size_t b : combo) std::fill(row.begin() + static_cast<long>(start[b]), row.begin() + static_cast<long>(start[b + 1]), kFoldTest);
    if (convention == 1) {
      // mlfinlab: every sample starts in train; each block's window [t1[start], t1[end - 1 + h]] purges
      for (size_t j = 0; j < m; j++) row[j] |= kFoldTrain;
      for (size_t b : combo) {
        const size_t end = start[b + 1];
        const double from = t1[start[b]];
        const double to = t1[end - 1 + h < m ? end - 1 + h : end - 1];
        for (size_t j = 0; j < m; j++) {
          const double a = t0[j];
          const double z = t1[j];
          if ((from <= a && a <= to) || (from <= z && z <= to) || (a <= from && to <= z)) row[j] &= ~kFoldTrain;
        }
      }
    } else {
      // the book: train is the rest, less what overlaps a test block's span, less the embargo after it
      for (size_t j = 0; j < m; j++) {
        if (row[j] == 0) row[j] = kFoldTrain;
      }
      for (size_t b : combo) {
        const size_t end = start[b + 1];
        double to = -INFINITY;
        for (size_t i = start[b]; i < end; i++) to = std::max(to, std::isnan(t1[i]) ? INFINITY : t1[i]);
        const double from = t0[start[b]];
        for (size_t j = 0; j < m; j++) {
          const double z = std::isnan(t1[j]) ? INFINITY : t1[j];
          if (row[j] == kFoldTrain && t0[j] <= to && z >= from) row[j] = 0;
        }
        for (size_t j = end; j < std::min(m, end + h); j++) {
          if (row[j] == kFoldTrain) row[j] = 0;
        }
      }
    }
    for (size_t j = 0; j < m; j++) out[f * m + j] = row[j];
    f++;
  } while (nextCombination(combo, splits));
  return Status{};
}

}  // namespace

Status purgedKFold(const double* t0, size_t m, const double* t1, size_t count, size_t splits, size_t testSplits, double embargo,
                   int convention, double* out) {
  return folds(t0, m, t1, count, splits, testSplits, embargo, convention, out);
}

Status combinatorialPurgedKFold(const double* t0, size_t m, const double* t1, size_t count, size_t splits, size_t testSplits,
                                double embargo, int convention, double* out) {
  return folds(t0, m, t1, count, splits, testSplits, embargo, convention, out);
}

}  // namespace kernelbus::labeling
