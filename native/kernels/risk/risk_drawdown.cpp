// drawdownSeries, drawdowns and aggregateReturns (risk_analytics.hpp): src/backends/reference/
// risk-drawdown.ts function for function, in the same order of floating-point operations.
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "parallel.hpp"
#include "risk_analytics.hpp"
#include "risk_checks.hpp"

namespace kernelbus::risk {
namespace {

// underwater()
void underwater(const double* returns, size_t rows, size_t cols, size_t c, double* out, double* wealth) {
  double w = 1, peak = 1;
  for (size_t t = 0; t < rows; t++) {
    const double r = returns[t * cols + c];
    w *= 1 + (r == r ? r : 0);
    peak = w > peak ? w : peak;
    wealth[t] = w;
    out[t] = w / peak - 1;
  }
}

// One row of the table: start, trough, end, depth, length, peakToTrough, recovery.
using Drawdown = std::array<double, 7>;

// performanceAnalytics()
void performanceAnalytics(const double* u, size_t rows, std::vector<Drawdown>& found) {
  size_t t = 0;
  while (t < rows) {
    if (!(u[t] < 0)) {
      t++;
      continue;
    }
    const size_t from = t;
    size_t trough = t;
    while (t < rows && u[t] < 0) {
      if (u[t] < u[trough]) trough = t;
      t++;
    }
    const bool recovered = t < rows;
    const double f = static_cast<double>(from), tr = static_cast<double>(trough), end = static_cast<double>(t);
    found.push_back({f, tr, recovered ? end : NAN, u[trough], end - f + 1, tr - f + 1, recovered ? end - tr : NAN});
  }
  std::stable_sort(found.begin(), found.end(), [](const Drawdown& a, const Drawdown& b) { return a[3] < b[3]; });
}

// pyfolio()
void pyfolio(const double* wealth, size_t rows, size_t top, std::vector<double>& v, std::vector<unsigned char>& alive,
             std::vector<Drawdown>& found) {
  double peakWealth = -INFINITY;
  for (size_t t = 0; t < rows; t++) {
    peakWealth = wealth[t] > peakWealth ? wealth[t] : peakWealth;
    v[t] = wealth[t] / peakWealth - 1;
  }
  std::fill(alive.begin(), alive.end(), 1);
  constexpr size_t kNone = static_cast<size_t>(-1);
  for (size_t step = 0; step < top; step++) {
    size_t valley = kNone;
    for (size_t t = 0; t < rows; t++)
      if (alive[t] && v[t] == v[t] && (valley == kNone || v[t] < v[valley])) valley = t;
    if (valley == kNone) break;
    size_t peak = kNone;
    for (size_t t = valley + 1; t-- > 0;) {
      if (alive[t] && v[t] == 0) {
        peak = t;
        break;
      }
    }
    if (peak == kNone) break;
    size_t recovery = kNone;
    for (size_t t = valley; t < rows; t++) {
      if (alive[t] && v[t] == 0) {
        recovery = t;
        break;
      }
    }
    const size_t cut = recovery != kNone ? recovery : rows;
    for (size_t t = peak + 1; t < cut; t++) alive[t] = 0;
    const double net = ((wealth[peak] - wealth[valley]) / wealth[peak]) * 100;
    const bool recovered = recovery != kNone;
    const double pk = static_cast<double>(peak), rc = static_cast<double>(recovery);
    found.push_back({pk, static_cast<double>(valley), recovered ? rc : NAN, net, recovered ? rc - pk + 1 : NAN, NAN, NAN});
    size_t left = 0;
    double lowest = INFINITY;
    for (size_t t = 0; t < rows; t++) {
      if (!alive[t]) continue;
      left++;
      if (v[t] < lowest) lowest = v[t];
    }
    if (left == 0 || lowest == 0) break;
  }
}

}  // namespace

// drawdownSeries()
Status drawdownSeries(const double* returns, size_t rows, size_t cols, double* out) {
  const Status s = detail::checkReturns(returns, rows * cols, cols);
  if (!s.ok()) return s;
  // row by row, one running wealth and peak per column (each column's operations as the reference's)
  std::vector<double> wealth(cols, 1), peak(cols, 1);
  double* __restrict w = wealth.data();
  double* __restrict pk = peak.data();
  for (size_t t = 0; t < rows; t++) {
    const double* __restrict r = returns + t * cols;
    double* __restrict o = out + t * cols;
    for (size_t c = 0; c < cols; c++) {
      w[c] *= 1 + (r[c] == r[c] ? r[c] : 0);
      pk[c] = w[c] > pk[c] ? w[c] : pk[c];
      o[c] = w[c] / pk[c] - 1;
    }
  }
  return Status{};
}

// drawdowns()
Status drawdowns(const double* returns, size_t rows, size_t cols, size_t top, int convention, double* out) {
  const Status s = detail::checkReturns(returns, rows * cols, cols);
  if (!s.ok()) return s;
  const DrawdownsOut o = drawdownsOut(out, top, cols);
  std::fill(out, out + drawdownsLength(top, cols), NAN);
  double* fields[7] = {o.start, o.trough, o.end, o.depth, o.length, o.peakToTrough, o.recovery};
  const size_t minColumns = rows == 0 ? cols : 1 + 16384 / rows;
  parallelFor(cols, minColumns, [&](size_t begin, size_t end) {
    std::vector<double> u(rows), w(rows), v(rows);
    std::vector<unsigned char> alive(rows);
    std::vector<Drawdown> found;
    for (size_t c = begin; c < end; c++) {
      found.clear();
      underwater(returns, rows, cols, c, u.data(), w.data());
      if (convention == kPerformanceAnalytics) {
        performanceAnalytics(u.data(), rows, found);
      } else {
        pyfolio(w.data(), rows, top, v, alive, found);
      }
      const size_t k = std::min(top, found.size());
      for (size_t i = 0; i < k; i++)
        for (size_t f = 0; f < 7; f++) fields[f][i * cols + c] = found[i][f];
    }
  });
  return Status{};
}

// aggregateReturns()
Status aggregateReturns(const double* returns, size_t rows, size_t cols, const double* groups, size_t groupCount, double* out) {
  const Status s = detail::checkReturns(returns, rows * cols, cols);
  if (!s.ok()) return s;
  const size_t n = cells(groupCount, cols);
  std::fill(out, out + n, 1.0);
  for (size_t t = 0; t < rows; t++) {
    const double g = groups[t];
    if (!(g >= 0 && g < static_cast<double>(groupCount) && std::floor(g) == g)) continue;
    double* o = out + static_cast<size_t>(g) * cols;
    const double* r = returns + t * cols;
    for (size_t c = 0; c < cols; c++) o[c] *= 1 + (r[c] == r[c] ? r[c] : 0);
  }
  for (size_t i = 0; i < n; i++) out[i] -= 1;
  return Status{};
}

}  // namespace kernelbus::risk
