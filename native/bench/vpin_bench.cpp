// C++-only benchmark of the VPIN kernels (no Node): cmake -DKERNELBUS_NATIVE_BENCH=ON, or
//   g++ -O3 -std=c++17 -ffp-contract=off -Inative/kernels native/bench/vpin_bench.cpp native/kernels/*.cpp native/kernels/math/special*.cpp
// 10^7 synthetic trades at ~100 trades a second (the JS bench's tape); prints M trades/s per bar size
// and classifier, best of 5, and each as a fraction of the 60 s-bar BVC figure (the memory yardstick).
// Then what memory allows the quote classifiers (issue 52): classifyTrades() Lee-Ready over the trades'
// own quotes (ts, price, bid, ask: 32 bytes a trade) and over a stream of 2 quotes a trade (ts, price,
// and 2 x (ts, bid, ask): 64 bytes a trade), beside vpin() and the floors of 24, 32 and 64 bytes a
// trade (that many columns read on the kernels' threads, a label written, at each CPU's vector width
// and no other work), interleaved in rounds: medians of 15.
#include <algorithm>
#include <functional>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "parallel.hpp"
#include "simd.hpp"
#include "vpin/classify.hpp"
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

// The floor of K columns: each read, their sum's sign written as a label (K = 3, 4 or 8; the unused
// pointers are a0's, not read).
template <int K>
KERNELBUS_VECTOR_BODY void readColumns(const double* a0, const double* a1, const double* a2, const double* a3, const double* a4,
                                       const double* a5, const double* a6, const double* a7, size_t n, int8_t* out) {
  for (size_t i = 0; i < n; i++) {
    double s = a0[i] + a1[i] + a2[i];
    if constexpr (K > 3) s += a3[i];
    if constexpr (K > 4) s += a4[i] + a5[i] + a6[i] + a7[i];
    out[i] = static_cast<int8_t>(s > 0 ? 1 : -1);
  }
}

// readColumns<K> over n trades on the kernels' threads, in chunks as the classifiers take them.
template <int K>
void floorOf(const std::vector<const double*>& c, size_t n, int8_t* out) {
  kernelbus::parallelFor(n, size_t{1} << 18, [&](size_t b, size_t e) {
    const auto at = [&](size_t k) { return c[k < c.size() ? k : 0] + b; };
    kernelbus::simd::run<readColumns<K>>(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), e - b, out + b);
  });
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
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

  // The quote classifiers beside vpin() and the floors, as bench/vpin.ts builds their inputs: quotes
  // a cent apart around each trade; a stream of 2 quotes a trade evenly over the tape's span.
  std::vector<double> bid(n), ask(n);
  for (size_t i = 0; i < n; i++) {
    bid[i] = price[i] - static_cast<double>(i % 3) * 0.005 - 0.005;
    ask[i] = price[i] + static_cast<double>((i + 1) % 3) * 0.005 + 0.005;
  }
  const size_t m = 2 * n;
  std::vector<double> qts(m), qbid(m), qask(m);
  const double span = ts[n - 1] - ts[0];
  for (size_t j = 0; j < m; j++) {
    qts[j] = ts[0] + std::floor(span * static_cast<double>(j) / static_cast<double>(m));
    qbid[j] = price[j / 2] - 0.01 * static_cast<double>(j % 2);
    qask[j] = price[j / 2] + 0.01 * static_cast<double>((j + 1) % 2) + 0.01;
  }
  namespace classify = kernelbus::classify;
  classify::Params lr;
  lr.algorithm = classify::kLeeReady;
  Params vp;
  vp.bucketVolume = total / days / 50;
  vp.barMs = 60000;
  const std::vector<const double*> three{ts.data(), price.data(), volume.data()}, four{ts.data(), price.data(), bid.data(), ask.data()},
      eight{ts.data(), price.data(), qts.data(), qts.data() + n, qbid.data(), qbid.data() + n, qask.data(), qask.data() + n};
  struct Timed {
    const char* name;
    std::function<void()> run;
    std::vector<double> secs;
  };
  std::vector<Timed> timed{
      {"vpin() bvc 60 s bars", [&] { runVpin(ts.data(), price.data(), volume.data(), n, vp); }, {}},
      {"floor: 24 bytes a trade", [&] { floorOf<3>(three, n, signs.data()); }, {}},
      {"classifyTrades() lee-ready",
       [&] { classify::classifyTrades(ts.data(), price.data(), bid.data(), ask.data(), n, lr, signs.data()); },
       {}},
      {"floor: 32 bytes a trade", [&] { floorOf<4>(four, n, signs.data()); }, {}},
      {"lee-ready, quote stream",
       [&] { classify::classifyQuotes(ts.data(), price.data(), n, qts.data(), qbid.data(), qask.data(), m, lr, signs.data()); },
       {}},
      {"floor: 64 bytes a trade", [&] { floorOf<8>(eight, n, signs.data()); }, {}},
  };
  for (int round = 0; round < 16; round++)
    for (Timed& c : timed) {
      const auto t0 = std::chrono::steady_clock::now();
      c.run();
      if (round > 0) c.secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());  // round 0 warms up
    }
  const double base = n / median(timed[0].secs) / 1e6;
  std::printf("\nmedians of 15 interleaved rounds, %zu threads, simd %s:\n", kernelbus::threadCount(),
              kernelbus::simd::name(kernelbus::simd::level()));
  for (const Timed& c : timed) {
    const double rate = n / median(c.secs) / 1e6;
    std::printf("%-28s %8.1f M trades/s  %5.3fx vpin()\n", c.name, rate, rate / base);
  }
  return 0;
}
