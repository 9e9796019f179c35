// See trade_run.hpp. One symbol: the time order is the only dependence between rows, a comparison of
// neighbours, so chunks of 2^18 rows go to the kernels' threads (as firstNaN: a first pass over a mapped
// file's columns takes its pages' faults side by side), each against the row before it; in a chunk,
// blocks of 256 rows are tested branch-free and the block that fails is scanned for its row.
#include "trade_run.hpp"

#include "parallel.hpp"

namespace kernelbus {

namespace {

constexpr size_t kBlock = 256;
constexpr size_t kChunk = size_t{1} << 18;

/// The rule for one row after `last` (x - x == 0: x finite).
inline bool good(double t, double p, double v, double last) {
  return t >= last && t - t == 0 && p > 0 && p - p == 0 && v >= 0 && v - v == 0;
}

/// The first bad row of [begin, end), or end, the rows before begin good and the last of them at time l.
size_t badIn(const double* ts, const double* price, const double* volume, size_t begin, size_t end, double l) {
  size_t i = begin;
  for (; i + kBlock <= end; i += kBlock) {
    bool ok = ts[i] >= l;
    for (size_t k = i + 1; k < i + kBlock; k++) ok &= ts[k] >= ts[k - 1];
    for (size_t k = i; k < i + kBlock; k++) {
      const double t = ts[k], p = price[k], v = volume[k];
      ok &= (t - t == 0) & (p > 0) & (p - p == 0) & (v >= 0) & (v - v == 0);
    }
    if (!ok) break;
    l = ts[i + kBlock - 1];
  }
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
