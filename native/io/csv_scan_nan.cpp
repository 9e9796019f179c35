// firstNaN(): the first NaN of a column (csv.hpp), for the trade readers' check that ts, price and volume
// have no missing value (src/io/trades.ts): blocks of 512 tested with integer operations that vectorize
// (a double is NaN when its bits without the sign are above the infinity's), the block with one scanned.
#include <cstring>

#include "csv.hpp"

namespace kernelbus::csv {

namespace {
constexpr uint64_t kAbs = 0x7fffffffffffffffULL;
constexpr uint64_t kInfBits = 0x7ff0000000000000ULL;
constexpr size_t kBlock = 512;
}  // namespace

int64_t firstNaN(const double* values, size_t n) {
  for (size_t from = 0; from < n; from += kBlock) {
    const size_t to = n - from < kBlock ? n : from + kBlock;
    uint64_t any = 0;
    for (size_t i = from; i < to; i++) {
      uint64_t bits;
      std::memcpy(&bits, values + i, sizeof bits);
      any |= static_cast<uint64_t>((bits & kAbs) > kInfBits);
    }
    if (any == 0) continue;
    for (size_t i = from; i < to; i++) {
      if (values[i] != values[i]) return static_cast<int64_t>(i);
    }
  }
  return -1;
}

}  // namespace kernelbus::csv
