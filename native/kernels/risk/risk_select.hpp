// Order statistics of a few hundred doubles without data-dependent branches, for historicalVar()
// (risk.cpp): on returns a branch such as std::nth_element's or std::sort's goes either way at random,
// and its mispredictions were most of the time of a column's VaR (issue 52: a 2520-value column at 95 %,
// 500 distinct columns in one C++ run, min of 15: 11.5 us with std::nth_element and std::sort, 5.5-6 us
// with these). The values are finite (checkReturns refuses infinities, NaN are not gathered).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace kernelbus::risk::detail {

// x[0..k] the k + 1 smallest of x[0..n) in some order, x[k] the largest of them (k < n): quickselect by
// Lomuto partitions around a median of three, each element moved by a swap whatever its side (the
// partition point advances by the comparison's 0 or 1). A range that does not shrink fast enough (an
// adversarial order) is finished by std::nth_element.
inline void selectSmallest(double* x, size_t n, size_t k) {
  size_t lo = 0, hi = n;
  for (size_t budget = 64; hi - lo > 16; budget--) {
    if (budget == 0) {
      std::nth_element(x + lo, x + k, x + hi);
      return;
    }
    const double a = x[lo], b = x[lo + (hi - lo) / 2], c = x[hi - 1];
    const double p = std::max(std::min(a, b), std::min(std::max(a, b), c));
    size_t m = lo;  // [lo, m) < p <= [m, i)
    for (size_t i = lo; i < hi; i++) {
      const double v = x[i];
      x[i] = x[m];
      x[m] = v;
      m += v < p;
    }
    if (m == lo) {  // p is the least: the values equal to it split off instead
      for (size_t i = lo; i < hi; i++) {
        const double v = x[i];
        x[i] = x[m];
        x[m] = v;
        m += v <= p;
      }
      if (k < m) return;  // x[k] == p, and so is all of [lo, m)
    }
    (k < m ? hi : lo) = m;
  }
  std::sort(x + lo, x + hi);
}

// x[0..n) sorted ascending (tmp: n values of room): sorted fours by a comparator network of min and
// max, then merges of runs whose step takes the smaller head by a select, not a branch.
inline void sortAscending(double* x, size_t n, double* tmp) {
  const auto order = [](double& a, double& b) {
    const double lo = std::min(a, b), hi = std::max(a, b);
    a = lo;
    b = hi;
  };
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    double* r = x + i;
    order(r[0], r[1]);
    order(r[2], r[3]);
    order(r[0], r[2]);
    order(r[1], r[3]);
    order(r[1], r[2]);
  }
  std::sort(x + i, x + n);
  double* src = x;
  double* dst = tmp;
  for (size_t width = 4; width < n; width *= 2) {
    for (size_t start = 0; start < n; start += 2 * width) {
      size_t a = start, o = start;
      const size_t aEnd = std::min(n, start + width), bEnd = std::min(n, start + 2 * width);
      size_t b = aEnd;
      while (a < aEnd && b < bEnd) {
        const double u = src[a], v = src[b];
        const bool takeB = v < u;
        dst[o++] = takeB ? v : u;
        b += takeB;
        a += !takeB;
      }
      while (a < aEnd) dst[o++] = src[a++];
      while (b < bEnd) dst[o++] = src[b++];
    }
    std::swap(src, dst);
  }
  if (src != x) std::memcpy(x, src, n * sizeof(double));
}

}  // namespace kernelbus::risk::detail
