// C++-only benchmark of the VPIN kernel (no Node): cmake -DKERNELBUS_NATIVE_BENCH=ON, or
//   g++ -O3 -std=c++17 -ffp-contract=off -Inative/kernels native/bench/vpin_bench.cpp native/kernels/*.cpp
// Prints trades/s for vpin() and, as the memory roofline, for a plain sum over the same three columns.
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "vpin.hpp"

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::stoul(argv[1]) : 10000000;
  std::vector<double> ts(n), price(n), volume(n);
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0, 1);
  double t = 1.7e12, p = 100;
  for (size_t i = 0; i < n; i++) {
    t += std::floor(u(rng) * 200);
    p += (u(rng) - 0.5) * 0.02;
    ts[i] = t;
    price[i] = p;
    volume[i] = 1 + std::floor(u(rng) * 100);
  }
  kernelbus::vpin::Params params;
  params.bucketVolume = 20200;
  auto time = [&](auto&& fn) {
    double best = 1e30;
    for (int r = 0; r < 5; r++) {
      auto t0 = std::chrono::steady_clock::now();
      fn();
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
  };
  size_t buckets = 0;
  const double tv = time([&] {
    kernelbus::vpin::Buckets out;
    kernelbus::vpin::vpin(ts.data(), price.data(), volume.data(), n, params, out);
    buckets = out.size();
  });
  double sink = 0;
  const double ts3 = time([&] {
    double a = 0, b = 0, c = 0;
    for (size_t i = 0; i < n; i++) {
      a += ts[i];
      b += price[i];
      c += volume[i];
    }
    sink += a + b + c;
  });
  std::printf("vpin: %zu trades, %zu buckets, %.1f M trades/s\n", n, buckets, n / tv / 1e6);
  std::printf("roofline (sum of 3 columns, sequential adds): %.1f M trades/s (%g)\n", n / ts3 / 1e6, sink);
  return 0;
}
