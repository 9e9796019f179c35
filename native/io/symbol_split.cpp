// countSymbolCodes, checkSplit, scatterBySymbol (symbol_split.hpp): the loops of splitBySymbol's JS
// reference (src/io/symbol-split.ts referenceSplitLoops: count, scatter), one pass each.
#include "symbol_split.hpp"

#include <algorithm>
#include <vector>

#include "memory.hpp"
#include "parallel.hpp"

namespace kernelbus::io {

int64_t countSymbolCodes(const int32_t* codes, size_t n, int32_t m, int32_t* counts, int32_t* first) {
  std::fill(counts, counts + m, 0);
  int64_t distinct = 0;
  for (size_t i = 0; i < n; i++) {
    const int32_t c = codes[i];
    if (c < 0 || c >= m) return -1 - static_cast<int64_t>(i);
    if (counts[c]++ == 0) first[distinct++] = c;
  }
  return distinct;
}

bool validLayout(const SplitLayout& layout) {
  if (layout.m < 0 || (layout.groups > 0 && layout.start[0] != 0)) return false;
  for (size_t g = 0; g < layout.groups; g++)
    if (layout.start[g + 1] < layout.start[g]) return false;
  for (int32_t c = 0; c < layout.m; c++)
    if (layout.groupOf[c] < -1 || layout.groupOf[c] >= static_cast<int64_t>(layout.groups)) return false;
  return true;
}

int64_t checkSplit(const int32_t* codes, size_t n, const SplitLayout& layout) {
  std::vector<int64_t> left(layout.groups);
  for (size_t g = 0; g < layout.groups; g++) left[g] = int64_t{layout.start[g + 1]} - layout.start[g];
  for (size_t i = 0; i < n; i++) {
    const int32_t c = codes[i];
    if (c < 0 || c >= layout.m) return static_cast<int64_t>(i);
    const int32_t g = layout.groupOf[c];
    if (g >= 0 && left[static_cast<size_t>(g)]-- <= 0) return static_cast<int64_t>(i);
  }
  for (size_t g = 0; g < layout.groups; g++)
    if (left[g] != 0) return static_cast<int64_t>(n);
  return -1;
}

void scatterBySymbol(const int32_t* codes, size_t n, const SplitLayout& layout, const double* const* columns, double* const* outs,
                     size_t k) {
  const size_t total = layout.groups == 0 ? 0 : static_cast<size_t>(layout.start[layout.groups]);
  for (size_t j = 0; j < k; j++) adviseHugePages(outs[j], total * sizeof(double));
  parallelFor(k, 1, [&](size_t begin, size_t end) {
    for (size_t j = begin; j < end; j++) {
      std::vector<int32_t> fill(layout.start, layout.start + layout.groups);
      const double* in = columns[j];
      double* out = outs[j];
      for (size_t i = 0; i < n; i++) {
        const int32_t g = layout.groupOf[codes[i]];
        if (g >= 0) out[fill[static_cast<size_t>(g)]++] = in[i];
      }
    }
  });
}

}  // namespace kernelbus::io
