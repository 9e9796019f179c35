// C++-only benchmark of the VPIN kernels (no Node): cmake -DKERNELBUS_NATIVE_BENCH=ON, or
//   g++ -O3 -std=c++17 -ffp-contract=off -Inative/kernels native/bench/vpin_bench.cpp native/kernels/*.cpp
// 10^7 synthetic trades at ~100 trades a second (the JS bench's tape); prints M trades/s per bar size
// and classifier, best of 5, and each as a fraction of the 60 s-bar BVC figure (the memory yardstick).
#include <algorithm>
#include <functional>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "vpin/vpin.hpp"

using namespace kernelbus::vpin;

namespace {

double best(int runs, const std::function<void()>& fn) {
  double t = 1e30;
  for (int r = 0; r < runs; r++) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    t = std::min(t, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return t;
}

size_t runVpin(kernelbus::Doubles ts, kernelbus::Doubles price, kernelbus::Doubles volume, size_t n, const Params& p) {
  VpinStream stream(p, p.sigmaParam);
  size_t rows = 0;
  if (!prepareVpin(stream, ts, price, volume, n, p, rows).ok()) return 0;
  std::vector<double> cols(kBucketColumnCount * rows);
  stream.commit(bucketColumnsIn(cols.data(), rows));
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::stoul(argv[1]) : 10000000;
  std::vector<double> ts(n), price(n), volume(n);
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0, 1);
  double t = 1.7e12, p = 100, total = 0;
  for (size_t i = 0; i < n; i++) {
    t += std::floor(u(rng) * 20);  // ~100 trades a second
    p += (u(rng) - 0.5) * 0.02;
    ts[i] = t;
    price[i] = p;
    volume[i] = 1 + std::floor(u(rng) * 100);
    total += volume[i];
  }
  const double days = std::max(1.0, (ts[n - 1] - ts[0]) / 86400000.0);
  struct Case {
    std::string name;
    double barMs;
    int classifier;
  };
  const Case cases[] = {
      {"bvc 60 s bars", 60000, 0}, {"bvc 1 s bars", 1000, 0}, {"bvc 10 ms bars", 10, 0}, {"tick rule, 60 s bars", 60000, 1}};
  double yardstick = 0;
  for (const Case& c : cases) {
    Params params;
    params.bucketVolume = total / days / 50;
    params.barMs = c.barMs;
    params.classifier = c.classifier;
    size_t rows = 0;
    const double secs = best(5, [&] { rows = runVpin(ts.data(), price.data(), volume.data(), n, params); });
    const double rate = n / secs / 1e6;
    if (yardstick == 0) yardstick = rate;
    std::printf("vpin %-22s %8.1f M trades/s  %5.2fx  (%zu buckets)\n", c.name.c_str(), rate, rate / yardstick, rows);
  }
  {
    // The first case over the columns of a frame as read from a socket: ts | price | volume at byte
    // offset 4 (not 8-byte aligned), read in place through Doubles.
    std::vector<unsigned char> frame(24 * n + 8);
    unsigned char* body = frame.data() + 4;
    std::memcpy(body, ts.data(), 8 * n);
    std::memcpy(body + 8 * n, price.data(), 8 * n);
    std::memcpy(body + 16 * n, volume.data(), 8 * n);
    Params params;
    params.bucketVolume = total / days / 50;
    params.barMs = cases[0].barMs;
    using kernelbus::Doubles;
    size_t rows = 0;
    const double secs = best(5, [&] {
      rows = runVpin(Doubles::fromBytes(body), Doubles::fromBytes(body + 8 * n), Doubles::fromBytes(body + 16 * n), n, params);
    });
    const double rate = n / secs / 1e6;
    std::printf("vpin %-22s %8.1f M trades/s  %5.2fx  (%zu buckets)\n", "bvc 60 s, unaligned", rate, rate / yardstick, rows);
  }
  std::vector<int8_t> signs(n);
  const double tr = best(5, [&] { tickRule(price.data(), n, signs.data()); });
  std::printf("tickRule()                  %8.1f M trades/s  %5.2fx\n", n / tr / 1e6, n / tr / 1e6 / yardstick);
  return 0;
}
