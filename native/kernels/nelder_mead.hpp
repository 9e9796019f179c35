// Nelder-Mead with box bounds, step for step src/math/nelder-mead.ts (the same trial points, the same
// comparisons, the same order of floating-point operations): given the same f, it visits the same
// points. Each trial point is projected onto the box (nloptr's neldermead with lower/upper); Lagarias
// et al. (1998) coefficients; restarted from its best vertex until a restart no longer improves.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

namespace kernelbus::nm {

/// Options of minimize(): the box, the initial simplex's step, the tolerances and budgets.
template <size_t N>
struct Options {
  std::array<double, N> lower, upper, step;
  double ftol = 1e-12;
  double xtol = 1e-10;
  int maxEval = 4000;
  int restarts = 4;
};

/// The minimum found: the point and its value.
template <size_t N>
struct Minimum {
  std::array<double, N> x;
  double f;
};

/// JS's Math.min(upper, Math.max(lower, v)) (NaN stays NaN).
inline double clampJs(double v, double lo, double hi) {
  if (std::isnan(v)) return v;
  const double m = v > lo ? v : lo;
  return m < hi ? m : hi;
}

/// JS's Math.max(a, b) of two numbers not -0 (NaN wins).
inline double maxJs(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : (a < b ? b : a); }

template <size_t N>
void project(std::array<double, N>& x, const Options<N>& o) {
  for (size_t i = 0; i < N; i++) x[i] = clampJs(x[i], o.lower[i], o.upper[i]);
}

/// One Nelder-Mead run from x0 (nelder-mead.ts run()).
template <size_t N, typename F>
Minimum<N> run(F& f, const std::array<double, N>& x0, const Options<N>& o) {
  using Point = std::array<double, N>;
  std::array<Point, N + 1> pts;
  std::array<double, N + 1> val;
  pts[0] = x0;
  for (size_t i = 0; i < N; i++) {
    Point p = x0;
    p[i] = p[i] + o.step[i] <= o.upper[i] ? p[i] + o.step[i] : p[i] - o.step[i];
    project(p, o);
    pts[i + 1] = p;
  }
  for (size_t i = 0; i <= N; i++) val[i] = f(pts[i]);
  int evals = static_cast<int>(N) + 1;
  std::array<size_t, N + 1> order;
  for (size_t i = 0; i <= N; i++) order[i] = i;
  // JS: val[i] - val[j] || i - j (a NaN difference, Infinity - Infinity, falls to the index)
  const auto before = [&val](size_t i, size_t j) {
    const double d = val[i] - val[j];
    if (d != 0 && !std::isnan(d)) return d < 0;
    return i < j;
  };
  const auto at = [&o](const Point& centroid, const Point& worst, double t) {
    Point p;
    for (size_t i = 0; i < N; i++) p[i] = centroid[i] + t * (centroid[i] - worst[i]);
    project(p, o);
    return p;
  };
  while (evals < o.maxEval) {
    std::sort(order.begin(), order.end(), before);
    const size_t best = order[0], worst = order[N], second = order[N - 1];
    double spread = 0;
    for (const Point& p : pts)
      for (size_t i = 0; i < N; i++) spread = maxJs(spread, std::fabs(p[i] - pts[best][i]) / (1 + std::fabs(pts[best][i])));
    if (val[worst] - val[best] <= o.ftol * (1 + std::fabs(val[best])) && spread <= o.xtol) break;
    Point centroid{};
    for (size_t r = 0; r < N; r++)
      for (size_t i = 0; i < N; i++) centroid[i] += pts[order[r]][i] / static_cast<double>(N);
    const Point xr = at(centroid, pts[worst], 1);
    const double fr = f(xr);
    evals++;
    if (fr < val[best]) {
      const Point xe = at(centroid, pts[worst], 2);
      const double fe = f(xe);
      evals++;
      if (fe < fr) {
        pts[worst] = xe;
        val[worst] = fe;
      } else {
        pts[worst] = xr;
        val[worst] = fr;
      }
    } else if (fr < val[second]) {
      pts[worst] = xr;
      val[worst] = fr;
    } else {
      const bool outside = fr < val[worst];
      const Point xc = at(centroid, pts[worst], outside ? 0.5 : -0.5);
      const double fc = f(xc);
      evals++;
      if (outside ? fc <= fr : fc < val[worst]) {
        pts[worst] = xc;
        val[worst] = fc;
      } else {
        for (size_t r = 1; r <= N; r++) {
          const size_t k = order[r];
          for (size_t i = 0; i < N; i++) pts[k][i] = pts[best][i] + 0.5 * (pts[k][i] - pts[best][i]);
          project(pts[k], o);
          val[k] = f(pts[k]);
        }
        evals += static_cast<int>(N);
      }
    }
  }
  size_t b = 0;
  for (size_t i = 1; i <= N; i++)
    if (val[i] < val[b]) b = i;
  return Minimum<N>{pts[b], val[b]};
}

/// Minimizes f over the box from x0 (projected into it): runs, each restarted from the last best
/// point, until a run improves the value by no more than ftol (1 + |f|) (nelder-mead.ts nelderMead()).
template <size_t N, typename F>
Minimum<N> minimize(F& f, std::array<double, N> x0, const Options<N>& o) {
  project(x0, o);
  Minimum<N> best = run(f, x0, o);
  for (int r = 0; r < o.restarts; r++) {
    const Minimum<N> next = run(f, best.x, o);
    const bool improved = best.f - next.f > o.ftol * (1 + std::fabs(best.f));
    if (next.f < best.f) best = next;
    if (!improved) break;
  }
  return best;
}

}  // namespace kernelbus::nm
