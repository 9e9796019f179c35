// scipy.cluster.hierarchy.linkage on a condensed distance matrix and the dendrogram's leaf order
// (src/backends/reference/portfolio/portfolio-linkage.ts is the same code): single linkage by scipy's
// mst_single_linkage, complete / average / weighted / ward by its nn_chain with the Lance-Williams
// updates, the merges stably sorted by distance and relabelled as scipy's `label`.
#pragma once

#include <cstddef>

namespace kernelbus::portfolio {

/// The position of (i, j), i != j, in the condensed matrix of n points.
inline size_t condensedIndex(size_t n, size_t i, size_t j) {
  if (i < j) return n * i - (i * (i + 1)) / 2 + (j - i - 1);
  return n * j - (j * (j + 1)) / 2 + (i - j - 1);
}

/// linkage(dists, method) into Z ((n - 1) x 4): method 0 single, 1 complete, 2 average, 3 weighted, 4 ward.
void linkage(const double* dists, size_t n, int method, double* Z);
/// The leaves of the dendrogram Z of n >= 1 points from left to right (to_tree(Z).pre_order()) into order[n].
void leavesOrder(const double* Z, size_t n, double* order);

}  // namespace kernelbus::portfolio
