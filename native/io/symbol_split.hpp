// The per-symbol split of a multi-symbol tape (src/io/symbol-split.ts splitBySymbol; its JS loops are the
// reference): rows counted per symbol code, then each column scattered by a stable counting sort into
// one fresh array per column, every symbol's rows contiguous and in tape order. Plain C++ over
// pointers, no N-API (the glue is native/binding/split_binding.cc).
#pragma once

#include <cstddef>
#include <cstdint>

namespace kernelbus::io {

/// Rows per code into counts[0, m) (zeroed here) and the codes in the order of their first row into
/// first[0, m): returns the number of distinct codes, or -1 - i when codes[i] is outside [0, m).
int64_t countSymbolCodes(const int32_t* codes, size_t n, int32_t m, int32_t* counts, int32_t* first);

/// The groups' layout: group g's rows go to [start[g], start[g + 1]) of every output, code c to group
/// groupOf[c] (-1: its rows are left out).
struct SplitLayout {
  const int32_t* groupOf;  // [m]
  int32_t m;
  const int32_t* start;  // [groups + 1], start[0] = 0, non-decreasing
  size_t groups;
};
/// True when start[0] = 0 (when there are groups), start never decreases and every groupOf is in [-1, groups).
bool validLayout(const SplitLayout& layout);
/// Whether `codes` fit a valid layout: every code in [0, m), every group's row count exactly
/// start[g + 1] - start[g]. Returns -1, or the first row that does not fit (n: a group has too few).
int64_t checkSplit(const int32_t* codes, size_t n, const SplitLayout& layout);

/// out[k][fill[g]++] = columns[k][i] for every row i of a group, per column k (k across threads):
/// `layout` must have passed checkSplit() for these codes; every output holds start[groups] values.
void scatterBySymbol(const int32_t* codes, size_t n, const SplitLayout& layout, const double* const* columns, double* const* outs,
                     size_t k);

}  // namespace kernelbus::io
