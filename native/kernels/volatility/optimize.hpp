// Minimizes a smooth function over a polytope (src/backends/reference/volatility/optimize.ts, function
// for function): SQP with Newton's model from forward differences of the analytic gradient (or an
// analytic Hessian where the objective has one), shifted to positive definite, a primal active-set QP
// per step, a feasible Armijo line search.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace kernelbus::volatility {

/// Bounds (infinite where none) and rows a x >= b (rows x n, row-major).
struct Polytope {
  std::vector<double> lo, hi, a, b;
  size_t rows = 0;
};

/// f(x) and, into grad, its gradient (NaN or infinity outside f's domain).
using Objective = std::function<double(const double* x, double* grad)>;
/// f at `count` points (xs: count x n) into fs, their gradients into grads (count x n): each f(x, grad)'s
/// bits, several at once (differenceHessian's k points).
using Batch = std::function<void(const double* xs, size_t count, double* fs, double* grads)>;
/// f(x), its gradient into grad and its Hessian into hess (n x n, row-major): where given, minimize's
/// Newton model, in place of forward differences of the gradient.
using Curvature = std::function<double(const double* x, double* grad, double* hess)>;

struct Minimum {
  std::vector<double> x;
  double f = 0;  // f(x); after a last step taken on the model's word (optimize.cpp kLast), the model's value there
  size_t iterations = 0;
  int status = 0;  // volatility.ts FIT_STATUS
};

constexpr size_t kMaxIterations = 200;
constexpr int kConverged = 0;
constexpr int kIterationLimit = 1;
constexpr int kLineSearch = 2;

/// The step d minimizing g'd + d'Bd/2 subject to C d >= r (m rows), from d = 0.
std::vector<double> qpStep(const double* bm, const double* g, const double* c, const double* r, size_t m, size_t n);
/// Minimizes f over p from x0 (clamped into the bounds); with `curvature`, its Hessian is the Newton
/// model and it gives every value and gradient the search takes (f only where a step is extended).
/// `batch`, where given, evaluates the difference Hessian's points together (the same bits as f's).
Minimum minimize(const Objective& f, const double* x0, size_t n, const Polytope& p, const Curvature& curvature = nullptr,
                 const Batch& batch = nullptr);

}  // namespace kernelbus::volatility
