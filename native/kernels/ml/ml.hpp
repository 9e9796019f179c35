// The ml family's shared C++ (src/kernels/ml/): its fault kinds and the packed LightGBM model's layout
// (ml.ts packedLayout), checked whole once a call (model.cpp) before the walks read it. The kernels are
// declared by the generated header (generated/ml.hpp) and defined beside it: lightgbm.cpp
// (lightgbmPredict), treeshap.cpp (lightgbmContributions).
#pragma once

#include <cstddef>
#include <cstdint>

#include "generated/ml.hpp"

namespace kernelbus::ml {

/// What is wrong: an MlModelInvalid fault's previous (ml-faults.ts MlFault).
enum class MlFault : int {
  Length = 0,
  Entry = 1,
  Columns = 2,
  Classes = 3,
  Iterations = 4,
  Covers = 5,
  Width = 6,
};

inline Status mlFault(MlFault kind, double index, double value) {
  return Status{Fault::MlModelInvalid, index, value, static_cast<double>(kind)};
}

/// The header's entries and its length (ml.ts H, HEADER); doubles a node: feature, threshold, left, right, decision type.
enum Header : size_t {
  kVersion,
  kTrees,
  kPerIteration,
  kFeatures,
  kOutput,
  kSigmoid,
  kAverage,
  kNodes,
  kLeaves,
  kCatBounds,
  kCatWords,
  kReserved,
  kHeader
};
constexpr size_t kNode = 5;
constexpr double kPackedVersion = 1;

/// A checked packed model: where each part starts (ml.ts packedLayout) and its counts.
struct Packed {
  const double* p;
  size_t trees, perIteration, features;
  size_t treeNode, treeLeaf, treeCat, nodes, leafValue, catBounds, catWords, internalCount, leafCount;
};

/// The model checked whole and the call's columns, classes and iterations against it (reference ml.ts
/// checkModel, the faults in its order); `packed` filled when it is good.
Status checkModel(const double* p, size_t m, size_t cols, size_t classes, size_t iterations, Packed& packed);

/// LightGBM's kZeroThreshold: 1e-35f as a double.
constexpr double kZero = static_cast<double>(1e-35f);

/// The child (a tree-local node, or ~leaf) node n (model-wide) of tree t sends value v to (LightGBM's Tree::Decision).
inline long decide(const Packed& m, size_t t, size_t n, double value) {
  const double* o = m.p + m.nodes + kNode * n;
  double v = value <= kZero && value >= -kZero ? 0 : value;
  const int type = static_cast<int>(o[4]);
  const long left = static_cast<long>(o[2]);
  const long right = static_cast<long>(o[3]);
  if ((type & 1) != 0) {
    if (v != v || v <= -1 || v >= 2147483648.0) return right;
    const auto cat = static_cast<size_t>(v);
    const size_t idx = static_cast<size_t>(m.p[m.treeCat + t] + o[1]);
    const auto from = static_cast<size_t>(m.p[m.catBounds + idx]);
    const auto words = static_cast<size_t>(m.p[m.catBounds + idx + 1]) - from;
    const size_t word = cat / 32;
    const bool in = word < words && ((static_cast<uint32_t>(m.p[m.catWords + from + word]) >> (cat % 32)) & 1u) == 1u;
    return in ? left : right;
  }
  const int missing = (type >> 2) & 3;
  if (v != v && missing != 2) v = 0;
  if ((missing == 1 && v == 0) || (missing == 2 && v != v)) return (type & 2) != 0 ? left : right;
  return v <= o[1] ? left : right;
}

}  // namespace kernelbus::ml
