// See trade_run.hpp. One symbol: the time order is the only dependence between rows, a comparison of
// neighbours, so chunks of 2^18 rows go to the kernels' threads (as firstNaN: a first pass over a mapped
// file's columns takes its pages' faults side by side), each against the row before it; in a chunk,
// blocks of 256 rows are tested branch-free and the block that fails is scanned for its row. The block
// test ORs 64-bit flags (the time order a vector compare, the values' ranges integer tests of their
// bits), compiled for the CPU's vectors (simd.hpp: AVX2 and AVX-512 have the 64-bit compares SSE2 lacks,
// NEON too); the former AND chain of bool compares stayed scalar at every level (10^7 rows 34-39 ms on
// two threads, twice a pass over the memory).
#include "trade_run.hpp"

#include "elementary.hpp"
#include "parallel.hpp"
#include "simd.hpp"

namespace kernelbus {

namespace {

constexpr size_t kBlock = 256;
constexpr size_t kChunk = size_t{1} << 18;

using elementary::kAbsBits;
using elementary::kInfBits;
constexpr uint64_t kMinusZero = 0x8000000000000000ULL;

/// The rule for one row after `last` (x - x == 0: x finite).
inline bool good(double t, double p, double v, double last) {
  return t >= last && t - t == 0 && p > 0 && p - p == 0 && v >= 0 && v - v == 0;
}

/// 1 when the values of a row (their bits) break the rule, as good() without the time order: the time
/// not finite, the price not in (0, inf) (bits 1 .. inf - 1), the volume not in [0, inf) (bits 0 ..
/// inf - 1, or -0).
KERNELBUS_VECTOR_BODY uint64_t badBits(uint64_t t, uint64_t p, uint64_t v) {
  return static_cast<uint64_t>((t & kAbsBits) >= kInfBits) | static_cast<uint64_t>(p - 1 >= kInfBits - 1) |
         static_cast<uint64_t>((v >= kInfBits) & (v != kMinusZero));
}

/// The first of `blocks` blocks of kBlock rows from row 0 with a row that breaks the rule (the first
/// row's time against l), or `blocks`.
KERNELBUS_VECTOR_BODY size_t firstBadBlock(const double* ts, const double* price, const double* volume, size_t blocks, double l) {
  for (size_t b = 0; b < blocks; b++) {
    const size_t i = b * kBlock;
    uint64_t bad = static_cast<uint64_t>(!(ts[i] >= l));
    for (size_t k = i + 1; k < i + kBlock; k++) bad |= static_cast<uint64_t>(!(ts[k] >= ts[k - 1]));
    for (size_t k = i; k < i + kBlock; k++)
      bad |= badBits(elementary::bitsOf(ts[k]), elementary::bitsOf(price[k]), elementary::bitsOf(volume[k]));
    if (bad != 0) return b;
    l = ts[i + kBlock - 1];
  }
  return blocks;
}

/// The first bad row of [begin, end), or end, the rows before begin good and the last of them at time l.
size_t badIn(const double* ts, const double* price, const double* volume, size_t begin, size_t end, double l) {
  const size_t blocks = simd::run<firstBadBlock>(ts + begin, price + begin, volume + begin, (end - begin) / kBlock, l);
  size_t i = begin + blocks * kBlock;
  if (i > begin) l = ts[i - 1];
  for (; i < end && good(ts[i], price[i], volume[i], l); i++) l = ts[i];
  return i;
}

}  // namespace

size_t goodTradeRun(const double* ts, const double* price, const double* volume, size_t n, double* last) {
  const double start = *last;
  // a chunk's answer counts only when every chunk before it is good: its first row's time then follows the row before
  const size_t at = parallelFirst(
      n, kChunk, [&](size_t begin, size_t end) { return badIn(ts, price, volume, begin, end, begin == 0 ? start : ts[begin - 1]); });
  if (at > 0) *last = ts[at - 1];
  return at;
}

size_t goodTradeRunByCode(const double* ts, const double* price, const double* volume, const int32_t* codes, size_t n, double* last,
                          size_t symbols, bool& badCode) {
  badCode = false;
  for (size_t i = 0; i < n; i++) {
    const int32_t c = codes[i];
    if (c < 0 || static_cast<size_t>(c) >= symbols) {
      badCode = true;
      return i;
    }
    if (!good(ts[i], price[i], volume[i], last[c])) return i;
    last[c] = ts[i];
  }
  return n;
}

}  // namespace kernelbus
