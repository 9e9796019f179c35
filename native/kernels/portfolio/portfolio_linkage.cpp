// scipy's hierarchical clustering (portfolio_linkage.hpp): portfolio-linkage.ts line by line.
#include "portfolio_linkage.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>
#include <vector>

namespace kernelbus::portfolio {

namespace {

constexpr int kSingle = 0, kComplete = 1, kAverage = 2, kWeighted = 3;

// The Lance-Williams update d(xy, i) of scipy's _hierarchy_distance_update.pxi.
double newDistance(int method, double dxi, double dyi, double dxy, int nx, int ny, int ni) {
  if (method == kComplete) return dxi > dyi ? dxi : dyi;
  if (method == kAverage) return (nx * dxi + ny * dyi) / (nx + ny);
  if (method == kWeighted) return 0.5 * (dxi + dyi);
  const double t = 1.0 / (nx + ny + ni);
  return std::sqrt((ni + nx) * t * dxi * dxi + (ni + ny) * t * dyi * dyi - ni * t * dxy * dxy);
}

void mstSingle(const double* dists, size_t n, double* Z) {
  std::vector<unsigned char> merged(n, 0);
  std::vector<double> D(n, INFINITY);
  size_t x = 0, y = 0;
  for (size_t k = 0; k + 1 < n; k++) {
    double currentMin = INFINITY;
    merged[x] = 1;
    for (size_t i = 0; i < n; i++) {
      if (merged[i] == 1) continue;
      const double dist = dists[condensedIndex(n, x, i)];
      if (D[i] > dist) D[i] = dist;
      if (D[i] < currentMin) {
        y = i;
        currentMin = D[i];
      }
    }
    Z[k * 4] = static_cast<double>(x);
    Z[k * 4 + 1] = static_cast<double>(y);
    Z[k * 4 + 2] = currentMin;
    x = y;
  }
}

void nnChain(const double* dists, size_t n, int method, double* Z) {
  std::vector<double> D(dists, dists + n * (n - 1) / 2);
  std::vector<int> size(n, 1);
  std::vector<size_t> chain(n);
  size_t chainLength = 0, y = 0;
  for (size_t k = 0; k + 1 < n; k++) {
    if (chainLength == 0) {
      chainLength = 1;
      for (size_t i = 0; i < n; i++) {
        if (size[i] > 0) {
          chain[0] = i;
          break;
        }
      }
    }
    size_t x;
    double currentMin;
    for (;;) {
      x = chain[chainLength - 1];
      if (chainLength > 1) {
        y = chain[chainLength - 2];
        currentMin = D[condensedIndex(n, x, y)];
      } else {
        currentMin = INFINITY;
      }
      for (size_t i = 0; i < n; i++) {
        if (size[i] == 0 || x == i) continue;
        const double dist = D[condensedIndex(n, x, i)];
        if (dist < currentMin) {
          currentMin = dist;
          y = i;
        }
      }
      if (chainLength > 1 && y == chain[chainLength - 2]) break;
      chain[chainLength++] = y;
    }
    chainLength -= 2;
    if (x > y) std::swap(x, y);
    const int nx = size[x], ny = size[y];
    Z[k * 4] = static_cast<double>(x);
    Z[k * 4 + 1] = static_cast<double>(y);
    Z[k * 4 + 2] = currentMin;
    Z[k * 4 + 3] = nx + ny;
    size[x] = 0;
    size[y] = nx + ny;
    for (size_t i = 0; i < n; i++) {
      const int ni = size[i];
      if (ni == 0 || i == y) continue;
      D[condensedIndex(n, i, y)] = newDistance(method, D[condensedIndex(n, i, x)], D[condensedIndex(n, i, y)], currentMin, nx, ny, ni);
    }
  }
}

// The merges stably sorted by distance, then scipy's `label` (union-find: the roots, ordered, and the sizes).
void sortAndLabel(double* Z, size_t n) {
  const size_t m = n - 1;
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  // numpy's order: NaN after every number
  auto less = [Z](size_t a, size_t b) {
    const double x = Z[a * 4 + 2], y = Z[b * 4 + 2];
    return x < y || (y != y && x == x);
  };
  std::stable_sort(order.begin(), order.end(), less);
  std::vector<double> sorted(m * 4);
  for (size_t k = 0; k < m; k++)
    for (size_t c = 0; c < 4; c++) sorted[k * 4 + c] = Z[order[k] * 4 + c];
  std::vector<size_t> parent(2 * n - 1), size(2 * n - 1, 1);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&parent](size_t v) {
    size_t root = v;
    while (parent[root] != root) root = parent[root];
    while (parent[v] != root) {
      const size_t next = parent[v];
      parent[v] = root;
      v = next;
    }
    return root;
  };
  size_t next = n;
  for (size_t k = 0; k < m; k++) {
    const size_t xr = find(static_cast<size_t>(sorted[k * 4])), yr = find(static_cast<size_t>(sorted[k * 4 + 1]));
    sorted[k * 4] = static_cast<double>(std::min(xr, yr));
    sorted[k * 4 + 1] = static_cast<double>(std::max(xr, yr));
    parent[xr] = next;
    parent[yr] = next;
    size[next] = size[xr] + size[yr];
    sorted[k * 4 + 3] = static_cast<double>(size[next]);
    next++;
  }
  std::copy(sorted.begin(), sorted.end(), Z);
}

}  // namespace

void linkage(const double* dists, size_t n, int method, double* Z) {
  if (n < 2) return;
  if (method == kSingle)
    mstSingle(dists, n, Z);
  else
    nnChain(dists, n, method, Z);
  sortAndLabel(Z, n);
}

void leavesOrder(const double* Z, size_t n, double* order) {
  if (n == 1) {
    order[0] = 0;
    return;
  }
  std::vector<size_t> stack{2 * n - 2};
  size_t at = 0;
  while (!stack.empty()) {
    const size_t node = stack.back();
    stack.pop_back();
    if (node < n) {
      order[at++] = static_cast<double>(node);
      continue;
    }
    const size_t row = node - n;
    stack.push_back(static_cast<size_t>(Z[row * 4 + 1]));
    stack.push_back(static_cast<size_t>(Z[row * 4]));
  }
}

}  // namespace kernelbus::portfolio
