// C++-only benchmark of the optimizers' covariance test (portfolio_psd.cpp's psdPivot), no Node:
//   g++ -O3 -std=c++17 -ffp-contract=off -fno-trapping-math -fno-math-errno -falign-loops=64
//     -Inative/kernels -Inative/kernels/portfolio native/bench/psd_bench.cpp
//     native/kernels/portfolio/portfolio_psd.cpp native/kernels/parallel.cpp native/kernels/simd.cpp -lpthread
// On a factor-model covariance (N = 500 by default, or the first argument): a fresh copy with new values
// each call (S x (1 + k 2^-20)), as bench/portfolio-psd.ts times it; the factor kept (keepFactor) and its
// digest printed, so two builds of the kernel can be checked for the same bits; the time of one
// factorization, median and best over the rounds, alone (1 thread) and as a team of two.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "mulberry32.hpp"
#include "parallel.hpp"
#include "portfolio.hpp"
#include "portfolio_psd.hpp"

using namespace kernelbus;
using kernelbus::bench::Mulberry32;
using namespace kernelbus::portfolio;

// checkPsd's check of each covariance (portfolio_qp_kernels.cpp), which psdPivot does not call
Status kernelbus::portfolio::checkCovAt(const double*, size_t, size_t) { return Status{}; }

namespace {

double normal(Mulberry32& r) {
  const double u = std::max(r(), 1e-300), v = r();
  return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
}

/// B B^T + D with 10 factors: positive definite, a factor model's shape.
std::vector<double> factorCovariance(size_t n, uint32_t seed) {
  Mulberry32 r{seed};
  const size_t f = 10;
  std::vector<double> B(n * f), S(n * n);
  for (double& b : B) b = normal(r) * 0.01;
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j <= i; j++) {
      double s = 0;
      for (size_t k = 0; k < f; k++) s += B[i * f + k] * B[j * f + k];
      S[i * n + j] = S[j * n + i] = s;
    }
    S[i * n + i] += 1e-4 * (0.5 + r());
  }
  return S;
}

uint64_t digest(const double* a, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j <= i; j++) {
      uint64_t bits;
      std::memcpy(&bits, a + i * n + j, 8);
      h = (h ^ bits) * 1099511628211ull;
    }
  return h;
}

double ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 500;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 41;
  const std::vector<double> S = factorCovariance(n, 7);
  std::vector<double> scratch(n * n + psdPanelLength(n));
  // the copies made before the timing, one per call
  std::vector<std::vector<double>> fresh(rounds, S);
  for (int k = 0; k < rounds; k++)
    for (double& v : fresh[k]) v *= 1 + (k + 1) * std::ldexp(1.0, -20);
  size_t asset = 0;
  double pivot = 0;
  if (!psdPivot(S.data(), n, scratch.data(), asset, pivot, true)) {
    std::printf("not PSD at %zu: %g\n", asset, pivot);
    return 1;
  }
  std::printf("psd_bench: N = %zu, factor digest %016llx\n", n, static_cast<unsigned long long>(digest(scratch.data(), n)));
  for (size_t threads : {1, 2}) {
    setThreadCount(threads);
    psdPivot(S.data(), n, scratch.data(), asset, pivot, true);
    const uint64_t bits = digest(scratch.data(), n);
    std::vector<double> times;
    for (int k = 0; k < rounds; k++) {
      const auto t0 = std::chrono::steady_clock::now();
      psdPivot(fresh[k].data(), n, scratch.data(), asset, pivot, false);
      times.push_back(ms(std::chrono::steady_clock::now() - t0));
    }
    std::sort(times.begin(), times.end());
    std::printf("  %zu thread%s: median %.3f ms, best %.3f ms, factor digest %016llx\n", threads, threads > 1 ? "s" : "",
                times[times.size() / 2], times[0], static_cast<unsigned long long>(bits));
  }
  return 0;
}
