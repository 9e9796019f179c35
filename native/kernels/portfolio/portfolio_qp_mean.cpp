// The optimizers over expected returns (portfolio.hpp: maxSharpe, maxUtility, efficientReturn,
// efficientRisk): each problem written in the solver's form (portfolio_qp.hpp), as
// src/backends/reference/portfolio/portfolio-mean.ts does (its comment says how), function for function.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "parallel.hpp"
#include "portfolio.hpp"
#include "portfolio_psd.hpp"
#include "portfolio_qp.hpp"

namespace kernelbus::portfolio {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kRowKind = 16777216;  // 2^24: portfolio.ts ROW_KIND
constexpr double kTargetReturnTag = 4 * kRowKind, kSharpeTag = 5 * kRowKind, kBoundKind = 6, kBudgetTag = 0;
/// efficientRisk's relative accuracy in variance, and its step limits (portfolio-mean.ts).
constexpr double kRiskRtol = 1e-14;
constexpr int kMaxRiskSteps = 200;

Status fault(Fault f, double index, double value, double previous) { return Status{f, index, value, previous}; }

/// The means, then a shared covariance, checked.
Status checkMeans(const MeanBatch& b) {
  const size_t count = b.meanCount * b.n;
  for (size_t k = 0; k < count; k++) {
    if (!std::isfinite(b.mean[k]))
      return fault(Fault::PortfolioMeanNotFinite, static_cast<double>(k), b.mean[k], b.meanCount == 1 ? 1.0 : static_cast<double>(b.n));
  }
  return Status{};
}

/// The means, then a shared covariance (checkCovAt: its max |S_ij| into `scale` when given).
Status checkInputs(const MeanBatch& b, double* scale = nullptr) {
  if (Status s = checkMeans(b); !s.ok()) return s;
  return b.covCount == 1 ? checkCovAt(b.cov, 0, b.n, scale) : Status{};
}

/// Problem p's covariance of a stack, checked as its problem starts (its max |S_ij| into `scale` when given).
Status checkProblemCov(const MeanBatch& b, size_t p, double* scale = nullptr) {
  return b.covCount > 1 ? checkCovAt(b.cov, p, b.n, scale) : Status{};
}

const double* meanOf(const MeanBatch& b, size_t p) { return b.mean + (b.meanCount == 1 ? 0 : p * b.n); }
const double* covOf(const MeanBatch& b, size_t p) { return b.cov + (b.covCount == 1 ? 0 : p * b.n * b.n); }
size_t boundsOf(const Constraints& c, size_t p, size_t n) { return c.boundCount == 1 ? 0 : p * n; }

double dot(const double* mu, const double* w, size_t n) {
  double s = 0;
  for (size_t j = 0; j < n; j++) s += mu[j] * w[j];
  return s;
}

/// Problem p's row of the outputs from its weights (already in o.weights).
void record(const MeanOut& o, const MeanBatch& b, size_t p, double riskFree, double iterations) {
  const size_t n = b.n;
  const double* w = o.weights + p * n;
  const double ret = dot(meanOf(b, p), w, n);
  const double vol = std::sqrt(std::max(quadratic(covOf(b, p), w, n), 0.0));
  o.expectedReturn[p] = ret;
  o.volatility[p] = vol;
  o.sharpe[p] = (ret - riskFree) / vol;
  o.iterations[p] = iterations;
}

/// The rows with one more (row m: problem p's expected returns), their sides and tags: per thread.
struct ReturnRows {
  std::vector<double> A, rlo, rhi, tags;
  ReturnRows(const Constraints& c, size_t n) : A((c.m + 1) * n), rlo(c.m + 1), rhi(c.m + 1), tags(c.m + 1) {
    std::copy(c.rows, c.rows + c.m * n, A.begin());
    std::copy(c.rlo, c.rlo + c.m, rlo.begin());
    std::copy(c.rhi, c.rhi + c.m, rhi.begin());
    std::copy(c.tags, c.tags + c.m, tags.begin());
    rlo[c.m] = -kInf;
    rhi[c.m] = kInf;
    tags[c.m] = kTargetReturnTag;
  }
  void setMean(const double* mu, size_t n, size_t m) { std::copy(mu, mu + n, A.begin() + static_cast<std::ptrdiff_t>(m * n)); }
};

QpProblem problemOf(size_t n, const double* H, const double* c, const Constraints& k, size_t bo, const double* A, const double* rlo,
                    const double* rhi, size_t m) {
  return QpProblem{n, H, c, k.lower + bo, k.upper + bo, m, A, rlo, rhi};
}

/// The highest expected return of the problem's constraints, the target row relaxed (max mu'w, H = 0).
Status highestReturn(QpSolver& solver, QpProblem problem, const double* mu, size_t n, size_t p, const double* tags, double& value,
                     double& iterations) {
  std::vector<double> zero(n * n, 0.0), c(n);
  for (size_t j = 0; j < n; j++) c[j] = -mu[j];
  std::vector<double> rlo(problem.rlo, problem.rlo + problem.m);
  rlo[problem.m - 1] = -kInf;
  problem.H = zero.data();
  problem.c = c.data();
  problem.rlo = rlo.data();
  const QpResult r = solver.solve(problem, false);
  if (r.status != QpStatus::Optimal) return solveFault(r, p, tags);
  value = dot(mu, solver.x(), n);
  iterations = r.iterations;
  return Status{};
}

}  // namespace

Status maxUtility(const MeanBatch& b, const Constraints& c, double riskAversion, double l2Gamma, double riskFree, double* out) {
  if (Status s = checkInputs(b); !s.ok()) return s;
  const MeanOut o = meanOut(out, b.problems, b.n);
  const size_t n = b.n;
  return forEachProblem(n, c.m, b.problems, [&](size_t p, QpSolver& solver, bool warm) {
    if (Status s = checkProblemCov(b, p); !s.ok()) return s;
    std::vector<double> H(n * n), lin(n);
    const double* mu = meanOf(b, p);
    scaledCov(H.data(), covOf(b, p), n, riskAversion, 2 * l2Gamma);
    for (size_t j = 0; j < n; j++) lin[j] = -mu[j];
    const QpResult r = solver.solve(problemOf(n, H.data(), lin.data(), c, boundsOf(c, p, n), c.rows, c.rlo, c.rhi, c.m), warm);
    if (r.status != QpStatus::Optimal) return solveFault(r, p, c.tags);
    std::copy(solver.x(), solver.x() + n, o.weights + p * n);
    record(o, b, p, riskFree, r.iterations);
    return Status{};
  });
}

Status efficientReturn(const MeanBatch& b, const Constraints& c, const double* targets, double l2Gamma, double riskFree, double* out) {
  if (Status s = checkInputs(b); !s.ok()) return s;
  const MeanOut o = meanOut(out, b.problems, b.n);
  const size_t n = b.n, m = c.m;
  return forEachProblem(n, m + 1, b.problems, [&](size_t p, QpSolver& solver, bool warm) {
    if (Status s = checkProblemCov(b, p); !s.ok()) return s;
    std::vector<double> H(n * n), lin(n, 0.0);
    ReturnRows rows(c, n);
    const double* mu = meanOf(b, p);
    scaledCov(H.data(), covOf(b, p), n, 1, l2Gamma);
    rows.setMean(mu, n, m);
    rows.rlo[m] = targets[p];
    const QpProblem problem =
        problemOf(n, H.data(), lin.data(), c, boundsOf(c, p, n), rows.A.data(), rows.rlo.data(), rows.rhi.data(), m + 1);
    const QpResult r = solver.solve(problem, warm);
    if (r.status == QpStatus::Infeasible && r.where == static_cast<double>(m)) {
      double best = 0, iterations = 0;
      if (Status s = highestReturn(solver, problem, mu, n, p, rows.tags.data(), best, iterations); !s.ok()) return s;
      return fault(Fault::PortfolioReturnTarget, static_cast<double>(p), targets[p], best);
    }
    if (r.status != QpStatus::Optimal) return solveFault(r, p, rows.tags.data());
    std::copy(solver.x(), solver.x() + n, o.weights + p * n);
    record(o, b, p, riskFree, r.iterations);
    return Status{};
  });
}

Status efficientRisk(const MeanBatch& b, const Constraints& c, const double* targets, double l2Gamma, double riskFree, double* out) {
  if (Status s = checkInputs(b); !s.ok()) return s;
  const MeanOut o = meanOut(out, b.problems, b.n);
  const size_t n = b.n, m = c.m;
  return forEachProblem(n, m + 1, b.problems, [&](size_t p, QpSolver& solver, bool warm) -> Status {
    if (Status s = checkProblemCov(b, p); !s.ok()) return s;
    std::vector<double> H(n * n), lin(n, 0.0);
    ReturnRows rows(c, n);
    const double* mu = meanOf(b, p);
    const double* S = covOf(b, p);
    rows.setMean(mu, n, m);
    const QpProblem problem =
        problemOf(n, H.data(), lin.data(), c, boundsOf(c, p, n), rows.A.data(), rows.rlo.data(), rows.rhi.data(), m + 1);
    const double sigma = targets[p];
    double iterations = 0;
    Status failedSolve;
    // min w'Sw + t gamma |w|^2 - t mu'w: the solution's variance (failedSolve set when it fails)
    auto solveAt = [&](double t, bool warmStart) {
      scaledCov(H.data(), S, n, 2, 2 * t * l2Gamma);
      for (size_t j = 0; j < n; j++) lin[j] = -t * mu[j];
      const QpResult r = solver.solve(problem, warmStart);
      iterations += r.iterations;
      if (r.status != QpStatus::Optimal) failedSolve = solveFault(r, p, rows.tags.data());
      return quadratic(S, solver.x(), n);
    };
    const double target = sigma * sigma;
    const double vmin = solveAt(0, warm);
    if (!failedSolve.ok()) return failedSolve;
    if (vmin > target * (1 + kRiskRtol)) return fault(Fault::PortfolioRiskTarget, static_cast<double>(p), sigma, std::sqrt(vmin));
    if (vmin < target * (1 - kRiskRtol)) {
      double vinf = 0;
      if (l2Gamma > 0) {
        scaledCov(H.data(), S, n, 0, 2 * l2Gamma);
        for (size_t j = 0; j < n; j++) lin[j] = -mu[j];
        const QpResult r = solver.solve(problem, true);
        iterations += r.iterations;
        if (r.status != QpStatus::Optimal) return solveFault(r, p, rows.tags.data());
        vinf = quadratic(S, solver.x(), n);
      } else {
        double best = 0, its = 0;
        if (Status s = highestReturn(solver, problem, mu, n, p, rows.tags.data(), best, its); !s.ok()) return s;
        iterations += its;
        rows.rlo[m] = best;
        scaledCov(H.data(), S, n, 2, 0);
        std::fill(lin.begin(), lin.end(), 0.0);
        const QpResult r = solver.solve(problem, false);
        iterations += r.iterations;
        if (r.status != QpStatus::Optimal) return solveFault(r, p, rows.tags.data());
        vinf = quadratic(S, solver.x(), n);
        rows.rlo[m] = -kInf;
      }
      if (vinf > target * (1 + kRiskRtol)) {
        double lo = 0, flo = vmin - target, hi = 1;
        double fhi = solveAt(hi, false) - target;
        if (!failedSolve.ok()) return failedSolve;
        for (int k = 0; fhi < 0 && k < kMaxRiskSteps; k++) {
          lo = hi;
          flo = fhi;
          hi *= 4;
          fhi = solveAt(hi, true) - target;
          if (!failedSolve.ok()) return failedSolve;
        }
        int side = 0;
        double f = fhi;
        for (int k = 0; k < kMaxRiskSteps && std::fabs(f) > kRiskRtol * target; k++) {
          const double t = hi - (fhi * (hi - lo)) / (fhi - flo);
          if (!(t > lo && t < hi)) break;
          f = solveAt(t, true) - target;
          if (!failedSolve.ok()) return failedSolve;
          if (f > 0) {
            hi = t;
            fhi = f;
            if (side == 1) flo /= 2;
            side = 1;
          } else {
            lo = t;
            flo = f;
            if (side == -1) fhi /= 2;
            side = -1;
          }
        }
      }
    }
    std::copy(solver.x(), solver.x() + n, o.weights + p * n);
    record(o, b, p, riskFree, iterations);
    return Status{};
  });
}

namespace {

/// maxSharpe's problem in y for problem p (portfolio-mean.ts sharpeProblem).
struct SharpeProblem {
  std::vector<double> A, rlo, rhi, tags, lower, upper;
  double budget = 1;
  size_t rows() const { return rlo.size(); }
};

void sharpeProblem(const MeanBatch& b, const Constraints& c, size_t p, double riskFree, SharpeProblem& s) {
  const size_t n = b.n, m = c.m;
  const double* mu = meanOf(b, p);
  const size_t bo = boundsOf(c, p, n);
  const double budget = c.rlo[0];
  s.A.clear();
  s.rlo.clear();
  s.rhi.clear();
  s.tags.clear();
  auto push = [&](auto row, double lo, double hi, double tag) {
    for (size_t j = 0; j < n; j++) s.A.push_back(row(j));
    s.rlo.push_back(lo);
    s.rhi.push_back(hi);
    s.tags.push_back(tag);
  };
  push([&](size_t j) { return mu[j] - riskFree; }, 1, 1, kSharpeTag);
  for (size_t i = 1; i < m; i++) {
    const double lo = c.rlo[i], hi = c.rhi[i];
    auto scaled = [&](double side) { return [&, side](size_t j) { return budget * c.rows[i * n + j] - side; }; };
    if (lo == hi) {
      push(scaled(lo), 0, 0, c.tags[i]);
    } else {
      if (lo > -kInf) push(scaled(lo), 0, kInf, c.tags[i]);
      if (hi < kInf) push(scaled(hi), -kInf, 0, c.tags[i]);
    }
  }
  bool nonNegative = true;
  for (size_t j = 0; j < n; j++)
    if (c.lower[bo + j] < 0) nonNegative = false;
  s.lower.assign(n, 0.0);
  s.upper.assign(n, kInf);
  for (size_t j = 0; j < n; j++) {
    const double l = c.lower[bo + j], u = c.upper[bo + j];
    const double tag = kBoundKind * kRowKind + static_cast<double>(j);
    s.lower[j] = l >= 0 ? 0 : -kInf;
    if (l > -kInf && l != 0) push([&](size_t k) { return (k == j ? budget : 0) - l; }, 0, kInf, tag);
    if (u < kInf && !(nonNegative && u >= budget)) push([&](size_t k) { return (k == j ? budget : 0) - u; }, -kInf, 0, tag);
  }
  if (!nonNegative) push([](size_t) { return 1.0; }, 0, kInf, kBudgetTag);
  s.budget = budget;
}

/// maxSharpe's problem p: its QP in y, solved by `blockSolver` (warm as forEachProblem says) or its own
/// (bounds of its own), and its portfolio w = budget y / sum(y) recorded. `covScale`: max |S_ij| of its
/// covariance when the check found it, else -1.
Status sharpeOne(const MeanBatch& b, const Constraints& c, size_t p, double riskFree, double l2Gamma, QpSolver& blockSolver, bool warm,
                 const MeanOut& o, double covScale) {
  const size_t n = b.n;
  const double* mu = meanOf(b, p);
  double best = -kInf;
  for (size_t j = 0; j < n; j++) best = std::max(best, mu[j]);
  if (!(best > riskFree)) return fault(Fault::PortfolioInfeasible, static_cast<double>(p), best, kSharpeTag);
  SharpeProblem s;
  sharpeProblem(b, c, p, riskFree, s);
  // H = S + l2Gamma I: S itself when l2Gamma is 0
  const bool plain = l2Gamma == 0;
  std::vector<double> H(plain ? 0 : n * n), lin(n, 0.0);
  if (!plain) scaledCov(H.data(), covOf(b, p), n, 1, l2Gamma);
  const QpProblem problem{n,
                          plain ? covOf(b, p) : H.data(),
                          lin.data(),
                          s.lower.data(),
                          s.upper.data(),
                          s.rows(),
                          s.A.data(),
                          s.rlo.data(),
                          s.rhi.data(),
                          plain ? covScale : -1};
  const bool shared = c.boundCount == 1;
  QpSolver own(shared ? 0 : n, shared ? 0 : s.rows());
  QpSolver& solver = shared ? blockSolver : own;
  const QpResult r = solver.solve(problem, shared && warm);
  if (r.status != QpStatus::Optimal) return solveFault(r, p, s.tags.data());
  const double* y = solver.x();
  double k = 0;
  for (size_t j = 0; j < n; j++) k += y[j];
  if (!(k > 0)) return fault(Fault::PortfolioUnbounded, static_cast<double>(p), 0, -1);
  for (size_t j = 0; j < n; j++) o.weights[p * n + j] = (s.budget * y[j]) / k;
  record(o, b, p, riskFree, r.iterations);
  return Status{};
}

}  // namespace

Status maxSharpe(const MeanBatch& b, const Constraints& c, double riskFree, double l2Gamma, bool psdTest, double* out) {
  // one problem of one covariance with a second thread: the test beside the covariance's check and the
  // solve (below)
  const bool overlap = psdTest && b.covCount == 1 && b.problems == 1 && b.n >= kOverlapFromAssets && threadCount() >= 2;
  double sharedScale = -1;
  if (Status s = overlap ? checkMeans(b) : checkInputs(b, &sharedScale); !s.ok()) return s;
  const MeanOut o = meanOut(out, b.problems, b.n);
  const size_t n = b.n;
  // one solver per block when every problem has the same rows (one set of bounds), else one per problem
  SharpeProblem first;
  sharpeProblem(b, c, 0, riskFree, first);
  const size_t rows = first.rows();
  const auto solveAll = [&] {
    return forEachProblem(n, rows, b.problems, [&](size_t p, QpSolver& blockSolver, bool warm) -> Status {
      double scale = sharedScale;
      if (Status s = checkProblemCov(b, p, &scale); !s.ok()) return s;
      if (psdTest && b.covCount > 1) {
        thread_local std::vector<double> scratch;
        if (Status s = testCovariance(covOf(b, p), n, static_cast<double>(p), scratch); !s.ok()) return s;
      }
      return sharpeOne(b, c, p, riskFree, l2Gamma, blockSolver, warm, o, scale);
    });
  };
  if (!(psdTest && b.covCount == 1)) return solveAll();
  // the shared covariance's test first, or beside its check and the solve for one problem, whose thread
  // then helps the test; the check's fault decides, then the test's, as in order (minVariance's overlap)
  std::vector<double> scratch;
  if (overlap) {
    PsdTeam team;
    Status check;
    const Status s = sideBySide([&] { return testCovariance(b.cov, n, -1, scratch, &team); },
                                [&] {
                                  check = checkCovAt(b.cov, 0, n, &sharedScale);
                                  if (!check.ok()) return Status{};
                                  const Status solved = solveAll();
                                  psdHelp(team);
                                  return solved;
                                });
    return check.ok() ? s : check;
  }
  if (Status s = testCovariance(b.cov, n, -1, scratch); !s.ok()) return s;
  return solveAll();
}

}  // namespace kernelbus::portfolio
