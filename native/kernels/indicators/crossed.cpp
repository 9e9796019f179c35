// vectorbt 1.1.0's crossover (src/backends/reference/indicators/signals.ts crossedAbove, vectorbt
// generic/nb.py crossed_above_1d_nb), over column pairs. The pairs are shared between threads in a
// few large chunks; a worker walks the rows once, each row of a and b read where its chunk's pairs
// point (a row of a grid of averages stays in the cache for all of them) and its signals of the row
// written side by side, with the state of every pair of the chunk (vectorbt's flag and count) kept
// from one row to the next. Each pair's column is computed whole by one worker, so the thread count
// changes no signal.
//
// With wait = 0 (vectorbt's default, and a grid's) a pair's count only says whether the bar before
// counted, so the state is two bytes a pair, and the pairs of a chunk go in runs that share one side's
// column while the other side's columns follow one another (combinations(n): (i, i+1), (i, i+2), ...
// for crossedAbove; crossedBelow swaps the sides): a run's row is one number against a contiguous
// stretch of the other side's row, a loop compiled for the CPU's widest vectors (simd.hpp), the same
// comparisons as the general loop, so the same signals.
#include <cstdint>
#include <memory>
#include <vector>

#include "indicators_entry.hpp"
#include "memory.hpp"
#include "parallel.hpp"
#include "simd.hpp"

namespace kernelbus::indicators {

namespace {
/// The fewest pairs a chunk takes (a row's signals of a chunk: a cache line at least).
constexpr size_t kMinCrossChunk = 64;

/// A row of a run with wait = 0: m pairs of one number of a (x[0]) against y[0..m) of b, or with
/// SharedB of x[0..m) of a against one number of b (y[0]). `counted`: whether each pair's bar before
/// counted (crossed_ago >= 0 in the general loop), the only part of the count wait = 0 reads.
template <bool SharedB>
KERNELBUS_VECTOR_BODY void crossRun(size_t m, const double* x, const double* y, uint8_t* below, uint8_t* counted, uint8_t* out) {
  for (size_t q = 0; q < m; q++) {
    const double xv = SharedB ? x[q] : x[0], yv = SharedB ? y[0] : y[q];
    const uint8_t number = static_cast<uint8_t>(xv == xv) & static_cast<uint8_t>(yv == yv);
    const uint8_t counts = static_cast<uint8_t>(xv > yv) & below[q];
    out[q] = counts & static_cast<uint8_t>(counted[q] ^ 1);
    counted[q] = counts;
    below[q] = static_cast<uint8_t>((below[q] | static_cast<uint8_t>(xv < yv)) & number);
  }
}
KERNELBUS_VECTOR_BODY void crossRunSharedA(size_t m, const double* x, const double* y, uint8_t* below, uint8_t* counted, uint8_t* out) {
  crossRun<false>(m, x, y, below, counted, out);
}
KERNELBUS_VECTOR_BODY void crossRunSharedB(size_t m, const double* x, const double* y, uint8_t* below, uint8_t* counted, uint8_t* out) {
  crossRun<true>(m, x, y, below, counted, out);
}

/// A run of a chunk's pairs [from, from + m): one side's column shared, the other's consecutive.
struct Run {
  size_t from, m;
  bool sharedB;
};

/// The chunk's pairs as runs (a pair that extends neither kind is a run of one).
std::vector<Run> runsOf(const int32_t* ca, const int32_t* cb, size_t n) {
  std::vector<Run> runs;
  for (size_t q = 0; q < n;) {
    size_t e = q + 1;
    bool sharedB = false;
    if (e < n && ca[e] == ca[q] && cb[e] == cb[q] + 1) {
      while (e < n && ca[e] == ca[q] && cb[e] == cb[e - 1] + 1) e++;
    } else if (e < n && cb[e] == cb[q] && ca[e] == ca[q] + 1) {
      sharedB = true;
      while (e < n && cb[e] == cb[q] && ca[e] == ca[e - 1] + 1) e++;
    }
    runs.push_back(Run{q, e - q, sharedB});
    q = e;
  }
  return runs;
}

/// crossedAbove with wait = 0 over one chunk's pairs, run by run, row by row.
void crossChunkNoWait(const double* a, size_t aCols, const double* b, size_t bCols, size_t rows, const int32_t* ca, const int32_t* cb,
                      size_t n, size_t pairs, uint8_t* out) {
  const std::vector<Run> runs = runsOf(ca, cb, n);
  std::vector<uint8_t> below(n, 0), counted(n, 0);
  for (size_t t = 0; t < rows; t++) {
    const double* ra = a + t * aCols;
    const double* rb = b + t * bCols;
    uint8_t* ro = out + t * pairs;
    for (const Run& r : runs) {
      const size_t q = r.from;
      if (r.sharedB)
        simd::run<crossRunSharedB>(r.m, ra + ca[q], rb + cb[q], below.data() + q, counted.data() + q, ro + q);
      else
        simd::run<crossRunSharedA>(r.m, ra + ca[q], rb + cb[q], below.data() + q, counted.data() + q, ro + q);
    }
  }
}
}  // namespace

Status crossedAbove(const double* a, size_t aCols, const double* b, size_t bCols, size_t rows, const int32_t* pairsA, const int32_t* pairsB,
                    size_t pairs, size_t wait, uint8_t* out) {
  if (rows == 0 || pairs == 0) return {};  // nothing to write (and `out` may be null)
  // wait <= 2^53 - 1 (its rule): exact as an int64
  const int64_t target = static_cast<int64_t>(wait);
  // a large output onto 2 MB pages before the first write (the API allocates it uninitialised:
  // src/kernels/indicators/signals.ts freshSignals), 512 times fewer page faults
  adviseHugePages(out, rows * pairs);
  // four chunks a thread, so that a worker the machine holds up leaves its share to the others; each
  // chunk reads all the rows of a and b (a T x 99 grid: 2 MB)
  const size_t share = (pairs + 4 * threadCount() - 1) / (4 * threadCount());
  const size_t chunk = share < kMinCrossChunk ? kMinCrossChunk : share;
  parallelForChunks(pairs, chunk, [&, target](size_t first, size_t last) {
    const size_t n = last - first;
    if (target == 0) {
      crossChunkNoWait(a, aCols, b, bCols, rows, pairsA + first, pairsB + first, n, pairs, out + first);
      return;
    }
    // per pair of the chunk: the "was below" flag and crossed_ago, vectorbt's state
    const std::unique_ptr<uint8_t[]> below(new uint8_t[n]());
    const std::unique_ptr<int64_t[]> ago(new int64_t[n]);
    for (size_t q = 0; q < n; q++) ago[q] = -1;
    const int32_t* ca = pairsA + first;
    const int32_t* cb = pairsB + first;
    for (size_t t = 0; t < rows; t++) {
      const double* ra = a + t * aCols;
      const double* rb = b + t * bCols;
      uint8_t* ro = out + t * pairs + first;
      for (size_t q = 0; q < n; q++) {
        const double x = ra[ca[q]], y = rb[cb[q]];
        // vectorbt's branches as arithmetic on 0 / 1 (neighbouring pairs take them at random, so a
        // branch would be mispredicted): a NaN on either side compares false to all three, and clears
        // the flag; a > b counts a bar above only after a bar below (without a bar below crossed_ago is
        // -1 and stays so); a tie or a bar below restarts the count
        const int64_t number = static_cast<int64_t>(x == x) & static_cast<int64_t>(y == y);
        const int64_t counts = static_cast<int64_t>(x > y) & static_cast<int64_t>(below[q]);
        const int64_t next = (ago[q] + 1) * counts - (1 - counts);
        ago[q] = next;
        ro[q] = static_cast<uint8_t>(counts & static_cast<int64_t>(next == target));
        below[q] = static_cast<uint8_t>((below[q] | static_cast<uint8_t>(x < y)) & number);
      }
    }
  });
  return {};
}

}  // namespace kernelbus::indicators
