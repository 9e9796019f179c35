// arch 8.0's fit (src/backends/reference/volatility/fit.ts, function for function): starting values,
// bounds and constraints, the optimum, the robust standard errors; fitColumns shares the columns out.
#include "volatility/fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "generated/volatility_records.hpp"
#include "parallel.hpp"
#include "volatility/processes.hpp"
#include "volatility/passes.hpp"

namespace kernelbus::volatility {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
/// The smallest mean square of the residuals a model takes (fit.ts MIN_MEAN_SQUARE): below it the bounds underflow.
constexpr double kMinMeanSquare = 1e-290;
/// The most parameters a model with vector lanes has (GJR(1,1,1), AR(2) mean, skew-t: 3 + 4 + 2).
constexpr size_t kMaxLaneParams = 9;
}  // namespace

bool unpackModel(const double* packed, size_t length, Model& m) {
  if (!unpack(Packed{packed, length}, m).ok()) return false;
  if (m.vol == kVolEgarch ? m.p + m.o == 0 : (m.p == 0 || m.o > m.p)) return false;
  if (m.vol != kVolAparch && m.delta != 0) return false;  // a fixed power is APARCH's alone
  return (m.mean == kMeanAr) == (m.lags > 0);
}

Polytope polytope(const Problem& pr, double v) {
  const Model& m = pr.m;
  const size_t k = pr.k;
  Polytope out;
  out.lo.assign(k, -kInf);
  out.hi.assign(k, kInf);
  processOf(m).polytope(pr, v, out);
  const Distribution& dist = distribution(m.dist);
  for (size_t j = 0; j < dist.shapes; j++) {
    out.lo[pr.id + j] = dist.lo[j];
    out.hi[pr.id + j] = dist.hi[j];
  }
  return out;
}

namespace {

double gaussianLogLikelihood(Problem& pr, const double* theta) {
  recursion(pr, theta, false);
  return distLogLikelihood(Dist(kDistNormal, theta, 0), pr.e.data(), pr.sigma2.data(), pr.nobs);
}

void varianceStart(Problem& pr, double* theta) {
  const Model& m = pr.m;
  std::vector<double> grid;
  processOf(m).starts(pr, theta, grid);
  const size_t count = grid.size() / pr.k;
  std::vector<double> ll(count);
  if (const GridPass lanes = garch11Grid(m))
    lanes(pr, grid.data(), count, Dist(kDistNormal, theta, 0), ll.data());
  else
    for (size_t c = 0; c < count; c++) ll[c] = gaussianLogLikelihood(pr, grid.data() + c * pr.k);
  double best = kNaN;
  size_t found = 0;
  for (size_t c = 0; c < count; c++) {
    if (std::isnan(best) || ll[c] > best) {  // np.argmax: the first of the largest
      best = ll[c];
      found = c;
    }
  }
  const double* start = grid.data() + found * pr.k;
  std::copy(start + pr.iw, start + pr.id, theta + pr.iw);
}

/// The kurtosis of the standardized residuals at the variance's start (the (skew-)t's starting nu).
double kurtosisAt(Problem& pr, const double* theta) {
  recursion(pr, theta, false);
  const size_t nobs = pr.nobs;
  double* z = pr.z.data();  // the standardized residuals, made once (a root and a division each)
  double mean = 0;
  for (size_t t = 0; t < nobs; t++) {
    z[t] = pr.e[t] / std::sqrt(pr.sigma2[t]);
    mean += z[t];
  }
  mean /= double(nobs);
  double m2 = 0, m4 = 0;
  for (size_t t = 0; t < nobs; t++) {
    const double d = z[t] - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= double(nobs);
  m4 /= double(nobs);
  return m4 / (m2 * m2);
}

/// The distribution's starting values (dists.hpp), at the variance's start.
void distStart(Problem& pr, double* theta) {
  const Distribution& dist = distribution(pr.m.dist);
  dist.start(dist.kurtosisStart ? kurtosisAt(pr, theta) : 0, theta + pr.id);
}

/// statsmodels' approx_hess3 steps: EPS^(1/4) max(|x_i|, 0.1).
std::vector<double> hess3Steps(const double* x, size_t n) {
  std::vector<double> h(n);
  const double step = std::sqrt(std::sqrt(std::numeric_limits<double>::epsilon()));
  for (size_t i = 0; i < n; i++) h[i] = step * std::max(std::fabs(x[i]), 0.1);
  return h;
}

std::vector<double> approxHess3(Problem& pr, const double* x, const std::vector<double>& h) {
  const size_t n = pr.k;
  std::vector<double> hess(n * n, 0.0), xs(n);
  const auto at = [&](double si, size_t i, double sj, size_t j) {
    for (size_t c = 0; c < n; c++) xs[c] = x[c] + (c == i ? si * h[i] : 0) + (c == j ? sj * h[j] : 0);
    return negLogLikelihood(pr, xs.data());
  };
  for (size_t i = 0; i < n; i++)
    for (size_t j = i; j < n; j++) {
      const double a = at(1, i, 1, j), b = at(1, i, -1, j), c = at(-1, i, 1, j), d = at(-1, i, -1, j);
      hess[i * n + j] = (a - b - (c - d)) / (4.0 * (h[i] * h[j]));
      hess[j * n + i] = hess[i * n + j];
    }
  for (double& v : hess) v /= double(pr.nobs);
  return hess;
}

/// approx_hess3's Hessian of -ll / nobs from the analytic gradient: central differences at steps
/// sqrt(2) h_i, symmetrized, equal approx_hess3's to O(h^4) where the likelihood is smooth within the
/// steps (both err by (h_i^2 f_iiij + h_j^2 f_ijjj) / 6), with 2k gradients for its 2k(k + 1) values.
std::vector<double> gradientHess3(Problem& pr, const double* x, const std::vector<double>& h) {
  const size_t n = pr.k;
  const double nobs = double(pr.nobs);
  std::vector<double> hess(n * n, 0.0), xs(x, x + n), up(n), down(n);
  if (const GradientLanes lanes = garch11GradientLanes(pr.m)) {
    // the 2k gradients four at a time (lanes.cpp: each the scalar pass's bits), points x + s e_i
    // then x - s e_i for each i; the last batch padded with its last point
    constexpr size_t width = 4;
    const size_t points = 2 * n, batches = (points + width - 1) / width;
    std::vector<double> thetas(batches * width * n), f(batches * width), grads(batches * width * n);
    for (size_t p = 0; p < batches * width; p++) {
      const size_t at = std::min(p, points - 1), i = at / 2;
      double* theta = thetas.data() + p * n;
      std::copy(x, x + n, theta);
      theta[i] = x[i] + (at % 2 == 0 ? M_SQRT2 * h[i] : -(M_SQRT2 * h[i]));
    }
    for (size_t b = 0; b < batches; b++) lanes(pr, thetas.data() + b * width * n, f.data() + b * width, grads.data() + b * width * n);
    for (size_t i = 0; i < n; i++) {
      const double s = M_SQRT2 * h[i];
      const double* g1 = grads.data() + (2 * i) * n;
      const double* g2 = grads.data() + (2 * i + 1) * n;
      for (size_t j = 0; j < n; j++) hess[j * n + i] = (g1[j] - g2[j]) / (2 * s) / nobs;
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      const double s = M_SQRT2 * h[i];
      xs[i] = x[i] + s;
      negLogLikelihood(pr, xs.data(), up.data());
      xs[i] = x[i] - s;
      negLogLikelihood(pr, xs.data(), down.data());
      xs[i] = x[i];
      for (size_t j = 0; j < n; j++) hess[j * n + i] = (up[j] - down[j]) / (2 * s) / nobs;
    }
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++) hess[i * n + j] = hess[j * n + i] = 0.5 * (hess[i * n + j] + hess[j * n + i]);
  return hess;
}

/// Whether approx_hess3's steps can reach EGARCH's kink, |z_t| at a residual of 0: a residual at theta
/// within twice the steps' move of it (the mean's parameters alone move the residuals).
bool kinkInReach(Problem& pr, const double* theta, const std::vector<double>& h) {
  const Model& m = pr.m;
  if ((m.vol != kVolEgarch) || pr.iw == 0) return false;
  residuals(pr, theta, pr.e.data());
  for (size_t t = 0; t < pr.nobs; t++) {
    double reach = h[0];
    for (size_t j = 1; j <= m.lags; j++) reach += h[j] * std::fabs(pr.y[t + m.lags - j]);
    if (std::fabs(pr.e[t]) <= 2 * reach) return true;
  }
  return false;
}

bool inverse(const std::vector<double>& a, size_t n, std::vector<double>& inv) {
  std::vector<double> m(a);
  inv.assign(n * n, 0.0);
  for (size_t i = 0; i < n; i++) inv[i * n + i] = 1;
  for (size_t c = 0; c < n; c++) {
    size_t piv = c;
    for (size_t r = c + 1; r < n; r++)
      if (std::fabs(m[r * n + c]) > std::fabs(m[piv * n + c])) piv = r;
    if (!(std::fabs(m[piv * n + c]) > 0)) return false;
    for (size_t j = 0; j < n; j++) {
      std::swap(m[c * n + j], m[piv * n + j]);
      std::swap(inv[c * n + j], inv[piv * n + j]);
    }
    const double d = m[c * n + c];
    for (size_t j = 0; j < n; j++) {
      m[c * n + j] /= d;
      inv[c * n + j] /= d;
    }
    for (size_t r = 0; r < n; r++) {
      if (r == c) continue;
      const double f = m[r * n + c];
      if (f == 0) continue;
      for (size_t j = 0; j < n; j++) {
        m[r * n + j] -= f * m[c * n + j];
        inv[r * n + j] -= f * inv[c * n + j];
      }
    }
  }
  return true;
}

bool feasible(const Polytope& p, const double* x, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!(x[i] >= p.lo[i] && x[i] <= p.hi[i])) return false;
  for (size_t r = 0; r < p.rows; r++) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += p.a[r * n + i] * x[i];
    if (!(s >= p.b[r])) return false;
  }
  return true;
}

}  // namespace

void startingValues(Problem& pr, double* theta) {
  residuals(pr, theta, pr.e.data());
  varianceStart(pr, theta);
  distStart(pr, theta);
}

std::unique_ptr<Problem> olsProblem(const Model& m, const double* y, size_t T, std::vector<double>& theta, double& v) {
  auto pr = std::make_unique<Problem>(m, y, T);
  theta.assign(pr->k, 0.0);
  double ySq = 0;
  if (!olsMean(*pr, theta.data(), &ySq)) return nullptr;
  v = fixAt(*pr, theta.data());
  if (!(v > 1e-24 * (ySq / double(pr->nobs))) || !(v >= kMinMeanSquare) || !std::isfinite(v)) return nullptr;
  return pr;
}

double robustStdErrors(Problem& pr, const double* theta, double* out) {
  const size_t k = pr.k, nobs = pr.nobs;
  const std::vector<double> h = hess3Steps(theta, k);
  const bool kink = kinkInReach(pr, theta, h);
  const std::vector<double> hess = kink ? approxHess3(pr, theta, h) : gradientHess3(pr, theta, h);
  std::vector<double> inv;
  if (!inverse(hess, k, inv)) {
    std::fill(out, out + k, kNaN);
    return kNaN;
  }
  double negLl = kNaN;
  std::vector<double> scores(nobs * k);
  if (kink) {  // arch's forward differences, which straddle the kink as its own do
    negLogLikelihood(pr, theta, nullptr, true);
    const std::vector<double> f0 = pr.individual;
    std::vector<double> xs(theta, theta + k);
    for (size_t i = 0; i < k; i++) {
      const double eps = std::sqrt(std::numeric_limits<double>::epsilon()) * std::max(std::fabs(theta[i]), 0.1);
      xs[i] = theta[i] + eps;
      negLogLikelihood(pr, xs.data(), nullptr, true);
      xs[i] = theta[i];
      for (size_t t = 0; t < nobs; t++) scores[t * k + i] = (pr.individual[t] - f0[t]) / eps;
    }
  } else {
    std::vector<double> g(k);
    const double f = negLogLikelihood(pr, theta, g.data(), false, scores.data());
    // a fixed model (garch11.cpp): negLogLikelihood ran pass(), whose -ll sums as the value pass's value()
    if (garch11Value(pr.m)) negLl = f;
  }
  std::vector<double> means(k, 0.0), cov(k * k, 0.0);
  for (size_t t = 0; t < nobs; t++)
    for (size_t i = 0; i < k; i++) means[i] += scores[t * k + i];
  for (size_t i = 0; i < k; i++) means[i] /= double(nobs);
  for (size_t t = 0; t < nobs; t++)
    for (size_t i = 0; i < k; i++) {
      const double di = scores[t * k + i] - means[i];
      for (size_t j = 0; j <= i; j++) cov[i * k + j] += di * (scores[t * k + j] - means[j]);
    }
  for (size_t i = 0; i < k; i++)
    for (size_t j = 0; j <= i; j++) {
      cov[i * k + j] /= double(nobs - 1);
      cov[j * k + i] = cov[i * k + j];
    }
  for (size_t i = 0; i < k; i++) {
    double v = 0;
    for (size_t a = 0; a < k; a++)
      for (size_t b = 0; b < k; b++) v += inv[i * k + a] * cov[a * k + b] * inv[b * k + i];
    out[i] = std::sqrt(v / double(nobs));
  }
  return negLl;
}

Minimum optimum(Problem& pr, const Polytope& poly, const double* theta, PassCounts* counts) {
  const Model& m = pr.m;
  const size_t k = pr.k;
  const size_t nobs = pr.nobs;
  const Objective objective = [&pr, nobs, counts](const double* x, double* grad) {
    if (counts) counts->values++;
    const double f = negLogLikelihood(pr, x, grad) / double(nobs);
    for (size_t i = 0; i < pr.k; i++) grad[i] /= double(nobs);
    return f;
  };
  // GARCH(1,1) and GJR(1,1,1), any distribution: Newton's model from the analytic Hessian (hessian.cpp)
  Curvature curvature;
  if (garch11Hessian(m))
    curvature = [&pr, nobs, counts](const double* x, double* grad, double* hess) {
      if (counts) counts->hessians++;
      const double f = negLogLikelihoodHessian(pr, x, grad, hess) / double(nobs);
      for (size_t i = 0; i < pr.k; i++) grad[i] /= double(nobs);
      for (size_t i = 0; i < pr.k * pr.k; i++) hess[i] /= double(nobs);
      return f;
    };
  // the difference Hessian's k points four at a time in vector lanes (lanes.cpp: the objective's bits)
  Batch batch;
  if (const GradientLanes lanes = garch11GradientLanes(m))
    batch = [&pr, nobs, lanes, counts](const double* xs, size_t count, double* fs, double* grads) {
      const size_t n = pr.k;
      double four[4 * kMaxLaneParams], f4[4], g4[4 * kMaxLaneParams];
      for (size_t c = 0; c < count; c += 4) {
        for (size_t l = 0; l < 4; l++)
          std::copy(xs + std::min(c + l, count - 1) * n, xs + (std::min(c + l, count - 1) + 1) * n, four + l * n);
        if (counts) counts->batches++;
        lanes(pr, four, f4, g4);
        for (size_t l = 0; l < 4 && c + l < count; l++) {
          fs[c + l] = f4[l] / double(nobs);
          for (size_t i = 0; i < n; i++) grads[(c + l) * n + i] = g4[l * n + i] / double(nobs);
        }
      }
    };
  Minimum best;
  if (curvature && distribution(m.dist).reciprocalShape) {
    // Newton's steps in u = 1 / eta (the (skew-)t's degrees of freedom): -ll is near
    // quadratic in 1 / eta where eta is large, so Newton takes a step or two where in eta itself it took
    // eta up by ~1.4x a step (eta 12 to 300 in 8). A warm start (garchVar's and the risk engine's refits)
    // steps in u too: in eta it stopped at lower optima on 60-return windows (fit.ts, the same operations)
    const size_t id = pr.id;
    Polytope pu = poly;
    pu.lo[id] = 1 / poly.hi[id];
    pu.hi[id] = 1 / poly.lo[id];
    std::vector<double> xs(k), u0(theta, theta + k);
    u0[id] = 1 / theta[id];
    const auto toTheta = [&poly, id, k](const double* u, double* x) {
      std::copy(u, u + k, x);
      x[id] = std::min(std::max(1 / u[id], poly.lo[id]), poly.hi[id]);
    };
    const Objective inU = [&](const double* u, double* grad) {
      toTheta(u, xs.data());
      const double f = objective(xs.data(), grad);
      grad[id] *= -(xs[id] * xs[id]);
      return f;
    };
    const Curvature curvatureInU = [&](const double* u, double* grad, double* hess) {
      toTheta(u, xs.data());
      const double f = curvature(xs.data(), grad, hess);
      // d eta / du = -eta^2, d2 eta / du2 = 2 eta^3
      const double e = xs[id], e2 = e * e;
      hess[id * k + id] = hess[id * k + id] * (e2 * e2) + 2 * grad[id] * (e2 * e);
      for (size_t j = 0; j < k; j++)
        if (j != id) hess[j * k + id] = hess[id * k + j] = hess[id * k + j] * -e2;
      grad[id] *= -e2;
      return f;
    };
    best = minimize(inU, u0.data(), k, pu, curvatureInU, batch);
    toTheta(best.x.data(), xs.data());
    best.x = xs;
  } else {
    best = minimize(objective, theta, k, poly, curvature, batch);
  }
  return best;
}

void fitSeries(const Model& m, const double* y, size_t T, double* out, const double* start, bool stdErrors) {
  const size_t k = paramCount(m), length = fitLength(m, T);
  const size_t ll = 2 * k, status = ll + 1, iterations = ll + 2, vol = ll + 3, std_ = vol + T;
  std::vector<double> theta;
  double v = 0;
  std::unique_ptr<Problem> owned = olsProblem(m, y, T, theta, v);
  if (!owned) {
    std::fill(out, out + length, kNaN);
    out[status] = kFaultConstant;
    return;
  }
  Problem& pr = *owned;
  const Polytope poly = polytope(pr, v);
  const bool warm = start && feasible(poly, start, k);
  if (warm)
    std::copy(start, start + k, theta.begin());
  else
    startingValues(pr, theta.data());
  const Minimum best = optimum(pr, poly, theta.data());
  const size_t nobs = pr.nobs;
  const double* x = best.x.data();
  std::copy(x, x + k, out);
  double negLl = kNaN;  // the standard errors' last pass is x's, or one more pass at x
  if (stdErrors)
    negLl = robustStdErrors(pr, x, out + k);
  else
    std::fill(out + k, out + 2 * k, kNaN);
  out[ll] = -(std::isnan(negLl) ? negLogLikelihood(pr, x) : negLl);
  // a process past the doubles (APARCH's |e|^delta of returns near 1e100): no fit, a fault (a
  // log-likelihood of -inf stays: the GED's density past the doubles is 0, as numpy's gives arch)
  bool finite = !std::isnan(out[ll]);
  for (size_t i = 0; i < k; i++) finite = finite && std::isfinite(x[i]);
  if (!finite) {
    std::fill(out, out + length, kNaN);
    out[status] = kFaultOverflow;
    return;
  }
  out[status] = double(best.status);
  out[iterations] = double(best.iterations);
  const size_t L = m.lags;
  for (size_t t = 0; t < L; t++) out[vol + t] = out[std_ + t] = kNaN;
  for (size_t t = 0; t < nobs; t++) {
    const double sd = std::sqrt(pr.sigma2[t]);
    out[vol + L + t] = sd;
    out[std_ + L + t] = pr.e[t] / sd;
  }
}

void fitColumns(const Model& m, const double* returns, size_t T, size_t N, const double* start, double* out) {
  const size_t length = fitLength(m, T), k = paramCount(m);
  // one column a chunk: a fit's cost varies with its data
  parallelForChunks(N, 1, [&](size_t begin, size_t end) {
    std::vector<double> y(T);
    for (size_t c = begin; c < end; c++) {
      for (size_t t = 0; t < T; t++) y[t] = returns[t * N + c];
      fitSeries(m, y.data(), T, out + c * length, start ? start + c * k : nullptr, true);
    }
  });
}

}  // namespace kernelbus::volatility
