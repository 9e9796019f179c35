// A packed LightGBM model prepared for its walks (prepared.hpp): checked whole (checkModel), each tree
// laid out in preorder as 24-byte entries (the child more rows took next to its node), each split's word read from its decision type (a
// numerical split's flags) or its bitset (a categorical split's mask), and with `shap` what TreeSHAP reads per tree: each entry's count
// over its parent's, the expected value, the first count it cannot weigh by, and whether the fast TreeSHAP applies (treeshap.cpp), with its
// factors.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "prepared.hpp"

namespace kernelbus::ml {

namespace {

/// A path's counts for the fast TreeSHAP (treeshap.cpp): the product of the counts over their parents'
/// along a path at least kLeast, the product of those above 1 at most kMost, the path at most kDeepest
/// deep. Every weight TreeSHAP forms on such a path is then a normal number (no 0 from underflow, no
/// infinity), which the fast TreeSHAP's shortcuts need to give the reference's values.
constexpr double kLeast = 0x1p-600;
constexpr double kMost = 0x1p600;
constexpr size_t kDeepest = 100;

/// A tree-local child's slot (a node c >= 0 its own, the leaf ~c after the tree's nodes), with no
/// branch (leaves and nodes alternate at random: a branch here is mispredicted half the time).
inline size_t slot(double child, size_t nodes) {
  const auto c = static_cast<int64_t>(child);
  const int64_t negative = c >> 63;
  return static_cast<size_t>((c ^ negative) + (negative & static_cast<int64_t>(nodes)));
}

/// Whether node j of tree t (packed at `k`) lays out its right child next to it: a numerical split
/// whose right child has the larger count (more rows of the training went there). The child a walk
/// most often takes is then the next entry, often on the same cache line.
bool rightNext(const Packed& k, size_t t, size_t j) {
  const auto n0 = static_cast<size_t>(k.p[k.treeNode + t]);
  const auto l0 = static_cast<size_t>(k.p[k.treeLeaf + t]);
  const double* o = k.p + k.nodes + kNode * (n0 + j);
  const auto count = [&](double child) {
    const auto c = static_cast<int64_t>(child);
    return c >= 0 ? k.p[k.internalCount + n0 + static_cast<size_t>(c)] : k.p[k.leafCount + l0 + static_cast<size_t>(~c)];
  };
  return (static_cast<int>(o[4]) & 1) == 0 && count(o[3]) > count(o[2]);
}

/// The entries of tree t (packed at `k`) in preorder from `base` (a node, its subtree laid out next
/// (rightNext), the other), per slot (slot()). Children come after their node (checkModel): the
/// subtrees' sizes in one pass up, the entries in one pass down.
void layOut(const Packed& k, size_t t, uint32_t base, std::vector<uint32_t>& entry, std::vector<uint32_t>& size) {
  const auto n0 = static_cast<size_t>(k.p[k.treeNode + t]);
  const auto nodes = static_cast<size_t>(k.p[k.treeNode + t + 1]) - n0;
  entry.resize(2 * nodes + 1);
  size.assign(2 * nodes + 1, 1);
  const double* o = k.p + k.nodes + kNode * n0;
  for (size_t j = nodes; j-- > 0;) size[j] = 1 + size[slot(o[kNode * j + 2], nodes)] + size[slot(o[kNode * j + 3], nodes)];
  entry[0] = base;  // the root: node 0, or the single leaf (its slot 0 too)
  for (size_t j = 0; j < nodes; j++) {
    const bool swap = rightNext(k, t, j);
    const size_t next = slot(o[kNode * j + (swap ? 3 : 2)], nodes);
    entry[next] = entry[j] + 1;
    entry[slot(o[kNode * j + (swap ? 2 : 3)], nodes)] = entry[j] + 1 + size[next];
  }
}

/// Tree t's TreeSHAP parts: its entries' ratios, its expected value, the first bad count (into `out`
/// when it is the model's first), its depth and whether the fast TreeSHAP applies.
void shapParts(const Packed& k, size_t t, const std::vector<uint32_t>& entry, Prepared& out) {
  const double* p = k.p;
  const auto n0 = static_cast<size_t>(p[k.treeNode + t]);
  const auto nodes = static_cast<size_t>(p[k.treeNode + t + 1]) - n0;
  const auto l0 = static_cast<size_t>(p[k.treeLeaf + t]);
  const size_t leaves = nodes + 1;
  out.ratio[out.root[t] / kEntry] = 1;
  if (nodes == 0) {
    out.expected[t] = p[k.leafValue + l0];
    return;
  }
  // the counts TreeSHAP weighs by: finite and >= 0 (lightgbmContributions' check, in its order)
  bool positive = true;
  for (size_t j = 0; j < nodes && out.badCovers == out.trees; j++) {
    const double c = p[k.internalCount + n0 + j];
    if (!(std::isfinite(c) && c >= 0)) {
      out.badCovers = t;
      out.coversFault = mlFault(MlFault::Covers, static_cast<double>(k.internalCount + n0 + j), c);
    }
    positive = positive && c > 0;
  }
  for (size_t l = 0; l < leaves && out.badCovers == out.trees; l++) {
    const double c = p[k.leafCount + l0 + l];
    if (!(std::isfinite(c) && c >= 0)) {
      out.badCovers = t;
      out.coversFault = mlFault(MlFault::Covers, static_cast<double>(k.leafCount + l0 + l), c);
    }
    positive = positive && c > 0;
  }
  // the bias: the leaves weighted by their counts over the root's, in leaf order
  double e = 0;
  for (size_t l = 0; l < leaves; l++) e += (p[k.leafCount + l0 + l] / p[k.internalCount + n0]) * p[k.leafValue + l0 + l];
  out.expected[t] = e;
  // per node (children after their node: one pass) its depth and the products along its path
  struct Along {
    size_t depth;
    double least, most;
  };
  std::vector<Along> along(nodes);
  along[0] = Along{0, 1, 1};
  bool regular = positive;
  size_t deepest = 0;
  for (size_t j = 0; j < nodes; j++) {
    const double* o = p + k.nodes + kNode * (n0 + j);
    const double w = p[k.internalCount + n0 + j];
    for (size_t side = 2; side <= 3; side++) {
      const auto c = static_cast<long>(o[side]);
      const double cover = c >= 0 ? p[k.internalCount + n0 + static_cast<size_t>(c)] : p[k.leafCount + l0 + static_cast<size_t>(~c)];
      const double r = cover / w;
      out.ratio[entry[slot(o[side], nodes)]] = r;
      const Along a{along[j].depth + 1, along[j].least * r, along[j].most * std::max(r, 1.0)};
      if (c >= 0) along[static_cast<size_t>(c)] = a;
      deepest = std::max(deepest, a.depth);
      regular = regular && a.least >= kLeast && a.most <= kMost;
    }
  }
  out.depth[t] = static_cast<uint32_t>(deepest);
  out.maxDepth = std::max(out.maxDepth, deepest);
  out.regular[t] = regular && deepest <= kDeepest ? 1 : 0;
}

}  // namespace

Status prepare(const double* p, size_t m, Prepared& out, bool shap) {
  Packed k{};
  if (Status s = checkModel(p, m, k); !s.ok()) return s;
  const size_t T = k.trees;
  const auto N = static_cast<size_t>(p[kNodes]);
  const auto L = static_cast<size_t>(p[kLeaves]);
  const auto W = static_cast<size_t>(p[kCatWords]);
  // each tree's nodes and leaves, and the extra leaf: uint32 indices
  const size_t entries = N + L + 1;
  if (entries > kMaxEntries) return mlFault(MlFault::Entry, static_cast<double>(kNodes), p[kNodes]);
  out.trees = T;
  out.perIteration = k.perIteration;
  out.features = k.features;
  out.output = static_cast<int>(p[kOutput]);
  out.sigmoid = p[kSigmoid];
  out.average = p[kAverage] == 1;
  out.nodes.resize(entries);
  out.root.assign(T + 1, 0);
  out.words.resize(W);
  for (size_t w = 0; w < W; w++) out.words[w] = static_cast<uint32_t>(p[k.catWords + w]);
  out.shap = shap;
  if (shap) {
    out.ratio.assign(entries, 1);
    out.expected.assign(T, 0);
    out.regular.assign(T, 0);
    out.depth.assign(T, 0);
    out.maxDepth = 0;
    out.badCovers = T;
    out.coversFault = Status{};
  }
  // the features only categorical splits read: each split's read as feature << 1 | numerical, sorted,
  // so that a feature's last read is numerical when any is
  std::vector<uint64_t> reads(N);
  for (size_t n = 0; n < N; n++) {
    const double* o = p + k.nodes + kNode * n;
    reads[n] = static_cast<uint64_t>(o[0]) << 1 | ((static_cast<int>(o[4]) & 1) != 0 ? 0 : 1);
  }
  std::sort(reads.begin(), reads.end());
  out.categorical.clear();
  for (size_t i = 0; i < N; i++) {
    const bool last = i + 1 == N || reads[i + 1] >> 1 != reads[i] >> 1;
    if (last && (reads[i] & 1) == 0) out.categorical.push_back(static_cast<uint32_t>(reads[i] >> 1));
  }
  const auto F = static_cast<uint32_t>(k.features);
  const auto leaf = [&](uint32_t e, double value) { out.nodes[e] = Node{keyOf(value), 0, F, e * kEntry}; };
  std::vector<uint32_t> entry, size;
  uint32_t base = 0;
  for (size_t t = 0; t < T; t++) {
    const auto n0 = static_cast<size_t>(p[k.treeNode + t]);
    const auto nodes = static_cast<size_t>(p[k.treeNode + t + 1]) - n0;
    const auto l0 = static_cast<size_t>(p[k.treeLeaf + t]);
    const auto c0 = static_cast<size_t>(p[k.treeCat + t]);
    layOut(k, t, base, entry, size);
    out.root[t] = base * kEntry;
    for (size_t l = 0; l <= nodes; l++) leaf(entry[nodes + l], p[k.leafValue + l0 + l]);
    for (size_t j = 0; j < nodes; j++) {
      const double* o = p + k.nodes + kNode * (n0 + j);
      const int type = static_cast<int>(o[4]);
      const bool swap = rightNext(k, t, j);
      const uint32_t other = entry[slot(o[swap ? 2 : 3], nodes)];
      Node node{keyOf(o[1]), 0, static_cast<uint32_t>(o[0]), other * kEntry};
      if ((type & 1) != 0) {
        // its bitset: words [from, to) of the model's (checkModel: in range, fewer than 2^31)
        const size_t idx = c0 + static_cast<size_t>(o[1]);
        const auto from = static_cast<size_t>(p[k.catBounds + idx]);
        const auto count = static_cast<size_t>(p[k.catBounds + idx + 1]) - from;
        // a mask (category c at bit c + 1) when its categories are 0 to 61 and the feature categorical only
        const uint64_t low = count > 0 ? out.words[from] : 0;
        const uint64_t high = count > 1 ? out.words[from + 1] : 0;
        bool small = std::binary_search(out.categorical.begin(), out.categorical.end(), static_cast<uint32_t>(o[0])) &&
                     (high >> (kMaskCategories - 32)) == 0;
        for (size_t w = 2; w < count && small; w++) small = out.words[from + w] == 0;
        node.key = 0;
        node.word = small ? (high << 32 | low) << 1 : from | (static_cast<uint64_t>(count) | uint64_t{1} << 31) << 32;
      } else {
        // LightGBM's Decision: the missing value (0 under Zero, NaN under NaN) takes the default side;
        // a NaN is 0 unless the missing type is NaN; a 0 otherwise compares as 0 <= threshold
        const int missing = (type >> 2) & 3;
        const bool defaultLeft = (type & 2) != 0;
        const bool zeroAsNumber = 0 <= o[1];
        const bool zeroLeft = missing == 1 ? defaultLeft : zeroAsNumber;
        const bool nanLeft = missing == 1 || missing == 2 ? defaultLeft : zeroAsNumber;
        node.word = (zeroLeft ? kZeroLeft : 0) | (nanLeft ? kNanLeft : 0);
        // its right child next: every bit of the decision turned (the walk goes next on a set bit)
        if (swap) node.word ^= kTurned;
      }
      out.nodes[entry[j]] = node;
    }
    if (shap) shapParts(k, t, entry, out);
    base += static_cast<uint32_t>(2 * nodes + 1);
  }
  out.root[T] = base * kEntry;
  leaf(base, 0);
  if (shap) {
    size_t D = 0;
    for (size_t t = 0; t < T; t++) {
      if (out.regular[t] != 0) D = std::max<size_t>(D, out.depth[t]);
    }
    out.tableDepth = D;
    const size_t size = (D + 1) * (D + 1);
    out.up.assign(size, 0);
    out.down.assign(size, 0);
    out.back.assign(size, 0);
    out.away.assign(size, 0);
    for (size_t d = 0; d <= D; d++) {
      const auto d1 = static_cast<double>(d + 1);
      for (size_t i = 0; i <= d; i++) {
        const size_t at = d * (D + 1) + i;
        out.up[at] = static_cast<double>(i + 1) / d1;
        out.down[at] = static_cast<double>(d - i) / d1;
        out.back[at] = d1 / static_cast<double>(i + 1);
        out.away[at] = i < d ? d1 / static_cast<double>(d - i) : 0;
      }
    }
  }
  return Status{};
}

Status checkCall(const Prepared& model, size_t cols, size_t classes, size_t iterations) {
  if (cols != model.features) return mlFault(MlFault::Columns, static_cast<double>(cols), static_cast<double>(model.features));
  if (classes != SIZE_MAX && classes != model.perIteration) {
    return mlFault(MlFault::Classes, static_cast<double>(classes), static_cast<double>(model.perIteration));
  }
  const size_t total = model.trees / model.perIteration;
  if (iterations > total) return mlFault(MlFault::Iterations, static_cast<double>(iterations), static_cast<double>(total));
  return Status{};
}

}  // namespace kernelbus::ml
