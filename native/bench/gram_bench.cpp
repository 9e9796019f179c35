// C++-only benchmark of covariance()'s cross-product sweeps (risk_gram.cpp), no Node:
//   g++ -O3 -std=c++17 -ffp-contract=off -fno-trapping-math -fno-math-errno -Inative/kernels
//     -Inative/kernels/risk native/bench/gram_bench.cpp native/kernels/risk/risk_gram.cpp
//     native/kernels/parallel.cpp native/kernels/simd.cpp -lpthread
// On a 2520 x 500 centred panel (bench/risk.ts's size) it checks every sweep's bits against the
// reference's loops (each element's sum over t in ascending order) on that panel and on small edge
// shapes, then times the sample sweep against the row sweep it replaced (kept below for the A/B), best
// and median of the rounds, interleaved, at 1 and 2 threads (or the counts given as arguments).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "parallel.hpp"
#include "risk_gram.hpp"
#include "mulberry32.hpp"
#include "simd.hpp"

using namespace kernelbus;
using kernelbus::bench::Mulberry32;
using namespace kernelbus::risk::detail;

namespace {

std::vector<double> panel(size_t n, size_t p, uint32_t seed) {
  Mulberry32 u{seed};
  std::vector<double> d(n * p);
  for (double& v : d) v = (u() - 0.5) * 0.04;
  return d;
}

// The reference's loops (src/backends/reference/risk/risk.ts): for each element, its sum over t in order.
enum Kind { kSample, kEwma, kWeighted, kCross };
std::vector<double> reference(Kind kind, const double* a, const double* b, size_t n, size_t p, double lambda, const double* w) {
  std::vector<double> out(p * p, 0.0);
  for (size_t i = 0; i < p; i++) {
    for (size_t j = kind == kCross ? 0 : i; j < p; j++) {
      double s = 0;
      for (size_t t = 0; t < n; t++) {
        const double x = a[t * p + i] * b[t * p + j];
        if (kind == kEwma) {
          s = t == 0 ? x : lambda * s + (1 - lambda) * x;
        } else if (kind == kWeighted) {
          s += w[t] * x;
        } else {
          s += x;
        }
      }
      out[i * p + j] = s;
    }
  }
  return out;
}

std::vector<double> sweep(Kind kind, const double* a, const double* b, size_t n, size_t p, double lambda, const double* w) {
  std::vector<double> out(p * p, 0.0);
  if (kind == kSample) sampleSweep(a, n, p, out.data());
  if (kind == kEwma) ewmaSweep(a, n, p, lambda, out.data());
  if (kind == kWeighted) weightedSweep(a, n, p, w, out.data());
  if (kind == kCross) crossSweep(a, b, n, p, out.data());
  return out;
}

// Whether the sweep's elements the caller reads (the upper triangle, or all for cross) are the
// reference's bits; prints the first that is not.
bool same(Kind kind, size_t n, size_t p, uint32_t seed) {
  const std::vector<double> a = panel(n, p, seed), b = panel(n, p, seed + 1), w = panel(n, 1, seed + 2);
  const double* bb = kind == kCross ? b.data() : a.data();
  const std::vector<double> want = reference(kind, a.data(), bb, n, p, 0.94, w.data());
  const std::vector<double> got = sweep(kind, a.data(), bb, n, p, 0.94, w.data());
  for (size_t i = 0; i < p; i++) {
    for (size_t j = kind == kCross ? 0 : i; j < p; j++) {
      if (std::memcmp(&want[i * p + j], &got[i * p + j], sizeof(double)) != 0) {
        std::printf("kind %d n %zu p %zu: [%zu][%zu] %.17g, reference %.17g\n", kind, n, p, i, j, got[i * p + j], want[i * p + j]);
        return false;
      }
    }
  }
  return true;
}

// The row sweep the tiles replaced (risk_cov.cpp before): for each block of 8 rows t, for each output
// row i, a loop over j of 8 rows of b and one of out (upper triangle; rows i paired i with p - 1 - i).
KERNELBUS_VECTOR_BODY void rowSampleBody(const double* d, size_t n, size_t p, double* out, const size_t* rows, size_t count) {
  for (size_t t0 = 0; t0 < n; t0 += 8) {
    const size_t t1 = std::min(n, t0 + 8);
    for (size_t r = 0; r < count; r++) {
      const size_t i = rows[r];
      double* __restrict o = out + i * p;
      if (t1 - t0 == 8) {
        const double* __restrict b0 = d + t0 * p;
        const double a0 = d[t0 * p + i], a1 = d[(t0 + 1) * p + i], a2 = d[(t0 + 2) * p + i], a3 = d[(t0 + 3) * p + i];
        const double a4 = d[(t0 + 4) * p + i], a5 = d[(t0 + 5) * p + i], a6 = d[(t0 + 6) * p + i], a7 = d[(t0 + 7) * p + i];
        for (size_t j = i; j < p; j++) {
          double c = o[j];
          c = c + a0 * b0[j];
          c = c + a1 * b0[p + j];
          c = c + a2 * b0[2 * p + j];
          c = c + a3 * b0[3 * p + j];
          c = c + a4 * b0[4 * p + j];
          c = c + a5 * b0[5 * p + j];
          c = c + a6 * b0[6 * p + j];
          c = c + a7 * b0[7 * p + j];
          o[j] = c;
        }
        continue;
      }
      for (size_t t = t0; t < t1; t++)
        for (size_t j = i; j < p; j++) o[j] = o[j] + d[t * p + i] * d[t * p + j];
    }
  }
}
void rowSample(const double* d, size_t n, size_t p, double* out) {
  const size_t units = (p + 1) / 2;
  parallelFor(units, std::max<size_t>(1, 262144 / (n * p + 1)), [&](size_t begin, size_t end) {
    std::vector<size_t> rows;
    for (size_t q = begin; q < end; q++) {
      rows.push_back(q);
      if (p - 1 - q != q) rows.push_back(p - 1 - q);
    }
    simd::run<rowSampleBody>(d, n, p, out, rows.data(), rows.size());
  });
}

double now() { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

}  // namespace

int main(int argc, char** argv) {
  constexpr size_t n = 2520, p = 500;
  bool ok = true;
  for (Kind kind : {kSample, kEwma, kWeighted, kCross}) {
    ok = same(kind, n, p, 7) && ok;
    for (size_t cols : {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 37, 47, 48, 49, 50, 73})
      for (size_t rows : {1, 2, 63, 64, 65, 130}) ok = same(kind, rows, cols, static_cast<uint32_t>(rows * 100 + cols)) && ok;
  }
  std::printf("bits: %s\n", ok ? "every sweep the reference's" : "DIFFERENT");

  const std::vector<double> d = panel(n, p, 70);
  std::vector<double> out(p * p);
  const double flops = 2.0 * n * (p * (p + 1) / 2.0);
  std::vector<size_t> counts;
  for (int k = 1; k < argc; k++) counts.push_back(static_cast<size_t>(std::atoi(argv[k])));
  if (counts.empty()) counts = {1, 2};
  for (const size_t threads : counts) {
    setThreadCount(threads);
    std::vector<double> tiles, rows;
    for (int round = 0; round < 15; round++) {
      std::fill(out.begin(), out.end(), 0.0);
      double t = now();
      sampleSweep(d.data(), n, p, out.data());
      tiles.push_back(now() - t);
      std::fill(out.begin(), out.end(), 0.0);
      t = now();
      rowSample(d.data(), n, p, out.data());
      rows.push_back(now() - t);
    }
    std::sort(tiles.begin(), tiles.end());
    std::sort(rows.begin(), rows.end());
    std::printf("%zu thread(s): tiles best %.2f ms (%.1f GFLOP/s) median %.2f ms; rows best %.2f ms (%.1f GFLOP/s) median %.2f ms\n",
                threads, tiles[0], flops / tiles[0] / 1e6, tiles[7], rows[0], flops / rows[0] / 1e6, rows[7]);
  }
  return ok ? 0 : 1;
}
