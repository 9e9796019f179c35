// Minimizes over a polytope (src/backends/reference/volatility/optimize.ts, function for function): Newton's
// model positive definite on the steps the constraints active at x allow, the QP started from them.
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
/// With an analytic Hessian, a step whose predicted decrease is below this times (1 + |f|) keeps its model
/// for the next (Newton's steps there barely move the Hessian): the line search takes f alone.
constexpr double kStale = 1e-6;
/// With the model kept (kStale), a step is the last, taken on the model's word without evaluating f
/// there, when the next step's predicted decrease, at the rate the last step's shrank (the square of this
/// one's over the last's), is below this times kTolerance: the next iteration would stop. Only after a
/// full step whose decrease was its prediction's to within kTrust (the model holds there).
constexpr double kLast = 0.1;
constexpr double kTrust = 0.5;
/// A full step whose decrease exceeds the model's by this factor is extended (extend()).
constexpr double kUndershoot = 1.25;
constexpr size_t kExtensions = 4;
/// A constraint whose slack is within this times its terms' size (sum |a_i x_i|) is active at x.
constexpr double kActive = 1e-12;
/// A row (or a unit vector) left with less than this of its norm by the rows before it is in their span.
constexpr double kIndependent = 1e-8;
/// A diagonal's unit of shift is at least this times the largest diagonal (shiftedModel).
constexpr double kShiftFloor = 1e-8;
/// Full steps in a row after which the QP reads the multipliers whatever the step (activeSetQp).
constexpr size_t kRefinements = 20;

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

/// The symmetrized forward-difference Hessian of the gradient (the identity where a difference overflowed).
std::vector<double> differenceHessian(const Objective& f, const Batch& batch, const Polytope& p, const double* x, const double* g,
                                      size_t n) {
  std::vector<double> h(n * n, 0.0), xs(x, x + n), gs(n, 0.0), steps(n);
  for (size_t i = 0; i < n; i++) {
    steps[i] = 1e-6 * std::max(std::fabs(x[i]), 0.1);
    if (x[i] + steps[i] > p.hi[i]) steps[i] = -steps[i];
  }
  if (batch) {  // the n points at once: x + step_i e_i
    std::vector<double> points(n * n), fs(n), grads(n * n);
    for (size_t i = 0; i < n; i++) {
      std::copy(x, x + n, points.begin() + std::ptrdiff_t(i * n));
      points[i * n + i] = x[i] + steps[i];
    }
    batch(points.data(), n, fs.data(), grads.data());
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < n; j++) h[j * n + i] = std::isfinite(fs[i]) ? (grads[i * n + j] - g[j]) / steps[i] : 0;
  } else {
    for (size_t i = 0; i < n; i++) {
      const double step = steps[i];
      xs[i] = x[i] + step;
      const double fi = f(xs.data(), gs.data());
      xs[i] = x[i];
      for (size_t j = 0; j < n; j++) h[j * n + i] = std::isfinite(fi) ? (gs[j] - g[j]) / step : 0;
    }
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++) h[i * n + j] = h[j * n + i] = 0.5 * (h[i * n + j] + h[j * n + i]);
  for (double v : h) {
    if (!std::isfinite(v)) {
      std::fill(h.begin(), h.end(), 0.0);
      for (size_t i = 0; i < n; i++) h[i * n + i] = 1;
      return h;
    }
  }
  return h;
}

/// An analytic Hessian as the model: differenceHessian's fallback, the identity, where an entry is not finite.
void modelOf(std::vector<double>& h, size_t n) {
  for (double v : h) {
    if (!std::isfinite(v)) {
      std::fill(h.begin(), h.end(), 0.0);
      for (size_t i = 0; i < n; i++) h[i * n + i] = 1;
      return;
    }
  }
}

/// v minus its projections on the first `count` orthonormal rows of q (n each), twice (Gram-Schmidt
/// reorthogonalized); its norm.
double orthogonalize(double* v, const double* q, size_t count, size_t n) {
  for (int pass = 0; pass < 2; pass++) {
    for (size_t j = 0; j < count; j++) {
      double dot = 0;
      for (size_t i = 0; i < n; i++) dot += q[j * n + i] * v[i];
      for (size_t i = 0; i < n; i++) v[i] -= dot * q[j * n + i];
    }
  }
  double norm = 0;
  for (size_t i = 0; i < n; i++) norm += v[i] * v[i];
  return std::sqrt(norm);
}

struct Active {
  std::vector<size_t> kept;
  std::vector<double> z;  // cols rows of n: an orthonormal basis of the steps the kept rows allow
  size_t cols = 0;
};

/// The rows of c (n each) active at x, less those in the span of the ones before them, and an orthonormal
/// basis of the steps they allow.
Active activeRows(const double* c, const double* r, size_t m, const double* x, size_t n) {
  Active out;
  std::vector<double> basis((n + m) * n, 0.0), v(n);
  for (size_t k = 0; k < m && out.kept.size() < n; k++) {
    double size = 0, norm = 0;
    for (size_t i = 0; i < n; i++) {
      size += std::fabs(c[k * n + i] * x[i]);
      norm += c[k * n + i] * c[k * n + i];
    }
    if (!(r[k] >= -kActive * size)) continue;
    for (size_t i = 0; i < n; i++) v[i] = c[k * n + i];
    const double left = orthogonalize(v.data(), basis.data(), out.kept.size(), n);
    if (!(left > kIndependent * std::sqrt(norm))) continue;
    for (size_t i = 0; i < n; i++) basis[out.kept.size() * n + i] = v[i] / left;
    out.kept.push_back(k);
  }
  size_t count = out.kept.size();
  for (size_t e = 0; e < n && count < n; e++) {
    std::fill(v.begin(), v.end(), 0.0);
    v[e] = 1;
    const double left = orthogonalize(v.data(), basis.data(), count, n);
    if (!(left > kIndependent)) continue;
    for (size_t i = 0; i < n; i++) basis[count * n + i] = v[i] / left;
    count++;
  }
  out.z.assign(basis.begin() + std::ptrdiff_t(out.kept.size() * n), basis.begin() + std::ptrdiff_t(count * n));
  out.cols = count - out.kept.size();
  return out;
}

/// Newton's model: h with shift x its own size added to each diagonal (Marquardt's scaling: a parameter of
/// small curvature, a shape parameter beside alpha's, keeps its own), the least shift of 0, 1e-8, 1e-7,
/// ..., 1e8 that makes z h z' positive definite (`basis`: z's rows, a basis of the steps allowed; null: every
/// step); the identity times the largest diagonal when none does.
std::vector<double> shiftedModel(const std::vector<double>& h, const std::vector<double>* basis, size_t cols, size_t n) {
  // (a basis of no columns, every step pinned, is still a basis: the model needs no shift on it)
  const double* z = basis == nullptr ? nullptr : basis->data();
  double scale = 0;
  for (size_t i = 0; i < n; i++) scale = std::max(scale, std::fabs(h[i * n + i]));
  if (!(scale > 0 && std::isfinite(scale))) scale = 1;
  std::vector<double> unit(n);
  for (size_t i = 0; i < n; i++) unit[i] = std::max(std::fabs(h[i * n + i]), kShiftFloor * scale);
  // the reduced model z h z' and the reduced shift z diag(unit) z'
  std::vector<double> reduced = basis == nullptr ? h : std::vector<double>(cols * cols, 0.0);
  std::vector<double> reducedUnit(cols * cols, 0.0);
  if (basis == nullptr) {
    for (size_t i = 0; i < n; i++) reducedUnit[i * n + i] = unit[i];
  } else {
    std::vector<double> hz(cols * n);
    for (size_t a = 0; a < cols; a++)
      for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < n; j++) s += h[i * n + j] * z[a * n + j];
        hz[a * n + i] = s;
      }
    for (size_t a = 0; a < cols; a++)
      for (size_t b = 0; b < cols; b++) {
        double s = 0, u = 0;
        for (size_t i = 0; i < n; i++) {
          s += z[a * n + i] * hz[b * n + i];
          u += z[a * n + i] * unit[i] * z[b * n + i];
        }
        reduced[a * cols + b] = s;
        reducedUnit[a * cols + b] = u;
      }
    for (size_t a = 0; a < cols; a++)
      for (size_t b = 0; b < a; b++) reduced[a * cols + b] = reduced[b * cols + a] = 0.5 * (reduced[a * cols + b] + reduced[b * cols + a]);
  }
  std::vector<double> trial(cols * cols);
  for (double shift = 0; shift <= 1e8; shift = shift == 0 ? 1e-8 : shift * 10) {
    for (size_t i = 0; i < cols * cols; i++) trial[i] = reduced[i] + shift * reducedUnit[i];
    if (isPositiveDefinite(trial, cols)) {
      std::vector<double> bm(h);
      for (size_t i = 0; i < n; i++) bm[i * n + i] += shift * unit[i];
      return bm;
    }
  }
  std::vector<double> id(n * n, 0.0);
  for (size_t i = 0; i < n; i++) id[i * n + i] = scale;
  return id;
}

/// Whether a bound or row of p is active at x (its slack within kActive of its terms, activeRows' test).
bool anyActive(const Polytope& p, const double* x, size_t n) {
  const Rows rows = qpRows(p, x, n);
  for (size_t k = 0; k < rows.m; k++) {
    double size = 0;
    for (size_t i = 0; i < n; i++) size += std::fabs(rows.c[k * n + i] * x[i]);
    if (rows.r[k] >= -kActive * size) return true;
  }
  return false;
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
bool extend(const Objective& f, const Polytope& p, const double* x, const double* d, size_t n, std::vector<double>& xn,
            std::vector<double>& gn, double& fn) {
  std::vector<double> xt(n), gt(n);
  double alpha = 1;
  bool moved = false;
  for (size_t k = 0; k < kExtensions; k++) {
    alpha *= 2;
    for (size_t i = 0; i < n; i++) xt[i] = x[i] + alpha * d[i];
    clampInto(p, xt.data(), n);
    if (!withinRows(p, xt.data(), n)) return moved;
    const double ft = f(xt.data(), gt.data());
    if (!(ft < fn)) return moved;
    xn.swap(xt);
    gn.swap(gt);
    fn = ft;
    moved = true;
  }
  return moved;
}

}  // namespace

namespace {

struct QpStep {
  std::vector<double> d;
  bool kept = true;
};

/// qpStep from the working set `start` (rows active at d = 0, independent): `kept` false, and the step
/// so far, as soon as one of them would be dropped (B need only be positive definite on the steps they allow).
QpStep activeSetQp(const double* bm, const double* g, const double* c, const double* r, size_t m, size_t n,
                   const std::vector<size_t>& start) {
  QpStep out;
  std::vector<double>& d = out.d;
  d.assign(n, 0.0);
  std::vector<size_t> work(start);
  std::vector<unsigned char> inWork(m, 0);
  for (size_t k : start) inWork[k] = 1;
  const size_t fixed = start.size();
  std::vector<double> kkt, rhs;
  // after a full step with nothing blocking, d is the working set's minimizer up to rounding: the next
  // solves refine it until their step is below the tolerance, which rounding can keep above it where B
  // is badly scaled; after kRefinements such steps in a row d stands and only the multipliers are read
  size_t refinements = 0;
  // rows that may not block a step: one dependent on the working set (dropped as such: it runs along
  // the step), until a row leaves the working set; and the row just dropped by its multiplier, for the
  // next step (which leaves it). Their rounding would otherwise take them back at once, and cycle.
  std::vector<unsigned char> skip(m, 0);
  size_t leaving = m;
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
      if (work.empty()) return out;  // B itself singular: no step
      if (work.size() <= fixed) {
        out.kept = false;
        return out;
      }
      skip[work.back()] = 1;  // a dependent working set (degenerate vertex): drop the newest constraint
      inWork[work.back()] = 0;
      work.pop_back();
      continue;
    }
    double norm = 0, dn = 0;
    for (size_t i = 0; i < n; i++) {
      norm = std::max(norm, std::fabs(rhs[i]));
      dn = std::max(dn, std::fabs(d[i]));
    }
    if (norm <= 1e-15 * (1 + dn) || refinements >= kRefinements) {
      refinements = 0;
      size_t worst = w;
      double least = -1e-14;
      for (size_t k = 0; k < w; k++) {
        if (rhs[n + k] < least) {
          least = rhs[n + k];
          worst = k;
        }
      }
      if (worst == w) return out;
      if (worst < fixed) {
        out.kept = false;
        return out;
      }
      leaving = work[worst];
      std::fill(skip.begin(), skip.end(), 0);
      skip[leaving] = 1;
      inWork[leaving] = 0;
      work.erase(work.begin() + std::ptrdiff_t(worst));
      continue;
    }
    double alpha = 1;
    size_t blocking = m;
    for (size_t k = 0; k < m; k++) {
      if (inWork[k] || skip[k]) continue;
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
    if (leaving < m) skip[leaving] = 0;
    leaving = m;
    for (size_t i = 0; i < n; i++) d[i] += alpha * rhs[i];
    refinements = blocking == m ? refinements + 1 : 0;
    if (blocking < m) {
      work.push_back(blocking);
      inWork[blocking] = 1;
    }
  }
  return out;
}

/// The QP's step at x and, into bm, the model it used: from the constraints active at x with a model
/// positive definite on the steps they allow, or, where the QP would release one of them, from none with
/// a model positive definite in full.
std::vector<double> newtonStep(const std::vector<double>& h, const double* g, const double* x, const Rows& rows, size_t n,
                               std::vector<double>& bm) {
  const Active act = activeRows(rows.c.data(), rows.r.data(), rows.m, x, n);
  if (!act.kept.empty()) {
    bm = shiftedModel(h, &act.z, act.cols, n);
    QpStep s = activeSetQp(bm.data(), g, rows.c.data(), rows.r.data(), rows.m, n, act.kept);
    if (s.kept) return std::move(s.d);
  }
  bm = shiftedModel(h, nullptr, n, n);
  return qpStep(bm.data(), g, rows.c.data(), rows.r.data(), rows.m, n);
}

}  // namespace

std::vector<double> qpStep(const double* bm, const double* g, const double* c, const double* r, size_t m, size_t n) {
  return activeSetQp(bm, g, c, r, m, n, {}).d;
}

Minimum minimize(const Objective& f, const double* x0, size_t n, const Polytope& p, const Curvature& curvature, const Batch& batch) {
  Minimum out;
  std::vector<double>& x = out.x;
  x.assign(x0, x0 + n);
  clampInto(p, x.data(), n);
  std::vector<double> g(n, 0.0), xn(n, 0.0), gn(n, 0.0), h(n * n, 0.0), hn(n * n, 0.0), bm;
  double fx = curvature ? curvature(x.data(), g.data(), h.data()) : f(x.data(), g.data());
  out.f = fx;
  if (!std::isfinite(fx)) {
    out.status = kLineSearch;
    return out;
  }
  if (curvature)
    modelOf(h, n);
  else
    h = differenceHessian(f, batch, p, x.data(), g.data(), n);
  size_t stalls = 0;
  double trusted = 0;  // the predicted decrease of the last step where it was full and its decrease matched it; 0 if not
  for (size_t it = 1; it <= kMaxIterations; it++) {
    out.iterations = it;
    const Rows rows = qpRows(p, x.data(), n);
    const std::vector<double> d = newtonStep(h, g.data(), x.data(), rows, n, bm);
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
    // near the optimum (a predicted decrease below kStale) Newton's steps barely move the Hessian: the
    // model keeps it, and the line search takes the value and gradient alone (f, not curvature)
    const bool stale = curvature && predicted <= kStale * scale;
    if (stale && trusted > 0 && predicted * predicted <= kLast * kTolerance * scale * trusted) {
      // the last step: f's decrease there the model's (Minimum::f its estimate), checked by the next
      // iteration's test in all but name (docs/volatility.md, the optimum)
      bool moved = false;
      for (size_t i = 0; i < n; i++) {
        xn[i] = x[i] + d[i];
        moved = moved || xn[i] != x[i];
      }
      clampInto(p, xn.data(), n);
      const bool within = withinRows(p, xn.data(), n) && !anyActive(p, x.data(), n) && !anyActive(p, xn.data(), n);
      if (!moved || within) {  // a step that rounds to none: converged at x, as the line search's
        if (moved) {
          x = xn;
          out.f = fx - predicted;
        }
        out.status = kConverged;
        return out;
      }
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
      if (!withinRows(p, xn.data(), n)) {
        // the QP's step past a row by its rounding (or the clamp's): a shorter one
        alpha *= 0.5;
        continue;
      }
      fn = curvature && !stale ? curvature(xn.data(), gn.data(), hn.data()) : f(xn.data(), gn.data());
      if (std::isfinite(fn) && fn <= fx + 1e-4 * alpha * gd) break;
      fn = std::numeric_limits<double>::quiet_NaN();
      alpha *= 0.5;
    }
    if (std::isnan(fn)) {
      out.status = predicted <= kNoise * scale ? kConverged : kLineSearch;
      return out;
    }
    bool extended = false;
    if (alpha == 1 && fx - fn > kUndershoot * predicted) extended = extend(f, p, x.data(), d.data(), n, xn, gn, fn);
    const double improved = fx - fn;
    trusted = alpha == 1 && !extended && std::fabs(improved - predicted) <= kTrust * predicted ? predicted : 0;
    x = xn;
    g = gn;
    fx = fn;
    out.f = fx;
    if (!curvature) {
      h = differenceHessian(f, batch, p, x.data(), g.data(), n);
    } else if (!stale) {
      if (extended) curvature(x.data(), gn.data(), hn.data());  // the Hessian at the extended point
      h.swap(hn);
      modelOf(h, n);
    }
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
