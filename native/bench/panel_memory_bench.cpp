// What memory allows a panel indicator on 1 and 2 threads (no Node): cmake -DKERNELBUS_NATIVE_BENCH=ON,
// or g++ -O3 -std=c++17 -pthread -Inative/kernels native/bench/panel_memory_bench.cpp native/kernels/*.cpp native/kernels/math/special*.cpp
// Medians of 21 runs, on the kernels' thread pool (parallel.hpp):
//   - copy: 128 MB arrays (past the caches), each thread its half: the machine's copy bandwidth;
//   - floor: the core eight's panels (2,520 x 500: 10.08 MB each) read and written as the kernels walk
//     them (blocks of 16 columns down every row, 4 blocks a chunk), a sum of the inputs and no other
//     arithmetic, into outputs written before (as into `out`): the least time an indicator of those
//     inputs and outputs can take;
//   - first touch: a fresh 10.08 MB output (new pages from the system) written in the same walk, on
//     4 KB pages and advised onto 2 MB pages (memory.hpp): what a fresh output's pages cost.
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

#include "memory.hpp"
#include "parallel.hpp"

using namespace kernelbus;

namespace {

constexpr size_t kRows = 2520, kCols = 500, kCells = kRows * kCols, kLanes = 16, kBlocksPerChunk = 4;
constexpr int kRuns = 21;

double medianMs(const std::function<void()>& prepare, const std::function<void()>& fn) {
  std::vector<double> ms;
  for (int r = 0; r < kRuns; r++) {
    prepare();
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(ms.begin(), ms.begin() + kRuns / 2, ms.end());
  return ms[kRuns / 2];
}

// Row t's values of W columns from `at`: the inputs' sum into each output.
template <size_t In, size_t Out, size_t W>
inline void row(const std::array<const double*, In>& in, const std::array<double*, Out>& out, size_t at) {
  double sum[W];
  for (size_t l = 0; l < W; l++) sum[l] = in[0][at + l];
  for (size_t k = 1; k < In; k++)
    for (size_t l = 0; l < W; l++) sum[l] += in[k][at + l];
  for (size_t k = 0; k < Out; k++)
    for (size_t l = 0; l < W; l++) out[k][at + l] = sum[l];
}

// The kernels' walk of a panel: each block of kLanes columns down every row, the blocks handed out in
// chunks; a row of a block is its inputs' sum written to each output.
template <size_t In, size_t Out>
void walk(const std::array<const double*, In>& in, const std::array<double*, Out>& out) {
  const size_t blocks = (kCols + kLanes - 1) / kLanes;
  parallelForChunks(blocks, kBlocksPerChunk, [&](size_t first, size_t last) {
    for (size_t b = first; b < last; b++) {
      const size_t c0 = b * kLanes, width = std::min(kLanes, kCols - c0);
      for (size_t t = 0; t < kRows; t++) {
        const size_t at = t * kCols + c0;
        if (width == kLanes) {
          row<In, Out, kLanes>(in, out, at);
        } else {
          for (size_t l = 0; l < width; l++) row<In, Out, 1>(in, out, at + l);
        }
      }
    }
  });
}

void report(const char* what, double mb, const std::function<double()>& at) {
  double ms[2];
  for (size_t threads = 1; threads <= 2; threads++) {
    setThreadCount(threads);
    ms[threads - 1] = at();
  }
  std::printf("%-44s %6.1f MB  1 thread %6.2f ms %5.1f GB/s  2 threads %6.2f ms %5.1f GB/s  %.2fx\n", what, mb, ms[0], mb / ms[0], ms[1],
              mb / ms[1], ms[0] / ms[1]);
}

}  // namespace

int main() {
  const size_t big = size_t{16} << 20;  // doubles: 128 MB
  std::vector<double> a(big, 1.0), b(big, 0.0);
  report("copy 128 MB (read + write counted)", 2.0 * big * 8 / 1e6, [&] {
    return medianMs(
        [] {}, [&] { parallelFor(big, 1 << 16, [&](size_t lo, size_t hi) { std::copy(a.data() + lo, a.data() + hi, b.data() + lo); }); });
  });
  // six panels in one block, 72 doubles apart beyond their size: no two at one address modulo 4 KB
  std::vector<double> panels(6 * (kCells + 72), 1.0);
  auto panel = [&](size_t k) { return panels.data() + k * (kCells + 72); };
  const double* x[3] = {panel(0), panel(1), panel(2)};
  double* y[3] = {panel(3), panel(4), panel(5)};
  const double cell = kCells * 8 / 1e6;
  auto floor = [&](const char* what, size_t moved, const std::function<void()>& fn) {
    report(what, moved * cell, [&] { return medianMs([] {}, fn); });
  };
  floor("floor, 1 in 1 out (sma ema rsi)", 2, [&] { walk<1, 1>({x[0]}, {y[0]}); });
  floor("floor, 1 in 3 out (macd bbands)", 4, [&] { walk<1, 3>({x[0]}, {y[0], y[1], y[2]}); });
  floor("floor, 3 in 1 out (atr adx)", 4, [&] { walk<3, 1>({x[0], x[1], x[2]}, {y[0]}); });
  floor("floor, 3 in 2 out (stoch)", 5, [&] { walk<3, 2>({x[0], x[1], x[2]}, {y[0], y[1]}); });
  for (const bool huge : {false, true}) {
    double* fresh = nullptr;
    auto map = [&] {
      if (fresh) munmap(fresh, kCells * 8);
      fresh = static_cast<double*>(mmap(nullptr, kCells * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
      if (huge) adviseHugePages(fresh, kCells * 8);
    };
    report(huge ? "first touch, 1 in 1 fresh out, 2 MB pages" : "first touch, 1 in 1 fresh out, 4 KB pages", 2.0 * kCells * 8 / 1e6,
           [&] { return medianMs(map, [&] { walk<1, 1>({x[0]}, {fresh}); }); });
    munmap(fresh, kCells * 8);
  }
  return 0;
}
