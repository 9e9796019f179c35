// Minimizes over a polytope (src/backends/reference/volatility/optimize.ts, function for function).
#include "volatility/optimize.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "volatility/model.hpp"

namespace kernelbus::volatility {

namespace {

constexpr double kTolerance = 1e-14;
constexpr double kNoise = 1e-11;
constexpr size_t kStalls = 3;
/// A full step whose decrease exceeds the model's by this factor is extended (extend()).
constexpr double kUndershoot = 1.25;
constexpr size_t kExtensions = 4;

struct Rows {
  std::vector<double> c, r;
  size_t m = 0;
};

Rows qpRows(const Polytope& p, const double* x, size_t n) {
  Rows out;
  const auto add = [&](const double* row, double rhs) {
    out.c.insert(out.c.end(), row, row + n);
    out.r.push_back(std::min(rhs, 0.0));
    out.m++;
  };
  std::vector<double> row(n, 0.0);
  for (size_t i = 0; i < n; i++) {
    if (std::isfinite(p.lo[i])) {
      std::fill(row.begin(), row.end(), 0.0);
      row[i] = 1;
      add(row.data(), p.lo[i] - x[i]);
    }
    if (std::isfinite(p.hi[i])) {
      std::fill(row.begin(), row.end(), 0.0);
      row[i] = -1;
      add(row.data(), x[i] - p.hi[i]);
    }
  }
  for (size_t k = 0; k < p.rows; k++) {
    const double* a = p.a.data() + k * n;
    double ax = 0;
    for (size_t i = 0; i < n; i++) ax += a[i] * x[i];
    add(a, p.b[k] - ax);
  }
  return out;
}

void clampInto(const Polytope& p, double* x, size_t n) {
  for (size_t i = 0; i < n; i++) x[i] = std::min(std::max(x[i], p.lo[i]), p.hi[i]);
}

bool isPositiveDefinite(const std::vector<double>& a, size_t n) {
  std::vector<double> l(a);
  for (size_t j = 0; j < n; j++) {
    double s = l[j * n + j];
    for (size_t k = 0; k < j; k++) s -= l[j * n + k] * l[j * n + k];
    if (!(s > 0)) return false;
    const double d = std::sqrt(s);
    l[j * n + j] = d;
    for (size_t i = j + 1; i < n; i++) {
      double t = l[i * n + j];
      for (size_t k = 0; k < j; k++) t -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = t / d;
    }
  }
  return true;
}

std::vector<double> hessian(const Objective& f, const Polytope& p, const double* x, const double* g, size_t n) {
  std::vector<double> h(n * n, 0.0), xs(x, x + n), gs(n, 0.0);
  for (size_t i = 0; i < n; i++) {
    double step = 1e-6 * std::max(std::fabs(x[i]), 0.1);
    if (x[i] + step > p.hi[i]) step = -step;
    xs[i] = x[i] + step;
    const double fi = f(xs.data(), gs.data());
    xs[i] = x[i];
    for (size_t j = 0; j < n; j++) h[j * n + i] = std::isfinite(fi) ? (gs[j] - g[j]) / step : 0;
  }
  double scale = 0;
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < i; j++) h[i * n + j] = h[j * n + i] = 0.5 * (h[i * n + j] + h[j * n + i]);
    scale = std::max(scale, std::fabs(h[i * n + i]));
  }
  for (double v : h) {
    if (!std::isfinite(v)) {  // a difference overflowed: the identity
      std::fill(h.begin(), h.end(), 0.0);
      for (size_t i = 0; i < n; i++) h[i * n + i] = 1;
      return h;
    }
  }
  if (!(scale > 0 && std::isfinite(scale))) scale = 1;
  for (double shift = 0;; shift = shift == 0 ? 1e-8 * scale : shift * 10) {
    std::vector<double> trial(h);
    for (size_t i = 0; i < n; i++) trial[i * n + i] += shift;
    if (isPositiveDefinite(trial, n)) return trial;
    if (shift > 1e8 * scale) break;
  }
  std::vector<double> id(n * n, 0.0);
  for (size_t i = 0; i < n; i++) id[i * n + i] = scale;
  return id;
}

bool withinRows(const Polytope& p, const double* x, size_t n) {
  for (size_t r = 0; r < p.rows; r++) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += p.a[r * n + i] * x[i];
    if (!(s >= p.b[r])) return false;
  }
  return true;
}

/// A full step that undershot (decreased f by more than the model predicted: a flat direction, f like
/// 1 / x in a shape parameter, where Newton's steps grow x by half each iteration): doubled while f keeps
/// falling and the point stays feasible, up to kExtensions times. xn, gn, fn: the accepted point.
void extend(const Objective& f, const Polytope& p, const double* x, const double* d, size_t n, std::vector<double>& xn,
            std::vector<double>& gn, double& fn) {
  std::vector<double> xt(n), gt(n);
  double alpha = 1;
  for (size_t k = 0; k < kExtensions; k++) {
    alpha *= 2;
    for (size_t i = 0; i < n; i++) xt[i] = x[i] + alpha * d[i];
    clampInto(p, xt.data(), n);
    if (!withinRows(p, xt.data(), n)) return;
    const double ft = f(xt.data(), gt.data());
    if (!(ft < fn)) return;
    xn.swap(xt);
    gn.swap(gt);
    fn = ft;
  }
}

}  // namespace

std::vector<double> qpStep(const double* bm, const double* g, const double* c, const double* r, size_t m, size_t n) {
  std::vector<double> d(n, 0.0);
  std::vector<size_t> work;
  std::vector<unsigned char> inWork(m, 0);
  std::vector<double> kkt, rhs;
  for (size_t it = 0; it < 10 * (m + n) + 20; it++) {
    const size_t w = work.size(), size = n + w;
    kkt.assign(size * size, 0.0);
    rhs.assign(size, 0.0);
    for (size_t i = 0; i < n; i++) {
      double bd = 0;
      for (size_t j = 0; j < n; j++) {
        kkt[i * size + j] = bm[i * n + j];
        bd += bm[i * n + j] * d[j];
      }
      rhs[i] = -(g[i] + bd);
      for (size_t k = 0; k < w; k++) {
        kkt[i * size + n + k] = -c[work[k] * n + i];
        kkt[(n + k) * size + i] = c[work[k] * n + i];
      }
    }
    if (!solveLinear(kkt.data(), rhs.data(), size)) {
      if (work.empty()) return d;  // B itself singular: no step
      inWork[work.back()] = 0;     // a dependent working set (degenerate vertex): drop the newest constraint
      work.pop_back();
      continue;
    }
    double norm = 0, dn = 0;
    for (size_t i = 0; i < n; i++) {
      norm = std::max(norm, std::fabs(rhs[i]));
      dn = std::max(dn, std::fabs(d[i]));
    }
    if (norm <= 1e-15 * (1 + dn)) {
      size_t worst = w;
      double least = -1e-14;
      for (size_t k = 0; k < w; k++) {
        if (rhs[n + k] < least) {
          least = rhs[n + k];
          worst = k;
        }
      }
      if (worst == w) return d;
      inWork[work[worst]] = 0;
      work.erase(work.begin() + std::ptrdiff_t(worst));
      continue;
    }
    double alpha = 1;
    size_t blocking = m;
    for (size_t k = 0; k < m; k++) {
      if (inWork[k]) continue;
      double cp = 0, cd = 0;
      for (size_t i = 0; i < n; i++) {
        cp += c[k * n + i] * rhs[i];
        cd += c[k * n + i] * d[i];
      }
      if (cp < -1e-300) {
        const double step = std::max(cd - r[k], 0.0) / -cp;
        if (step < alpha) {
          alpha = step;
          blocking = k;
        }
      }
    }
    for (size_t i = 0; i < n; i++) d[i] += alpha * rhs[i];
    if (blocking < m) {
      work.push_back(blocking);
      inWork[blocking] = 1;
    }
  }
  return d;
}

Minimum minimize(const Objective& f, const double* x0, size_t n, const Polytope& p) {
  Minimum out;
  std::vector<double>& x = out.x;
  x.assign(x0, x0 + n);
  clampInto(p, x.data(), n);
  std::vector<double> g(n, 0.0), xn(n, 0.0), gn(n, 0.0);
  double fx = f(x.data(), g.data());
  out.f = fx;
  if (!std::isfinite(fx)) {
    out.status = kLineSearch;
    return out;
  }
  std::vector<double> bm = hessian(f, p, x.data(), g.data(), n);
  size_t stalls = 0;
  for (size_t it = 1; it <= kMaxIterations; it++) {
    out.iterations = it;
    const Rows rows = qpRows(p, x.data(), n);
    const std::vector<double> d = qpStep(bm.data(), g.data(), rows.c.data(), rows.r.data(), rows.m, n);
    double gd = 0, dbd = 0;
    for (size_t i = 0; i < n; i++) {
      gd += g[i] * d[i];
      for (size_t j = 0; j < n; j++) dbd += d[i] * bm[i * n + j] * d[j];
    }
    const double predicted = -(gd + 0.5 * dbd);
    const double scale = 1 + std::fabs(fx);
    if (!(predicted > kTolerance * scale) || !(gd < 0)) {
      out.status = kConverged;
      return out;
    }
    double alpha = 1, fn = std::numeric_limits<double>::quiet_NaN();
    for (int tries = 0; tries < 60; tries++) {
      bool moved = false;
      for (size_t i = 0; i < n; i++) {
        xn[i] = x[i] + alpha * d[i];
        moved = moved || xn[i] != x[i];
      }
      clampInto(p, xn.data(), n);
      if (!moved) break;  // the step rounds to no step: failed
      fn = f(xn.data(), gn.data());
      if (std::isfinite(fn) && fn <= fx + 1e-4 * alpha * gd) break;
      fn = std::numeric_limits<double>::quiet_NaN();
      alpha *= 0.5;
    }
    if (std::isnan(fn)) {
      out.status = predicted <= kNoise * scale ? kConverged : kLineSearch;
      return out;
    }
    if (alpha == 1 && fx - fn > kUndershoot * predicted) extend(f, p, x.data(), d.data(), n, xn, gn, fn);
    const double improved = fx - fn;
    x = xn;
    g = gn;
    fx = fn;
    out.f = fx;
    bm = hessian(f, p, x.data(), g.data(), n);
    stalls = improved <= kTolerance * scale ? stalls + 1 : 0;
    if (stalls >= kStalls) {
      out.status = kConverged;
      return out;
    }
  }
  out.iterations = kMaxIterations;
  out.status = kIterationLimit;
  return out;
}

}  // namespace kernelbus::volatility
