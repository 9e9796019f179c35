// libFuzzer target of the portfolio optimizers (portfolio_entry.hpp, portfolio_qp.hpp).
// Part 1, the entries with what a JS caller can pass once the binding has checked the kinds: the two
// records (ProblemStack, ResolvedConstraints) of arbitrary counts and array lengths (each array
// allocated at exactly its length, so that a read or write past it is an ASan report) holding
// arbitrary values (non-finite, asymmetric or indefinite covariances among them), bounds and rows
// valid or not, parameters valid or anything. Invariants: no crash, no sanitizer
// report; an entry succeeds only when every array has its layout's length; an entry that succeeds
// writes no NaN into a weight.
// Part 2, the solver on random problems built feasible (a point inside the bounds and the rows, a
// positive semidefinite H = G'G, possibly singular): never Infeasible, and an optimum finite, within the
// bounds and the rows (to 1e-9 of the row's scale: the solver refuses as not converging what it meets
// only to a degenerate working set's conditioning); and on problems built infeasible (upper bounds summing below the budget): Infeasible.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "input.hpp"
#include "invariants.hpp"
#include "portfolio/portfolio_entry.hpp"
#include "portfolio/portfolio_qp.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

/// Arrays of one call, each its exact length or not.
class Args {
 public:
  explicit Args(fuzz::Input& in) : in_(in) {}
  In input(size_t expected, bool any = false) {
    const size_t n = length(expected);
    store_.push_back(any ? in_.column(n) : std::vector<double>(n));
    return In{store_.back().data(), n};
  }
  /// An array of `expected` values from `make(k)` (when the length is exact), else anything.
  template <typename Make>
  In values(size_t expected, Make make) {
    const size_t n = length(expected);
    std::vector<double> v = in_.column(n);
    if (n == expected && in_.in<int>(0, 7) != 0)
      for (size_t k = 0; k < n; k++) v[k] = make(k);
    store_.push_back(std::move(v));
    return In{store_.back().data(), n};
  }
  Packed params(std::vector<double> valid) {
    if (in_.in<int>(0, 5) == 0) valid[in_.in<size_t>(0, valid.size() - 1)] = in_.anyDouble();
    store_.push_back(valid);
    return Packed{store_.back().data(), valid.size()};
  }
  Out output(size_t expected) {
    const size_t n = length(expected);
    store_.emplace_back(n, 0.0);
    return Out{store_.back().data(), n};
  }
  void check(const Outcome& o, Out out, size_t weights) const {
    if (o.ok()) {
      require(exact_);
      for (size_t k = 0; k < weights && k < out.length; k++) require(!std::isnan(out.data[k]));
    }
    if (!exact_) require(!o.ok());
  }

 private:
  size_t length(size_t expected) {
    if (expected <= 4096 && in_.in<int>(0, 9) != 0) return expected;
    const size_t n = in_.in<size_t>(0, 40);
    exact_ = exact_ && n == expected;
    return n;
  }
  fuzz::Input& in_;
  std::deque<std::vector<double>> store_;
  bool exact_ = true;
};

/// A covariance of n assets: PSD from random factors, or arbitrary values.
std::vector<double> covariance(fuzz::Input& in, size_t n, size_t count) {
  std::vector<double> cov(count * n * n);
  for (size_t p = 0; p < count; p++) {
    const size_t t = in.in<size_t>(1, 2 * n + 1);
    std::vector<double> x(t * n);
    for (double& v : x) v = in.real(-0.05, 0.05);
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < n; j++) {
        double s = 0;
        for (size_t d = 0; d < t; d++) s += x[d * n + i] * x[d * n + j];
        cov[p * n * n + i * n + j] = s / static_cast<double>(t);
      }
  }
  if (in.in<int>(0, 9) == 0 && !cov.empty()) cov[in.in<size_t>(0, cov.size() - 1)] = in.anyDouble();
  return cov;
}

void entries(fuzz::Input& in) {
  const size_t n = in.in<size_t>(0, 8), P = in.in<size_t>(0, 3), m = in.in<size_t>(0, 3);
  const size_t covCount = in.flag() ? 1 : P, boundCount = in.flag() ? 1 : P, meanCount = in.flag() ? 1 : P;
  Args a(in);
  const std::vector<double> c = covariance(in, n, covCount);
  const In cov = a.values(covCount * n * n, [&](size_t k) { return c[k]; });
  const In lower = a.values(boundCount * n, [&](size_t) { return in.flag() ? 0.0 : -in.real(0, 2); });
  const In upper = a.values(boundCount * n, [&](size_t) { return in.flag() ? 1.0 : in.real(0, 2); });
  const In rows = a.values(m * n, [&](size_t k) { return k < n ? 1.0 : in.real(-1, 1); });
  const In rlo = a.values(m, [&](size_t i) { return i == 0 ? 1.0 : in.flag() ? -INFINITY : in.real(-1, 1); });
  const In rhi = a.values(m, [&](size_t i) { return i == 0 ? 1.0 : in.real(0, 2); });
  const In tags = a.values(m, [&](size_t i) { return static_cast<double>(i); });
  // only the arrays the entry takes (the invariant is over them): means for all but minVariance, targets for two
  const int which = in.in<int>(0, 5);
  const In mean = which >= 1 && which <= 4 ? a.values(meanCount * n, [&](size_t) { return in.real(-0.01, 0.02); }) : In{nullptr, 0};
  const In targets = which == 3 || which == 4 ? a.values(P, [&](size_t) { return in.real(0, 0.3); }) : In{nullptr, 0};
  // the two records (their means absent for minVariance, which reads none)
  using portfolio::entry::ProblemStack, portfolio::entry::ResolvedConstraints;
  const ProblemStack stack{mean, meanCount, cov, covCount, n, P};
  const ResolvedConstraints constraints{lower, upper, boundCount, rows, rlo, rhi, tags, m};
  switch (which) {
    case 0: {
      const Out out = a.output(portfolio::minVarianceLength(P, n));
      a.check(portfolio::entry::minVariance(stack, constraints, a.params({0.0, in.flag() ? 1.0 : 0.0}), out), out, P * n);
      break;
    }
    case 1: {
      const Out out = a.output(portfolio::meanLength(P, n));
      a.check(portfolio::entry::maxSharpe(stack, constraints, a.params({0.0, 0.0, in.flag() ? 1.0 : 0.0}), out), out, P * n);
      break;
    }
    case 2: {
      const Out out = a.output(portfolio::meanLength(P, n));
      a.check(portfolio::entry::maxUtility(stack, constraints, a.params({1.0, 0.0, 0.0}), out), out, P * n);
      break;
    }
    case 3: {
      const Out out = a.output(portfolio::meanLength(P, n));
      a.check(portfolio::entry::efficientReturn(stack, constraints, targets, a.params({0.0, 0.0}), out), out, P * n);
      break;
    }
    case 4: {
      const Out out = a.output(portfolio::meanLength(P, n));
      a.check(portfolio::entry::efficientRisk(stack, constraints, targets, a.params({0.0, 0.0}), out), out, P * n);
      break;
    }
    default: {
      // its own arrays (the frontier reads no rows: the call's, whatever their lengths, beside them): P
      // problems, each count 1 or P
      Args f(in);
      const std::vector<double> fc = covariance(in, n, covCount);
      const In fmean = f.values(meanCount * n, [&](size_t) { return in.real(-0.01, 0.02); });
      const In fcov = f.values(covCount * n * n, [&](size_t k) { return fc[k]; });
      const In flower = f.values(boundCount * n, [&](size_t) { return in.flag() ? 0.0 : -in.real(0, 2); });
      const In fupper = f.values(boundCount * n, [&](size_t) { return in.flag() ? 1.0 : in.real(0, 2); });
      const size_t points = in.in<size_t>(0, 5);
      const Out out = f.output(portfolio::frontierLength(P, n, points));
      const ProblemStack fstack{fmean, meanCount, fcov, covCount, n, P};
      const ResolvedConstraints fbounds{flower, fupper, boundCount, rows, rlo, rhi, tags, m};
      const Outcome o = portfolio::entry::efficientFrontier(fstack, fbounds, points, out);
      f.check(o, out, 0);
      // a frontier computed: each problem's turning points (at least the two ends, within the room) have
      // finite weights (a covariance that is not PSD, whose turning points can be NaN, is a fault)
      for (size_t p = 0; o.ok() && p < P; p++) {
        const portfolio::FrontierOut fo = portfolio::frontierOut(out.data, P, n, points, p);
        require(*fo.count >= 2 && *fo.count <= static_cast<double>(portfolio::turningPointCapacity(n)));
        for (size_t k = 0; k < static_cast<size_t>(*fo.count) * n; k++) require(std::isfinite(fo.weights[k]));
      }
      break;
    }
  }
}

void solver(fuzz::Input& in) {
  const size_t n = in.in<size_t>(1, 10), m = in.in<size_t>(0, 3);
  const bool infeasible = in.in<int>(0, 4) == 0;
  std::vector<double> x0(n), lower(n), upper(n), c(n), A(m * n), rlo(m), rhi(m);
  for (size_t j = 0; j < n; j++) {
    x0[j] = in.real(-1, 1);
    lower[j] = in.flag() ? -INFINITY : x0[j] - in.real(0, 1);
    upper[j] = in.flag() ? INFINITY : x0[j] + in.real(0, 1);
    c[j] = in.real(-1, 1);
  }
  const size_t t = in.in<size_t>(1, n + 2);
  std::vector<double> G(t * n), H(n * n);
  for (double& v : G) v = in.real(-1, 1);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      double s = 0;
      for (size_t d = 0; d < t; d++) s += G[d * n + i] * G[d * n + j];
      H[i * n + j] = s;
    }
  // an unbounded direction is possible with infinite bounds and a singular H: keep every bound finite then
  if (t < n)
    for (size_t j = 0; j < n; j++) {
      if (!std::isfinite(lower[j])) lower[j] = x0[j] - 1;
      if (!std::isfinite(upper[j])) upper[j] = x0[j] + 1;
    }
  for (size_t i = 0; i < m; i++) {
    double r = 0;
    for (size_t j = 0; j < n; j++) r += (A[i * n + j] = in.real(-1, 1)) * x0[j];
    // an equality at the point's value, or sides around it
    rlo[i] = in.flag() ? r : r - in.real(0, 1);
    rhi[i] = rlo[i] == r && in.flag() ? r : r + in.real(0, 1);
  }
  if (infeasible) {
    // a budget row above what the bounds allow
    for (size_t j = 0; j < n; j++) {
      if (!std::isfinite(upper[j])) upper[j] = x0[j] + 1;
      if (!std::isfinite(lower[j])) lower[j] = x0[j] - 1;
    }
    double top = 0;
    for (size_t j = 0; j < n; j++) top += upper[j];
    A.insert(A.begin(), n, 1.0);
    rlo.insert(rlo.begin(), top + 1);
    rhi.insert(rhi.begin(), top + 1);
  }
  const size_t rows = rlo.size();
  portfolio::QpSolver s(n, rows);
  const portfolio::QpProblem p{n, H.data(), c.data(), lower.data(), upper.data(), rows, A.data(), rlo.data(), rhi.data()};
  const portfolio::QpResult r = s.solve(p, false);
  if (infeasible) {
    require(r.status == portfolio::QpStatus::Infeasible);
    return;
  }
  require(r.status != portfolio::QpStatus::Infeasible && r.status != portfolio::QpStatus::NotPsd);
  if (r.status != portfolio::QpStatus::Optimal) return;
  const double* x = s.x();
  for (size_t j = 0; j < n; j++) {
    require(std::isfinite(x[j]));
    require(x[j] >= lower[j] - 1e-9 && x[j] <= upper[j] + 1e-9);
  }
  for (size_t i = 0; i < rows; i++) {
    double v = 0, scale = 1;
    for (size_t j = 0; j < n; j++) {
      v += A[i * n + j] * x[j];
      scale += std::fabs(A[i * n + j] * x[j]);
    }
    // the solver reports an optimum only where every row holds to 1e-9 of its scale (a degenerate
    // working set, duplicated or nearly parallel rows, meeting them only to its conditioning, is refused)
    require(v >= rlo[i] - 1e-9 * scale && v <= rhi[i] + 1e-9 * scale);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  if (in.flag()) {
    entries(in);
  } else {
    solver(in);
  }
  return 0;
}
