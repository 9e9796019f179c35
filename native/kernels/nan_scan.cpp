// See nan_scan.hpp. Chunks of 2^18 values go to the kernels' threads: the first pass over a column of a
// mapped file takes its pages' faults, and threads take them side by side. firstNaN: in a chunk, blocks
// of 512 are tested with integer operations compiled for the CPU's vectors (simd.hpp; a double is NaN
// when its bits without the sign are above the infinity's), and the block with one is scanned for it.
#include "nan_scan.hpp"

#include <vector>

#include "elementary.hpp"
#include "parallel.hpp"
#include "simd.hpp"

namespace kernelbus {

namespace {

using elementary::bitsOf;
using elementary::kAbsBits;
using elementary::kInfBits;
constexpr size_t kBlock = 512;
constexpr size_t kChunk = size_t{1} << 18;

/// The first of `blocks` blocks of kBlock values from 0 with a NaN (its bits without the sign above the
/// infinity's), or `blocks`: 64-bit compares, which SSE2 lacks, so compiled for AVX2 and AVX-512 too.
KERNELBUS_VECTOR_BODY size_t firstNaNBlock(const double* values, size_t blocks) {
  for (size_t b = 0; b < blocks; b++) {
    uint64_t any = 0;
    for (size_t i = b * kBlock; i < (b + 1) * kBlock; i++) any |= static_cast<uint64_t>((bitsOf(values[i]) & kAbsBits) > kInfBits);
    if (any != 0) return b;
  }
  return blocks;
}

// The first NaN of values[begin, end), end when none: the whole blocks tested, then from the first with
// one (or the rest) value by value.
size_t firstNaNIn(const double* values, size_t begin, size_t end) {
  for (size_t i = begin + simd::run<firstNaNBlock>(values + begin, (end - begin) / kBlock) * kBlock; i < end; i++) {
    if (values[i] != values[i]) return i;
  }
  return end;
}

// values[begin, end) in eight running sums (no add waits on the one before), then those in a tree.
double sumIn(const double* values, size_t begin, size_t end) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = begin;
  for (; i + 8 <= end; i += 8)
    for (size_t k = 0; k < 8; k++) s[k] += values[i + k];
  for (; i < end; i++) s[0] += values[i];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

}  // namespace

double columnSum(const double* values, size_t n) {
  if (n <= kChunk) return sumIn(values, 0, n);
  std::vector<double> sums((n + kChunk - 1) / kChunk, 0.0);
  parallelForChunks(n, kChunk, [&](size_t begin, size_t end) { sums[begin / kChunk] = sumIn(values, begin, end); });
  double total = 0;
  for (const double s : sums) total += s;
  return total;
}

int64_t firstNaN(const double* values, size_t n) {
  const size_t at = parallelFirst(n, kChunk, [values](size_t begin, size_t end) { return firstNaNIn(values, begin, end); });
  return at < n ? static_cast<int64_t>(at) : -1;
}

}  // namespace kernelbus
