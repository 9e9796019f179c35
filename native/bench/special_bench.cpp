// C++-only micro benchmark of the special functions (no Node):
//   g++ -O3 -std=c++17 -ffp-contract=off -Inative/kernels native/bench/special_bench.cpp
//     native/kernels/math/special.cpp native/kernels/math/special_chi.cpp
// Prints ns per value, best of 7 runs over n values (default 10^6): x ~ N(0, 2^2) with 5% drawn from
// the tails (|x| in [5, 37]) for the normal functions, p ~ U(0, 1) with 5% log-uniform in [1e-300, 1e-5]
// for the quantiles, and for Student's t the same x as t at several nu. A checksum keeps the calls live.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "math/special.hpp"

namespace {

volatile double gSink;

template <typename F>
double nsPerValue(const std::vector<double>& in, F fn) {
  double best = 1e30;
  for (int r = 0; r < 7; r++) {
    double sum = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (double v : in) sum += fn(v);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    gSink = sum;
    best = std::min(best, s);
  }
  return best * 1e9 / static_cast<double>(in.size());
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000000;
  std::mt19937_64 rng(42);
  std::normal_distribution<double> gauss(0, 2);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> x(n), p(n);
  for (size_t i = 0; i < n; i++) {
    x[i] = u(rng) < 0.05 ? (u(rng) < 0.5 ? -1 : 1) * (5 + 32 * u(rng)) : gauss(rng);
    p[i] = u(rng) < 0.05 ? std::pow(10.0, -5 - 295 * u(rng)) : u(rng);
  }
  using namespace kernelbus;
  std::printf("%-28s %10s\n", "function (n = values)", "ns/value");
  std::printf("%-28s %10.2f\n", "normalCdf", nsPerValue(x, [](double v) { return normalCdf(v); }));
  std::printf("%-28s %10.2f\n", "normalSf", nsPerValue(x, [](double v) { return normalSf(v); }));
  std::printf("%-28s %10.2f\n", "normalPdf", nsPerValue(x, [](double v) { return normalPdf(v); }));
  std::printf("%-28s %10.2f\n", "normalQuantile", nsPerValue(p, [](double v) { return normalQuantile(v); }));
  for (double nu : {0.5, 1.0, 3.0, 4.0, 10.0, 30.0, 100.0, 1e4, 1e6}) {
    char name[64];
    std::snprintf(name, sizeof name, "studentTCdf nu=%g", nu);
    std::printf("%-28s %10.2f\n", name, nsPerValue(x, [nu](double v) { return studentTCdf(v, nu); }));
  }
  std::vector<double> pq(p.begin(), p.begin() + std::min<size_t>(n, 100000));
  for (double nu : {0.5, 1.0, 3.0, 4.0, 10.0, 100.0, 1e6}) {
    char name[64];
    std::snprintf(name, sizeof name, "studentTQuantile nu=%g", nu);
    std::printf("%-28s %10.2f\n", name, nsPerValue(pq, [nu](double v) { return studentTQuantile(v, nu); }));
  }
  return 0;
}
