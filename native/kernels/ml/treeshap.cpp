// SHAP values of a packed LightGBM model (reference ml.ts lightgbmContributions: LightGBM's
// Tree::PredictContrib and TreeSHAP, Lundberg et al.'s polynomial-time algorithm): per row and class
// each feature's contribution then the bias (each tree's expected value by its leaf counts). The path
// of the features met from the root is extended at each node, a feature met again unwound first, and
// at a leaf each path feature's weight times its one- less its zero-fraction times the leaf's value is
// added to its contribution. Rows share out over the pool, each thread its own path buffers.
#include <algorithm>
#include <cmath>
#include <vector>

#include "ml.hpp"
#include "parallel.hpp"

namespace kernelbus::ml {

namespace {

/// TreeSHAP's path: per element the feature, the zero and one fractions, the weight.
struct Path {
  std::vector<long> feature;
  std::vector<double> zero, one, weight;
  explicit Path(size_t n) : feature(n), zero(n), one(n), weight(n) {}
};

void extend(Path& q, size_t at, size_t depth, double zero, double one, long feature) {
  q.feature[at + depth] = feature;
  q.zero[at + depth] = zero;
  q.one[at + depth] = one;
  q.weight[at + depth] = depth == 0 ? 1 : 0;
  const auto d1 = static_cast<double>(depth + 1);
  for (size_t i = depth; i-- > 0;) {
    q.weight[at + i + 1] += (one * q.weight[at + i] * static_cast<double>(i + 1)) / d1;
    q.weight[at + i] = (zero * q.weight[at + i] * static_cast<double>(depth - i)) / d1;
  }
}

void unwind(Path& q, size_t at, size_t depth, size_t index) {
  const double one = q.one[at + index];
  const double zero = q.zero[at + index];
  double next = q.weight[at + depth];
  const auto d1 = static_cast<double>(depth + 1);
  for (size_t i = depth; i-- > 0;) {
    if (one != 0) {
      const double tmp = q.weight[at + i];
      q.weight[at + i] = (next * d1) / (static_cast<double>(i + 1) * one);
      next = tmp - (q.weight[at + i] * zero * static_cast<double>(depth - i)) / d1;
    } else {
      q.weight[at + i] = (q.weight[at + i] * d1) / (zero * static_cast<double>(depth - i));
    }
  }
  for (size_t i = index; i < depth; i++) {
    q.feature[at + i] = q.feature[at + i + 1];
    q.zero[at + i] = q.zero[at + i + 1];
    q.one[at + i] = q.one[at + i + 1];
  }
}

double unwoundSum(const Path& q, size_t at, size_t depth, size_t index) {
  const double one = q.one[at + index];
  const double zero = q.zero[at + index];
  double next = q.weight[at + depth];
  double total = 0;
  const auto d1 = static_cast<double>(depth + 1);
  for (size_t i = depth; i-- > 0;) {
    if (one != 0) {
      const double tmp = (next * d1) / (static_cast<double>(i + 1) * one);
      total += tmp;
      next = q.weight[at + i] - tmp * zero * (static_cast<double>(depth - i) / d1);
    } else {
      total += q.weight[at + i] / zero / (static_cast<double>(depth - i) / d1);
    }
  }
  return total;
}

/// A node's (>= 0) or leaf's (< 0) training count in tree t.
double cover(const Packed& m, size_t t, long child) {
  return child >= 0 ? m.p[m.internalCount + static_cast<size_t>(m.p[m.treeNode + t]) + static_cast<size_t>(child)]
                    : m.p[m.leafCount + static_cast<size_t>(m.p[m.treeLeaf + t]) + static_cast<size_t>(~child)];
}

void treeShap(const Packed& m, size_t t, const double* x, double* phi, long node, size_t depth, Path& q, size_t parent, double zero,
              double one, long feature) {
  const size_t here = parent + depth;
  if (depth > 0) {
    std::copy(q.feature.begin() + static_cast<long>(parent), q.feature.begin() + static_cast<long>(parent + depth),
              q.feature.begin() + static_cast<long>(here));
    std::copy(q.zero.begin() + static_cast<long>(parent), q.zero.begin() + static_cast<long>(parent + depth),
              q.zero.begin() + static_cast<long>(here));
    std::copy(q.one.begin() + static_cast<long>(parent), q.one.begin() + static_cast<long>(parent + depth),
              q.one.begin() + static_cast<long>(here));
    std::copy(q.weight.begin() + static_cast<long>(parent), q.weight.begin() + static_cast<long>(parent + depth),
              q.weight.begin() + static_cast<long>(here));
  }
  extend(q, here, depth, zero, one, feature);
  if (node < 0) {
    const double value = m.p[m.leafValue + static_cast<size_t>(m.p[m.treeLeaf + t]) + static_cast<size_t>(~node)];
    for (size_t i = 1; i <= depth; i++) {
      const double w = unwoundSum(q, here, depth, i);
      phi[q.feature[here + i]] += w * (q.one[here + i] - q.zero[here + i]) * value;
    }
    return;
  }
  const size_t n = static_cast<size_t>(m.p[m.treeNode + t]) + static_cast<size_t>(node);
  const double* o = m.p + m.nodes + kNode * n;
  const auto split = static_cast<long>(o[0]);
  const long hot = decide(m, t, n, x[split]);
  const long cold = hot == static_cast<long>(o[2]) ? static_cast<long>(o[3]) : static_cast<long>(o[2]);
  const double w = cover(m, t, node);
  double inZero = 1;
  double inOne = 1;
  size_t d = depth;
  size_t k = 0;
  for (; k <= d; k++) {
    if (q.feature[here + k] == split) break;
  }
  if (k != d + 1) {
    inZero = q.zero[here + k];
    inOne = q.one[here + k];
    unwind(q, here, d, k);
    d -= 1;
  }
  treeShap(m, t, x, phi, hot, d + 1, q, here, (cover(m, t, hot) / w) * inZero, inOne, split);
  treeShap(m, t, x, phi, cold, d + 1, q, here, (cover(m, t, cold) / w) * inZero, 0, split);
}

/// The depth of tree t's deepest leaf (children come after their node: one pass).
size_t depthOf(const Packed& m, size_t t, std::vector<size_t>& depth) {
  const auto n0 = static_cast<size_t>(m.p[m.treeNode + t]);
  const auto nodes = static_cast<size_t>(m.p[m.treeNode + t + 1]) - n0;
  depth.assign(std::max<size_t>(nodes, 1), 0);
  size_t max = 0;
  for (size_t j = 0; j < nodes; j++) {
    for (int side = 2; side <= 3; side++) {
      const auto c = static_cast<long>(m.p[m.nodes + kNode * (n0 + j) + static_cast<size_t>(side)]);
      if (c >= 0)
        depth[static_cast<size_t>(c)] = depth[j] + 1;
      else
        max = std::max(max, depth[j] + 1);
    }
  }
  return max;
}

}  // namespace

Status lightgbmContributions(const double* model, size_t m, const double* x, size_t rows, size_t cols, size_t classes, size_t width,
                             size_t iterations, double* out) {
  Packed k{};
  if (Status s = checkModel(model, m, cols, classes, iterations, k); !s.ok()) return s;
  const size_t K = k.perIteration;
  const size_t F = k.features;
  if (width != K * (F + 1)) return mlFault(MlFault::Width, static_cast<double>(width), static_cast<double>(K * (F + 1)));
  const size_t trees = (iterations == 0 ? k.trees / K : iterations) * K;
  // the counts TreeSHAP weighs by: finite and >= 0 in every tree of more than one leaf
  size_t maxDepth = 0;
  std::vector<size_t> depth;
  for (size_t t = 0; t < trees; t++) {
    const auto n0 = static_cast<size_t>(model[k.treeNode + t]);
    const auto nodes = static_cast<size_t>(model[k.treeNode + t + 1]) - n0;
    if (nodes == 0) continue;
    for (size_t j = 0; j < nodes; j++) {
      const double c = model[k.internalCount + n0 + j];
      if (!(std::isfinite(c) && c >= 0)) return mlFault(MlFault::Covers, static_cast<double>(k.internalCount + n0 + j), c);
    }
    for (auto l = static_cast<size_t>(model[k.treeLeaf + t]); l < static_cast<size_t>(model[k.treeLeaf + t + 1]); l++) {
      const double c = model[k.leafCount + l];
      if (!(std::isfinite(c) && c >= 0)) return mlFault(MlFault::Covers, static_cast<double>(k.leafCount + l), c);
    }
    maxDepth = std::max(maxDepth, depthOf(k, t, depth));
  }
  const size_t size = (maxDepth + 2) * (maxDepth + 3) / 2;
  std::fill(out, out + rows * width, 0.0);
  parallelFor(rows, 1 + (size_t{1} << 12) / (trees + 1), [&](size_t begin, size_t end) {
    Path q(size);
    for (size_t r = begin; r < end; r++) {
      for (size_t t = 0; t < trees; t++) {
        double* phi = out + r * width + (t % K) * (F + 1);
        const auto n0 = static_cast<size_t>(model[k.treeNode + t]);
        const auto l0 = static_cast<size_t>(model[k.treeLeaf + t]);
        const auto leaves = static_cast<size_t>(model[k.treeLeaf + t + 1]) - l0;
        if (leaves == 1) {
          phi[F] += model[k.leafValue + l0];
          continue;
        }
        double e = 0;
        for (size_t l = 0; l < leaves; l++) e += (model[k.leafCount + l0 + l] / model[k.internalCount + n0]) * model[k.leafValue + l0 + l];
        phi[F] += e;
        treeShap(k, t, x + r * cols, phi, 0, 0, q, 0, 1, 1, -1);
      }
    }
  });
  return Status{};
}

}  // namespace kernelbus::ml
