// The ml family's shared C++ (src/kernels/ml/): its fault kinds and the packed LightGBM model's layout
// (ml.ts packedLayout), checked whole (model.cpp) before a model is prepared for its walks
// (prepared.hpp). The kernels are declared by the generated header (generated/ml.hpp) and defined
// beside it: lightgbm.cpp (lightgbmPredict), treeshap.cpp (lightgbmContributions), each over the model
// prepared at the call.
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

/// The packed model checked whole (reference ml.ts checkModel, the faults in its order); `packed` filled
/// when it is good. Every index a walk reads is then in range, and the children make a tree: a child
/// comes after its node, and no node or leaf is the child of two.
Status checkModel(const double* p, size_t m, Packed& packed);

/// LightGBM's kZeroThreshold: 1e-35f as a double.
constexpr double kZero = static_cast<double>(1e-35f);

}  // namespace kernelbus::ml
