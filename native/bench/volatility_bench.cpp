// C++-only benchmark of the volatility fit (no Node): where a fit's time goes, phase by phase.
//   g++ -O3 -std=c++17 -ffp-contract=off -fno-trapping-math -fno-math-errno -Inative/kernels \
//     native/bench/volatility_bench.cpp native/kernels/volatility/*.cpp native/kernels/*.cpp native/kernels/math/special*.cpp -lpthread
// The series are bench/volatility.ts's (GJR-GARCH(1,1) percent returns from mulberry32 and
// Box-Muller, seed 70, 2,520 x 500 row-major; column 0 the single series). For GARCH(1,1) normal and
// GJR(1,1,1) skew-t it prints the best of 9 whole fitSeries, then the phases of one fit as fitSeries
// runs them, each the best of 25 (OLS problem, starting values, the optimizer with its passes counted,
// the robust standard errors, the final pass), the cost of one likelihood pass with and without its
// gradient (and Hessian); then the bound of a GARCH(1,1) fit (bound(): the serial recursion alone, an
// independent value + gradient + Hessian pass checking hessian.cpp's, Newton from arch's start, the
// standard errors from the analytic Hessian and how far they move); the panel at 1 and 2 threads (or
// the counts given as arguments), and garchVar over 2,520 bars, window 1,000, a refit every bar.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <vector>

#include "mulberry32.hpp"
#include "parallel.hpp"
#include "volatility/dist.hpp"
#include "volatility/fit.hpp"
#include "volatility/model.hpp"
#include "volatility/optimize.hpp"
#include "volatility/passes.hpp"
#include "volatility/volatility.hpp"

using namespace kernelbus;
using kernelbus::bench::Mulberry32;
using namespace kernelbus::volatility;

namespace {

constexpr size_t T = 2520, N = 500;

std::vector<double> panel(size_t rows, size_t cols, uint32_t seed) {
  Mulberry32 u{seed};
  std::vector<double> out(rows * cols);
  for (size_t c = 0; c < cols; c++) {
    double v = 1, prev = 0;
    for (size_t t = 0; t < rows; t++) {
      v = 0.02 + 0.04 * prev * prev + (prev < 0 ? 0.08 * prev * prev : 0) + 0.9 * v;
      const double u1 = u(), u2 = u();
      const double z = std::sqrt(-2 * std::log(u1 + 1e-300)) * std::cos(2 * M_PI * u2);
      prev = std::sqrt(v) * z;
      out[t * cols + c] = 0.05 + prev;
    }
  }
  return out;
}

constexpr int kRuns = 25;

double us(double ms) { return ms * 1e3; }

double now() { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

template <typename F>
double best(int runs, F&& f) {
  double b = 1e300;
  for (int r = 0; r < runs; r++) {
    const double t0 = now();
    f();
    b = std::min(b, now() - t0);
  }
  return b;
}

/// One fit's phases (ms) and passes (us), as phases() measured them.
struct Phases {
  double ols = 0, start = 0, minimize = 0, stdErrors = 0, last = 0, grad = 0, hess = 0;
};

Phases phases(const char* name, const Model& m, const double* y) {
  const size_t k = paramCount(m);
  std::vector<double> out(fitLength(m, T));
  const double whole = best(kRuns, [&] { fitSeries(m, y, T, out.data(), nullptr, true); });
  std::printf("%s: fitSeries %.3f ms (best of %d), ll %.10f, iterations %.0f, status %.0f\n", name, whole, kRuns, out[2 * k],
              out[2 * k + 2], out[2 * k + 1]);
  std::vector<double> theta;
  double v = 0;
  std::unique_ptr<Problem> owned;
  const double tOls = best(kRuns, [&] { owned = olsProblem(m, y, T, theta, v); });
  Problem& pr = *owned;
  const Polytope poly = polytope(pr, v);
  const std::vector<double> ols = theta;
  const double tStart = best(kRuns, [&] {
    theta = ols;
    startingValues(pr, theta.data());
  });
  const size_t nobs = pr.nobs;
  PassCounts counts;
  Minimum mn;
  const double tMin = best(kRuns, [&] {
    counts = PassCounts();
    mn = optimum(pr, poly, theta.data(), &counts);
  });
  std::vector<double> se(k);
  const double tSe = best(kRuns, [&] { robustStdErrors(pr, mn.x.data(), se.data()); });
  double ll = 0;
  const double tLast = best(kRuns, [&] { ll = -negLogLikelihood(pr, mn.x.data()); });
  std::vector<double> g(k), scores(nobs * k);
  const double tValue = best(200, [&] { negLogLikelihood(pr, mn.x.data()); });
  const double tGrad = best(200, [&] { negLogLikelihood(pr, mn.x.data(), g.data()); });
  const double tScores = best(200, [&] { negLogLikelihood(pr, mn.x.data(), g.data(), false, scores.data()); });
  double tHess = 0;
  if (garch11Hessian(m)) {
    std::vector<double> hess(k * k);
    tHess = best(200, [&] { negLogLikelihoodHessian(pr, mn.x.data(), g.data(), hess.data()); });
    std::printf("  -ll + gradient + Hessian (hessian.cpp) %.1f us (best of 200)\n", tHess * 1e3);
  }
  std::printf(
      "  ols+bounds %.3f ms, start %.3f ms, minimize %.3f ms (%zu iterations; passes: %zu value + gradient, %zu with the "
      "Hessian, %zu four-lane batches), stdErrors %.3f ms, final %.3f ms (each best of %d); ll %.10f\n",
      tOls, tStart, tMin, mn.iterations, counts.values, counts.hessians, counts.batches, tSe, tLast, kRuns, ll);
  std::printf("  one -ll %.1f us, -ll + gradient %.1f us, -ll + gradient + scores %.1f us (best of 200)\n", tValue * 1e3, tGrad * 1e3,
              tScores * 1e3);
  std::printf("  params");
  for (size_t i = 0; i < k; i++) std::printf(" %.10g", mn.x[i]);
  std::printf("\n  stdErrors");
  for (size_t i = 0; i < k; i++) std::printf(" %.10g", se[i]);
  std::printf("\n");
  return {tOls, tStart, tMin, tSe, tLast, tGrad * 1e3, tHess * 1e3};
}

// ---- The bound of a GARCH(1,1) normal constant-mean fit (not the kernel: a measurement) ----
// Issue 70 asks the fit >= 30x arch's. What would the fastest fit cost? A prototype of the levers not
// taken: the analytic Hessian of the log-likelihood from second-derivative recursions of sigma^2, in the
// same pass as the value and the gradient, and plain Newton steps with it (the optimum here is interior).

/// sigma^2's serial recursion alone (no likelihood): the floor of any pass over the observations.
double recursionOnly(const Problem& pr, const double* x) {
  const double* e = pr.e.data();
  const double w = x[1], a = x[2], b = x[3];
  double s = w + (a + b) * pr.backcast, sum = s;
  for (size_t t = 1; t < pr.nobs; t++) {
    s = w + a * (e[t - 1] * e[t - 1]) + b * s;
    sum += s;
  }
  return sum;
}

/// -ll / nobs of GARCH(1,1) normal, constant mean at x (mu, omega, alpha, beta), its gradient (4) and its
/// Hessian (16, row-major): the value, the first and the second derivatives of sigma^2 carried forward.
/// The bounds of sigma^2 are not applied (they do not bind at these parameters).
double valueGradientHessian(const Problem& pr, const double* x, double* grad, double* hess) {
  const size_t nobs = pr.nobs;
  const double* y = pr.y;
  const double mu = x[0], w = x[1], a = x[2], b = x[3], bc = pr.backcast;
  // d sigma^2 (mu, w, a, b); its nonzero second derivatives (mu mu, mu a, mu b, w b, a b, b b)
  double dm = 0, dw = 1, da = bc, db = bc;
  double hmm = 0, hma = 0, hmb = 0, hwb = 0, hab = 0, hbb = 0;
  double s = w + a * bc + b * bc;
  double G[4] = {0, 0, 0, 0}, H[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  LogProduct logS;
  double q = 0;
  for (size_t t = 0;; t++) {
    const double e = y[t] - mu, r = 1 / s, u = e * e * r;
    logS.add(s);
    q += u;
    const double ls = -0.5 * r * (1 - u), lss = 0.5 * r * r * (1 - 2 * u), le = -e * r, lee = -r, les = e * r * r;
    // de / dmu = -1
    G[0] += ls * dm - le;
    G[1] += ls * dw;
    G[2] += ls * da;
    G[3] += ls * db;
    H[0] += lss * dm * dm + ls * hmm - 2 * les * dm + lee;  // mu mu
    H[1] += lss * dm * dw - les * dw;                       // mu w
    H[2] += lss * dm * da + ls * hma - les * da;            // mu a
    H[3] += lss * dm * db + ls * hmb - les * db;            // mu b
    H[4] += lss * dw * dw;                                  // w w
    H[5] += lss * dw * da;                                  // w a
    H[6] += lss * dw * db + ls * hwb;                       // w b
    H[7] += lss * da * da;                                  // a a
    H[8] += lss * da * db + ls * hab;                       // a b
    H[9] += lss * db * db + ls * hbb;                       // b b
    if (t + 1 == nobs) break;
    const double e2 = e * e;
    hbb = 2 * db + b * hbb;
    hab = da + b * hab;
    hwb = dw + b * hwb;
    hmb = dm + b * hmb;
    hma = -2 * e + b * hma;
    hmm = 2 * a + b * hmm;
    dm = -2 * a * e + b * dm;
    dw = 1 + b * dw;
    da = e2 + b * da;
    db = s + b * db;
    s = w + a * e2 + b * s;
  }
  const double n = double(nobs);
  for (size_t i = 0; i < 4; i++) grad[i] = -G[i] / n;
  const size_t at[4][4] = {{0, 1, 2, 3}, {1, 4, 5, 6}, {2, 5, 7, 8}, {3, 6, 8, 9}};
  for (size_t i = 0; i < 4; i++)
    for (size_t j = 0; j < 4; j++) hess[i * 4 + j] = -H[at[i][j]] / n;
  return 0.5 * (n * std::log(2 * M_PI) + logS.log() + q) / n;
}

/// x <- x - H^-1 g by Gaussian elimination (4 x 4); the model's predicted decrease g'd/2.
double newtonStep(const double* g, const double* h, double* d) {
  double a[4][5];
  for (size_t i = 0; i < 4; i++) {
    for (size_t j = 0; j < 4; j++) a[i][j] = h[i * 4 + j];
    a[i][4] = -g[i];
  }
  for (size_t c = 0; c < 4; c++) {
    size_t p = c;
    for (size_t r = c + 1; r < 4; r++)
      if (std::fabs(a[r][c]) > std::fabs(a[p][c])) p = r;
    for (size_t j = 0; j < 5; j++) std::swap(a[c][j], a[p][j]);
    for (size_t r = c + 1; r < 4; r++) {
      const double f = a[r][c] / a[c][c];
      for (size_t j = c; j < 5; j++) a[r][j] -= f * a[c][j];
    }
  }
  for (size_t i = 4; i-- > 0;) {
    double v = a[i][4];
    for (size_t j = i + 1; j < 4; j++) v -= a[i][j] * d[j];
    d[i] = v / a[i][i];
  }
  double gd = 0;
  for (size_t i = 0; i < 4; i++) gd += g[i] * d[i];
  return -0.5 * gd;
}

void bound(const double* y, const Phases& ph) {
  Model m;
  std::vector<double> theta;
  double v = 0;
  auto owned = olsProblem(m, y, T, theta, v);
  Problem& pr = *owned;
  std::vector<double> out(fitLength(m, T));
  fitSeries(m, y, T, out.data(), nullptr, true);
  const double* kernelX = out.data();
  const double* kernelSe = out.data() + 4;
  double g[4], h[16], gk[4];
  double f = valueGradientHessian(pr, kernelX, g, h);
  const double fk = negLogLikelihood(pr, kernelX, gk) / double(pr.nobs);
  std::printf("bound (GARCH(1,1) normal): prototype -ll/nobs %.15g vs the kernel's %.15g; gradient", f, fk);
  for (size_t i = 0; i < 4; i++) std::printf(" %.3g/%.3g", g[i], gk[i] / double(pr.nobs));
  std::printf("\n");
  double hk[16], gh[4];
  const double fh = negLogLikelihoodHessian(pr, kernelX, gh, hk);
  valueGradientHessian(pr, kernelX, g, h);
  double worst = 0;
  for (size_t i = 0; i < 16; i++) worst = std::max(worst, std::fabs(hk[i] / double(pr.nobs) - h[i]) / std::fabs(h[i]));
  std::printf("  hessian.cpp's pass: -ll %s the gradient pass's bits, its Hessian within %.2g relative of this prototype's\n",
              fh == fk * double(pr.nobs) && gh[0] == gk[0] && gh[3] == gk[3] ? "has" : "does NOT have", worst);
  residuals(pr, kernelX, pr.e.data());
  const double tRec = best(500, [&] {
    volatile double s = recursionOnly(pr, kernelX);
    (void)s;
  });
  const double tVgh = best(500, [&] { valueGradientHessian(pr, kernelX, g, h); });
  std::vector<double> x0 = theta;
  const double tStart = best(kRuns, [&] {
    x0 = theta;
    startingValues(pr, x0.data());
  });
  // Newton from arch's start: each iteration one pass (value, gradient, Hessian); a step accepted when f
  // falls (halved otherwise), stopped at the kernel's test (predicted decrease <= 1e-14 (1 + |f|)).
  std::vector<double> x(4);
  size_t iterations = 0, passes = 0;
  const auto newton = [&] {
    x = x0;
    iterations = passes = 0;
    f = valueGradientHessian(pr, x.data(), g, h);
    passes++;
    for (; iterations < 50; iterations++) {
      double d[4], xn[4], gn[4], hn[16];
      const double predicted = newtonStep(g, h, d);
      if (!(predicted > 1e-14 * (1 + std::fabs(f)))) break;
      double alpha = 1, fn = 0;
      for (int tries = 0; tries < 30; tries++, alpha *= 0.5) {
        for (size_t i = 0; i < 4; i++) xn[i] = x[i] + alpha * d[i];
        if (!(xn[1] > 0 && xn[2] >= 0 && xn[3] >= 0 && xn[2] + xn[3] < 1)) continue;
        fn = valueGradientHessian(pr, xn, gn, hn);
        passes++;
        if (fn <= f) break;
      }
      std::copy(xn, xn + 4, x.begin());
      std::copy(gn, gn + 4, g);
      std::copy(hn, hn + 16, h);
      f = fn;
    }
  };
  const double tNewton = best(kRuns, newton);
  // the robust standard errors from the analytic Hessian and the kernel's analytic scores
  std::vector<double> scores(pr.nobs * 4), se(4), gg(4);
  const auto stdErrors = [&] {
    valueGradientHessian(pr, x.data(), g, h);
    negLogLikelihood(pr, x.data(), gg.data(), false, scores.data());
    double hh[16], inv[16];
    std::copy(h, h + 16, hh);
    for (size_t c = 0; c < 4; c++) {  // inverse by 4 Newton solves of unit vectors
      double e[4] = {0, 0, 0, 0}, d[4];
      e[c] = -1;
      newtonStep(e, hh, d);
      for (size_t r = 0; r < 4; r++) inv[r * 4 + c] = d[r];
    }
    const size_t n = pr.nobs;
    double mean[4] = {0, 0, 0, 0}, cov[16] = {0};
    for (size_t t = 0; t < n; t++)
      for (size_t i = 0; i < 4; i++) mean[i] += scores[t * 4 + i] / double(n);
    for (size_t t = 0; t < n; t++)
      for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++) cov[i * 4 + j] += (scores[t * 4 + i] - mean[i]) * (scores[t * 4 + j] - mean[j]) / double(n - 1);
    for (size_t i = 0; i < 4; i++) {
      double s = 0;
      for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 4; b++) s += inv[i * 4 + a] * cov[a * 4 + b] * inv[b * 4 + i];
      se[i] = std::sqrt(s / double(n));
    }
  };
  const double tSe = best(kRuns, stdErrors);
  const double llNewton = -f * double(pr.nobs), llKernel = out[8];
  std::printf("  sigma^2 recursion alone %.1f us; value + gradient + Hessian pass %.1f us (best of 500)\n", us(tRec), tVgh * 1e3);
  std::printf("  Newton from arch's start: %zu iterations, %zu passes, %.3f ms; ll %.10f (kernel %.10f, diff %.2g)\n", iterations, passes,
              tNewton, llNewton, llKernel, llNewton - llKernel);
  std::printf("  params");
  for (size_t i = 0; i < 4; i++) std::printf(" %.10g (%.2g rel)", x[i], (x[i] - kernelX[i]) / kernelX[i]);
  std::printf("\n  stdErrors (analytic Hessian) %.3f ms:", tSe);
  for (size_t i = 0; i < 4; i++) std::printf(" %.10g (%.2g rel)", se[i], (se[i] - kernelSe[i]) / kernelSe[i]);
  std::printf("\n");
  // the floors: Newton needs 5 steps and the pass that checks the last (the Hessian at the first 4, the
  // gradient alone past a predicted decrease of 1e-6: the kernel's), or 6 gradient passes were the
  // Hessian free; the rest as the kernel's phases
  const double rest = ph.ols + ph.start + ph.stdErrors + ph.last;
  const double kernelNewton = (4 * ph.hess + 2 * ph.grad) / 1e3, free = 6 * ph.grad / 1e3;
  std::printf(
      "  floors: OLS %.3f + start %.3f + std errors %.3f + final %.3f = %.3f ms; with Newton's 4 Hessian + 2 gradient passes "
      "%.3f ms (the kernel's minimize %.3f), with 6 gradient passes %.3f ms\n",
      ph.ols, ph.start, ph.stdErrors, ph.last, rest, rest + kernelNewton, ph.minimize, rest + free);
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<size_t> threadCounts;
  for (int i = 1; i < argc; i++) threadCounts.push_back(size_t(std::atoi(argv[i])));
  if (threadCounts.empty()) threadCounts = {1, 2};
  const std::vector<double> data = panel(T, N, 70);
  std::vector<double> first(T);
  for (size_t t = 0; t < T; t++) first[t] = data[t * N];
  Model garch;
  Model gjr;
  gjr.o = 1;
  gjr.dist = kDistSkewT;
  const Phases garchPhases = phases("GARCH(1,1) normal", garch, first.data());
  phases("GJR(1,1,1) skew-t", gjr, first.data());
  bound(first.data(), garchPhases);
  std::vector<double> out(N * fitLength(garch, T));
  double oneThread = 0;
  for (size_t threads : threadCounts) {
    setThreadCount(threads);
    const double ms = best(3, [&] { fitColumns(garch, data.data(), T, N, nullptr, out.data()); });
    if (threads == 1) oneThread = ms;
    std::printf("panel %zu x %zu GARCH(1,1), %zu thread(s): %.1f ms (best of 3), %.3f ms a column a thread, %.2fx one thread\n", T, N,
                threads, ms, ms * double(threads) / double(N), oneThread > 0 ? oneThread / ms : 0.0);
  }
  setThreadCount(0);
  VarOptions o;
  o.window = 1000;
  o.refit = 1;
  std::vector<double> vout(varLength(T));
  const double vms = best(3, [&] { varColumns(garch, first.data(), T, 1, o, vout.data()); });
  std::printf("garchVar GARCH(1,1), %zu bars, window 1000, refit every bar: %.1f ms (best of 3), status %.0f\n", T, vms, vout[0]);
  return 0;
}
