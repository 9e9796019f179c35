// vectorbt 1.1.0's crossover (src/backends/reference/indicators/signals.ts crossedAbove, vectorbt
// generic/nb.py crossed_above_1d_nb), over column pairs. The pairs are shared between threads in a
// few large chunks; a worker walks the rows once, each row of a and b read where its chunk's pairs
// point (a row of a grid of averages stays in the cache for all of them) and its signals of the row
// written side by side, with the state of every pair of the chunk (vectorbt's flag and count) kept
// from one row to the next. Each pair's column is computed whole by one worker, so the thread count
// changes no signal.
#include <cstdint>
#include <memory>

#include "indicators_entry.hpp"
#include "memory.hpp"
#include "parallel.hpp"

namespace kernelbus::indicators {

namespace {
/// The fewest pairs a chunk takes (a row's signals of a chunk: a cache line at least).
constexpr size_t kMinCrossChunk = 64;
}  // namespace

Status crossedAbove(const double* a, size_t aCols, const double* b, size_t bCols, size_t rows, const int32_t* pairsA, const int32_t* pairsB,
                    size_t pairs, size_t wait, uint8_t* out) {
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
