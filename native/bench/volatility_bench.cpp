// C++-only benchmark of the volatility fit (no Node): where a fit's time goes, phase by phase.
//   g++ -O3 -std=c++17 -ffp-contract=off -fno-trapping-math -fno-math-errno -Inative/kernels \
//     native/bench/volatility_bench.cpp native/kernels/volatility/*.cpp native/kernels/*.cpp -lpthread
// The series are bench/volatility.ts's (GJR-GARCH(1,1) percent returns from mulberry32 and
// Box-Muller, seed 70, 2,520 x 500 row-major; column 0 the single series). For GARCH(1,1) normal and
// GJR(1,1,1) skew-t it prints the best of 9 whole fitSeries, then the phases of one fit as fitSeries
// runs them (OLS problem, starting values, the optimizer with its objective calls counted, the robust
// standard errors, the final pass), the cost of one likelihood with and without its gradient, the
// panel at 1 and 2 threads (or the counts given as arguments), and garchVar over 2,520 bars, window 1,000, a refit every bar.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <vector>

#include "parallel.hpp"
#include "volatility/fit.hpp"
#include "volatility/model.hpp"
#include "volatility/optimize.hpp"
#include "volatility/volatility.hpp"

using namespace kernelbus;
using namespace kernelbus::volatility;

namespace {

constexpr size_t T = 2520, N = 500;

struct Mulberry32 {
  uint32_t a;
  double operator()() {
    a += 0x6d2b79f5u;
    uint32_t t = a;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    return double(t ^ (t >> 14)) / 4294967296.0;
  }
};

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

void phases(const char* name, const Model& m, const double* y) {
  const size_t k = paramCount(m);
  std::vector<double> out(fitLength(m, T));
  const double whole = best(9, [&] { fitSeries(m, y, T, out.data(), nullptr, true); });
  std::printf("%s: fitSeries %.3f ms (best of 9), ll %.10f, iterations %.0f, status %.0f\n", name, whole, out[2 * k], out[2 * k + 2],
              out[2 * k + 1]);
  double t0 = now();
  std::vector<double> theta;
  double v = 0;
  auto owned = olsProblem(m, y, T, theta, v);
  Problem& pr = *owned;
  const Polytope poly = polytope(pr, v);
  const double tOls = now() - t0;
  t0 = now();
  startingValues(pr, theta.data());
  const double tStart = now() - t0;
  size_t calls = 0;
  const size_t nobs = pr.nobs;
  const Objective objective = [&](const double* x, double* grad) {
    calls++;
    const double f = negLogLikelihood(pr, x, grad) / double(nobs);
    for (size_t i = 0; i < pr.k; i++) grad[i] /= double(nobs);
    return f;
  };
  t0 = now();
  const Minimum mn = minimize(objective, theta.data(), k, poly);
  const double tMin = now() - t0;
  std::vector<double> se(k);
  t0 = now();
  robustStdErrors(pr, mn.x.data(), se.data());
  const double tSe = now() - t0;
  t0 = now();
  const double ll = -negLogLikelihood(pr, mn.x.data());
  const double tLast = now() - t0;
  std::vector<double> g(k);
  const double tValue = best(200, [&] { negLogLikelihood(pr, mn.x.data()); });
  const double tGrad = best(200, [&] { negLogLikelihood(pr, mn.x.data(), g.data()); });
  const double tIndiv = best(200, [&] { negLogLikelihood(pr, mn.x.data(), nullptr, true); });
  std::printf(
      "  ols+bounds %.3f ms, start %.3f ms, minimize %.3f ms (%zu iterations, %zu objective+gradient calls), "
      "stdErrors %.3f ms, final %.3f ms; ll %.10f\n",
      tOls, tStart, tMin, mn.iterations, calls, tSe, tLast, ll);
  std::printf("  one -ll %.1f us, -ll + gradient %.1f us, -ll with the per-observation terms %.1f us\n", tValue * 1e3, tGrad * 1e3,
              tIndiv * 1e3);
  std::printf("  params");
  for (size_t i = 0; i < k; i++) std::printf(" %.8g", mn.x[i]);
  std::printf("\n  stdErrors");
  for (size_t i = 0; i < k; i++) std::printf(" %.8g", se[i]);
  std::printf("\n");
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
  phases("GARCH(1,1) normal", garch, first.data());
  phases("GJR(1,1,1) skew-t", gjr, first.data());
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
