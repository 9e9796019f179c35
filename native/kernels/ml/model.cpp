// A packed LightGBM model checked whole (reference ml.ts checkModel, its faults in the same order):
// the header, the length its counts make, the trees' starts, each node (feature, threshold, children
// after their node, decision type, a categorical split's bitset, no child already another node's), the
// leaves, the bitsets. Every index the walks read is then in range, every walk ends (a child node comes
// after its node), and each tree is a tree (prepare() lays it out in preorder).
#include <cmath>
#include <cstdint>
#include <vector>

#include "ml.hpp"

namespace kernelbus::ml {

namespace {

constexpr double kMaxCount = 2147483647.0;

/// x an integer in [lo, hi] (|lo|, |hi| < 2^53): the range first, then a round trip through int64_t (two
/// instructions, where std::floor is a libm call in the baseline copy: most of a one-row predict's time).
inline bool isInt(double x, double lo, double hi) { return x >= lo && x <= hi && static_cast<double>(static_cast<int64_t>(x)) == x; }

}  // namespace

Status checkModel(const double* p, size_t m, Packed& out) {
  if (m < kHeader) return mlFault(MlFault::Length, static_cast<double>(kHeader), static_cast<double>(m));
  const auto entry = [&](size_t i) { return mlFault(MlFault::Entry, static_cast<double>(i), p[i]); };
  if (p[kVersion] != kPackedVersion) return entry(kVersion);
  if (!isInt(p[kTrees], 1, kMaxCount)) return entry(kTrees);
  if (!isInt(p[kPerIteration], 1, kMaxCount) || std::fmod(p[kTrees], p[kPerIteration]) != 0) return entry(kPerIteration);
  if (!isInt(p[kFeatures], 1, kMaxCount)) return entry(kFeatures);
  if (!isInt(p[kOutput], 0, 4)) return entry(kOutput);
  if (!(std::isfinite(p[kSigmoid]) && p[kSigmoid] > 0)) return entry(kSigmoid);
  if (!(p[kAverage] == 0 || p[kAverage] == 1)) return entry(kAverage);
  if (!isInt(p[kNodes], 0, kMaxCount)) return entry(kNodes);
  if (!isInt(p[kLeaves], 1, kMaxCount)) return entry(kLeaves);
  if (!isInt(p[kCatBounds], 0, kMaxCount)) return entry(kCatBounds);
  if (!isInt(p[kCatWords], 0, kMaxCount)) return entry(kCatWords);
  if (p[kReserved] != 0) return entry(kReserved);
  const auto T = static_cast<size_t>(p[kTrees]);
  const auto N = static_cast<size_t>(p[kNodes]);
  const auto L = static_cast<size_t>(p[kLeaves]);
  const auto C = static_cast<size_t>(p[kCatBounds]);
  const auto W = static_cast<size_t>(p[kCatWords]);
  Packed k{};
  k.p = p;
  k.treeNode = kHeader;
  k.treeLeaf = k.treeNode + T + 1;
  k.treeCat = k.treeLeaf + T + 1;
  k.nodes = k.treeCat + T + 1;
  k.leafValue = k.nodes + kNode * N;
  k.catBounds = k.leafValue + L;
  k.catWords = k.catBounds + C;
  k.internalCount = k.catWords + W;
  k.leafCount = k.internalCount + N;
  const size_t length = k.leafCount + L;
  if (m != length) return mlFault(MlFault::Length, static_cast<double>(length), static_cast<double>(m));
  // the trees' starts: from 0, ascending, to the counts; a tree's leaves its nodes + 1
  const size_t starts[3] = {k.treeNode, k.treeLeaf, k.treeCat};
  const double totals[3] = {static_cast<double>(N), static_cast<double>(L), static_cast<double>(C)};
  for (int s = 0; s < 3; s++) {
    const size_t start = starts[s];
    if (p[start] != 0) return entry(start);
    for (size_t t = 1; t <= T; t++) {
      const double x = p[start + t];
      if (!isInt(x, p[start + t - 1], totals[s]) || (t == T && x != totals[s])) return entry(start + t);
    }
  }
  for (size_t t = 0; t < T; t++) {
    const double leaves = p[k.treeLeaf + t + 1] - p[k.treeLeaf + t];
    const double nodes = p[k.treeNode + t + 1] - p[k.treeNode + t];
    if (leaves != nodes + 1) return entry(k.treeLeaf + t + 1);
  }
  const double F = p[kFeatures];
  std::vector<uint8_t> taken;  // per node and leaf of the tree: a child of a node before
  for (size_t t = 0; t < T; t++) {
    const auto n0 = static_cast<size_t>(p[k.treeNode + t]);
    const auto nodes = static_cast<size_t>(p[k.treeNode + t + 1]) - n0;
    const double leaves = static_cast<double>(nodes) + 1;
    const double cats = p[k.treeCat + t + 1] - p[k.treeCat + t];
    taken.assign(2 * nodes + 1, 0);
    // a child's place in `taken`: a node's own, a leaf's after the nodes'
    const auto slot = [&](double x) { return x >= 0 ? static_cast<size_t>(x) : nodes + static_cast<size_t>(-x - 1); };
    for (size_t j = 0; j < nodes; j++) {
      const size_t o = k.nodes + kNode * (n0 + j);
      const auto child = [&](double x) {
        return isInt(x, -leaves, static_cast<double>(nodes) - 1) && (x < 0 || x > static_cast<double>(j));
      };
      if (!isInt(p[o], 0, F - 1)) return entry(o);
      if (std::isnan(p[o + 1])) return entry(o + 1);
      if (!child(p[o + 2])) return entry(o + 2);
      if (!child(p[o + 3])) return entry(o + 3);
      if (!isInt(p[o + 4], 0, 15)) return entry(o + 4);
      if ((static_cast<int>(p[o + 4]) & 1) != 0 && !isInt(p[o + 1], 0, cats - 2)) return entry(o + 1);
      for (size_t side = 2; side <= 3; side++) {
        uint8_t& seen = taken[slot(p[o + side])];
        if (seen != 0) return entry(o + side);
        seen = 1;
      }
    }
  }
  for (size_t l = 0; l < L; l++) {
    if (std::isnan(p[k.leafValue + l])) return entry(k.leafValue + l);
  }
  for (size_t t = 0; t < T; t++) {
    const auto c0 = static_cast<size_t>(p[k.treeCat + t]);
    for (auto c = c0; c < static_cast<size_t>(p[k.treeCat + t + 1]); c++) {
      const double lo = c > c0 ? p[k.catBounds + c - 1] : 0;
      if (!isInt(p[k.catBounds + c], lo, static_cast<double>(W))) return entry(k.catBounds + c);
    }
  }
  for (size_t w = 0; w < W; w++) {
    if (!isInt(p[k.catWords + w], 0, 4294967295.0)) return entry(k.catWords + w);
  }
  k.trees = T;
  k.perIteration = static_cast<size_t>(p[kPerIteration]);
  k.features = static_cast<size_t>(F);
  out = k;
  return Status{};
}

}  // namespace kernelbus::ml
