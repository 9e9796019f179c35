// C++-only benchmark of the CSV block parser (no Node): cmake -DKERNELBUS_NATIVE_BENCH=ON, or
//   g++ -O3 -std=c++17 -ffp-contract=off -Inative/io -Inative/kernels -Inative/third_party/fast_float/include \
//     native/bench/csv_bench.cpp native/io/csv*.cpp native/kernels/parallel.cpp -lpthread
// A generated trade tape `ts,price,volume` of 10^7 rows (13-digit ms stamps, prices like 101.37,
// integer volumes: about 25 bytes a row) parsed at 1 and 2 threads, as one block and in 8 MiB blocks
// (what the reader's driver does); prints MB/s, best of 5.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "csv.hpp"
#include "parallel.hpp"

using namespace kernelbus;

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

std::string tape(size_t n) {
  std::string s;
  s.reserve(n * 26);
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0, 1);
  long long ts = 1700000000000LL;
  long long cents = 10137;
  char line[64];
  for (size_t i = 0; i < n; i++) {
    ts += static_cast<long long>(u(rng) * 20);
    cents += static_cast<long long>(std::floor(u(rng) * 5)) - 2;
    if (cents < 100) cents = 100;
    const int volume = 1 + static_cast<int>(u(rng) * 500);
    const int len = std::snprintf(line, sizeof line, "%lld,%lld.%02lld,%d\n", ts, cents / 100, cents % 100, volume);
    s.append(line, static_cast<size_t>(len));
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::stoul(argv[1]) : 10000000;
  const std::string data = tape(n);
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  std::vector<double> ts(n), price(n), volume(n);
  const uint8_t kinds[] = {static_cast<uint8_t>(csv::Kind::TimeMs), static_cast<uint8_t>(csv::Kind::Number),
                           static_cast<uint8_t>(csv::Kind::Number)};
  const uint8_t required[] = {1, 1, 1};
  const csv::ColumnOut out[] = {{ts.data(), nullptr}, {price.data(), nullptr}, {volume.data(), nullptr}};
  csv::Plan plan;
  plan.kinds = kinds;
  plan.required = required;
  plan.width = 3;
  plan.out = out;
  plan.capacity = n;
  const double mb = static_cast<double>(data.size()) / 1e6;
  std::printf("csv tape: %zu rows, %.1f MB (%.1f bytes a row)\n", n, mb, static_cast<double>(data.size()) / static_cast<double>(n));
  double oneThread[2] = {0, 0};
  for (size_t threads : {size_t{1}, size_t{2}}) {
    setThreadCount(threads);
    size_t rows = 0;
    const double whole = best(5, [&] {
      plan.rowOffset = 0;
      plan.final = true;
      rows = csv::parseBlock(bytes, data.size(), plan).rows;
    });
    constexpr size_t kBlock = size_t{8} << 20;
    size_t blockRows = 0;
    const double blocks = best(5, [&] {
      size_t at = 0, row = 0;
      while (at < data.size()) {
        const size_t size = std::min(kBlock, data.size() - at);
        plan.rowOffset = row;
        plan.final = at + size == data.size();
        const csv::Result r = csv::parseBlock(bytes + at, size, plan);
        at += r.consumed;
        row += r.rows;
      }
      blockRows = row;
    });
    if (rows != n || blockRows != n || ts[n - 1] != ts[n - 1]) {
      std::printf("rows read: %zu / %zu of %zu\n", rows, blockRows, n);
      return 1;
    }
    if (threads == 1) oneThread[0] = mb / whole, oneThread[1] = mb / blocks;
    std::printf("%zu thread%s: one block %7.0f MB/s (%.3f s)  8 MiB blocks %7.0f MB/s (%.3f s)  speedup %.2fx / %.2fx\n", threads,
                threads == 1 ? " " : "s", mb / whole, whole, mb / blocks, blocks, mb / whole / oneThread[0], mb / blocks / oneThread[1]);
  }
  return 0;
}
