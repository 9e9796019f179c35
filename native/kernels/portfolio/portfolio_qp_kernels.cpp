// The mean-variance optimizers (portfolio.hpp): each problem written in the solver's form
// (portfolio_qp.hpp) and its optimum read back, as src/backends/reference/portfolio/portfolio.ts does, the
// blocks of a batch shared between threads.
#include <algorithm>
#include <cmath>
#include <vector>

#include "parallel.hpp"
#include "portfolio.hpp"
#include "portfolio_qp.hpp"

namespace kernelbus::portfolio {
namespace {

Status fault(Fault f, double index, double value, double previous) { return Status{f, index, value, previous}; }

// Whether the n x n S is finite and symmetric with a diagonal >= 0: one branch-free pass over the
// lower triangle, row by row, each entry against its mirror (a finite entry equal to its mirror makes
// the mirror finite too); 4-7x faster than the row-major scan with its branches, which finds the fault.
bool covValid(const double* S, size_t n) {
  bool bad = false;
  for (size_t i = 0; i < n; i++) {
    const double* row = S + i * n;
    for (size_t j = 0; j <= i; j++) {
      const double v = row[j];
      bad |= !(v - v == 0) | !(v == S[j * n + i]);
    }
    bad |= !(row[i] >= 0);
  }
  return !bad;
}

}  // namespace

Status solveFault(const QpResult& r, size_t p, const double* tags) {
  const double at = static_cast<double>(p);
  switch (r.status) {
    case QpStatus::Infeasible:
      return fault(Fault::PortfolioInfeasible, at, r.value, tags[static_cast<size_t>(r.where)]);
    case QpStatus::NotPsd:
      return fault(Fault::PortfolioNotPsd, at, r.value, r.where);
    case QpStatus::Unbounded:
      return fault(Fault::PortfolioUnbounded, at, 0, r.where);
    default:
      return fault(Fault::PortfolioNotConverged, at, r.iterations, 0);
  }
}

double quadratic(const double* S, const double* w, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) {
    double r = 0;
    for (size_t j = 0; j < n; j++) r += S[i * n + j] * w[j];
    s += w[i] * r;
  }
  return s;
}

void scaledCov(double* H, const double* S, size_t n, double a, double b) {
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < n; j++) H[i * n + j] = a * S[i * n + j];
    H[i * n + i] += b;
  }
}

Status forEachProblem(size_t n, size_t m, size_t problems, const std::function<Status(size_t, QpSolver&, bool)>& solveOne) {
  const size_t blocks = (problems + kBlock - 1) / kBlock;
  std::vector<Status> faults(blocks);
  // one block a chunk, handed out as threads come free: a batch's problems cost unevenly (rolling
  // windows: a run of hard ones), so contiguous halves left one thread idle while the other finished
  parallelForChunks(blocks, 1, [&](size_t b0, size_t b1) {
    QpSolver solver(n, m);
    for (size_t b = b0; b < b1; b++) {
      const size_t end = std::min(problems, (b + 1) * kBlock);
      for (size_t p = b * kBlock; p < end; p++) {
        const Status s = solveOne(p, solver, p % kBlock != 0);
        if (!s.ok()) {
          faults[b] = s;
          break;
        }
      }
    }
  });
  for (const Status& s : faults)
    if (!s.ok()) return s;
  return Status{};
}

Status checkCovAt(const double* cov, size_t p, size_t n) {
  const size_t base = p * n * n;
  if (covValid(cov + base, n)) return Status{};
  // the first fault in row-major order, as the reference finds it
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < n; j++) {
      const double v = cov[base + i * n + j];
      if (!std::isfinite(v) || v != cov[base + j * n + i] || (i == j && v < 0)) {
        return fault(Fault::PortfolioCovInvalid, static_cast<double>(base + i * n + j), v, static_cast<double>(n));
      }
    }
  }
  return Status{};
}

Status minVariance(const double* cov, size_t covCount, size_t n, const Constraints& c, size_t problems, double l2Gamma, double* out) {
  if (Status s = covCount == 1 ? checkCovAt(cov, 0, n) : Status{}; !s.ok()) return s;
  const MinVarianceOut o = minVarianceOut(out, problems, n);
  const std::vector<double> zero(n, 0.0);
  return forEachProblem(n, c.m, problems, [&](size_t p, QpSolver& solver, bool warm) {
    thread_local std::vector<double> H;
    H.resize(n * n);
    const double* S = cov + (covCount == 1 ? 0 : p * n * n);
    const size_t bo = c.boundCount == 1 ? 0 : p * n;
    if (Status s = covCount > 1 ? checkCovAt(cov, p, n) : Status{}; !s.ok()) return s;
    scaledCov(H.data(), S, n, 1, l2Gamma);
    const QpProblem problem{n, H.data(), zero.data(), c.lower + bo, c.upper + bo, c.m, c.rows, c.rlo, c.rhi};
    const QpResult r = solver.solve(problem, warm);
    if (r.status != QpStatus::Optimal) return solveFault(r, p, c.tags);
    double* w = o.weights + p * n;
    std::copy(solver.x(), solver.x() + n, w);
    o.volatility[p] = std::sqrt(std::max(quadratic(S, w, n), 0.0));
    o.iterations[p] = r.iterations;
    return Status{};
  });
}

}  // namespace kernelbus::portfolio
