// A book's P&L over its scenarios and its margin (generated/margin.hpp declares them):
// src/backends/reference/margin/margin.ts in C++, the same operations in the same order; the tail is
// the risk family's historicalVar (risk_checks.hpp), which sums the sorted smallest values as the
// reference does.
#include <algorithm>
#include <cmath>
#include <vector>

#include "margin.hpp"
#include "math/interleaved_dot.hpp"
#include "parallel.hpp"
#include "risk_checks.hpp"
#include "simd.hpp"

namespace kernelbus::margin {

Status requireFinite(const double* x, size_t n, MarginFault kind) {
  for (size_t i = 0; i < n; i++) {
    if (!std::isfinite(x[i])) return marginFault(kind, static_cast<double>(i), x[i]);
  }
  return Status{};
}

double marginOf(double* pnl, size_t n, double c, int measure, std::vector<double>& scratch) {
  double var = 0;
  double es = 0;
  risk::detail::historicalVar(pnl, n, c, var, es, scratch);
  const double m = measure == 0 ? es : var;
  return m > 0 ? m : 0;
}

namespace {

/// A book's P&L over the scenarios (rows x cols), four scenarios a pass (math::dotRows).
void pnlInto(const double* positions, const double* scenarios, size_t rows, size_t cols, double* pnl) {
  simd::run<math::dotRows>(positions, scenarios, cols, cols, rows, pnl, size_t{1});
}

/// The first value of x[0..n) that is not finite, or n.
size_t firstNonFinite(const double* x, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (!std::isfinite(x[i])) return i;
  }
  return n;
}

/// The scenarios checked through a book's P&L over them (positions finite): a row holding a value
/// that is not finite has a P&L that is not (0 x inf and 0 x NaN are NaN), so only those rows are
/// scanned; the first such value in the data's order is the fault, as requireFinite() would find it.
Status checkThroughPnl(const double* pnl, const double* data, size_t rows, size_t cols) {
  for (size_t s = 0; s < rows; s++) {
    if (std::isfinite(pnl[s])) continue;
    const size_t i = firstNonFinite(data + s * cols, cols);
    if (i < cols) return marginFault(MarginFault::Scenario, static_cast<double>(s * cols + i), data[s * cols + i]);
  }
  return Status{};
}

}  // namespace

Status initialMargin(const double* positions, size_t books, const double* data, size_t rows, size_t cols, double confidence, int measure,
                     double* out) {
  if (Status s = requireFinite(positions, books * cols, MarginFault::Position); !s.ok()) return s;
  if (books == 0) return requireFinite(data, rows * cols, MarginFault::Scenario);
  const InitialMarginOut o = initialMarginOut(out, books, rows);
  // every book's P&L in a scenario is its own: (book, scenario) pairs share out over the pool, whole books
  // a chunk (one book on two threads took 146 us against 87 on one, 1,000 x 500: the scenarios' reads bind,
  // and a thread's hand-off costs more), each chunk's pairs a run of one book's scenarios at a time (math::dotRows)
  parallelFor(books * rows, rows * std::max<size_t>(1, (size_t{1} << 17) / (rows * cols + 1)), [&](size_t begin, size_t end) {
    for (size_t k = begin; k < end;) {
      const size_t p = k / rows;
      const size_t s = k % rows;
      const size_t count = std::min(end - k, rows - s);
      simd::run<math::dotRows>(positions + p * cols, data + s * cols, cols, cols, count, o.pnl + k, size_t{1});
      k += count;
    }
  });
  if (Status s = checkThroughPnl(o.pnl, data, rows, cols); !s.ok()) return s;
  parallelFor(books, 1 + 4096 / (rows + 1), [&](size_t begin, size_t end) {
    std::vector<double> scratch;
    std::vector<double> sorted(rows);
    for (size_t p = begin; p < end; p++) {
      if (rows == 0) {
        o.margin[p] = 0;
        continue;
      }
      sorted.assign(o.pnl + p * rows, o.pnl + (p + 1) * rows);
      o.margin[p] = marginOf(sorted.data(), rows, confidence, measure, scratch);
    }
  });
  return Status{};
}

Status marginalMargin(const double* positions, const double* data, size_t rows, size_t cols, size_t instrument, double value,
                      double confidence, int measure, double* out) {
  if (Status s = requireFinite(positions, cols, MarginFault::Position); !s.ok()) return s;
  if (Status s = requireFinite(data, rows * cols, MarginFault::Scenario); !s.ok()) return s;
  if (instrument >= cols) return marginFault(MarginFault::Instrument, static_cast<double>(instrument), static_cast<double>(cols));
  out[0] = 0;
  if (rows == 0) return Status{};
  std::vector<double> pnl(rows);
  std::vector<double> scratch;
  pnlInto(positions, data, rows, cols, pnl.data());
  const double without = marginOf(pnl.data(), rows, confidence, measure, scratch);
  std::vector<double> after(positions, positions + cols);
  after[instrument] += value;
  pnlInto(after.data(), data, rows, cols, pnl.data());
  out[0] = marginOf(pnl.data(), rows, confidence, measure, scratch) - without;
  return Status{};
}

Status pnlMargin(const double* pnl, size_t n, const double* column, size_t k, double value, double confidence, int measure, double* out) {
  if (k != 0 && k != n) return marginFault(MarginFault::ColumnLength, static_cast<double>(k), static_cast<double>(n));
  if (Status s = requireFinite(pnl, n, MarginFault::Pnl); !s.ok()) return s;
  if (Status s = requireFinite(column, k, MarginFault::Pnl); !s.ok()) return s;
  out[0] = 0;
  if (n == 0) return Status{};
  std::vector<double> moved(pnl, pnl + n);
  if (k != 0) {
    for (size_t s = 0; s < n; s++) moved[s] = pnl[s] + value * column[s];
  }
  std::vector<double> scratch;
  out[0] = marginOf(moved.data(), n, confidence, measure, scratch);
  return Status{};
}

}  // namespace kernelbus::margin
