// A LightGBM model prepared for its walks (docs/ml.md): a packed model (ml.hpp) checked once, then
// copied into compact nodes that the predictions (lightgbm.cpp) and TreeSHAP (treeshap.cpp) walk with no
// check per call. The packed kernels prepare the model at each call; the addon's prepared model
// (native/binding/ml_binding.cc) prepares it once and keeps it.
//
// The nodes: every tree's entries one after another, each tree's in preorder (a node, the subtree of
// one child, the other's), a leaf an entry of its own. The child next to its node is the left one, or
// the right one on a numerical split whose right child has the larger count (more of the training's
// rows went there): the child a walk most often takes is then the next entry, often on the cache line
// the walk has just read. 24 bytes an entry:
//   key      a numerical split's threshold as a key (keyOf: the walk compares integers); a leaf's value
//            as a key (valueOf gives it back); a categorical split's 0 (unread)
//   word     the bits a row's code picks (walk.hpp), a set bit for the next entry: a numerical split's
//            flags (bit 1: a zero goes left, bit 2: NaN does), all three bits turned (kTurned) when its
//            right child is next; a categorical split's mask (category c at bit c + 1) when its
//            categories are below kMaskCategories and its feature is categorical only
//            (Prepared::categorical), else its first word in the model's words | (its words | 2^31) << 32
//            (bit 63 set); a leaf's 0 (every value goes to `other`)
//   feature  the feature the split reads; a leaf reads the row's extra slot (walk.hpp: always NaN)
//   other    the entry of the child that is not next; a leaf's is itself: a walk stays
// An entry is named by its byte offset from the first (a walk's state: no multiply on its path), so a
// model has fewer than 2^32 / 24 entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "entry.hpp"
#include "ml.hpp"

namespace kernelbus::ml {

/// A numerical split's flags (word's bits 1 and 2; bit 0 is where a walk puts `x <= threshold`).
constexpr uint64_t kZeroLeft = 2;  // a value of 0 (|x| <= kZero) goes left
constexpr uint64_t kNanLeft = 4;   // NaN goes left
/// What turns a numerical split's word when its right child is the next entry (a walk's bit 0 is then
/// `x <= threshold` turned too: the walk xors it in).
constexpr uint64_t kTurned = 1 | kZeroLeft | kNanLeft;
/// A larger bitset's words (its word's high half less the 2^31 that marks it).
constexpr uint32_t kWordsMask = 0x7fffffffu;
/// Categories a mask holds: 0 to 61 (bits 1 to 62).
constexpr int kMaskCategories = 62;

/// The key of value x: its bits as an integer in the order of the values (a negative's bits below the
/// sign flipped), so that `x <= t` is `keyOf(x) <= keyOf(t)` for x and t not NaN and x not 0 (a walk
/// decides 0 and NaN by their codes; -0 < 0 here only); its own inverse. A step then compares integers:
/// on its dependent chain an integer load and compare, where doubles wait on the FP unit's longer ones.
inline int64_t keyOf(double x) {
  int64_t b = 0;
  std::memcpy(&b, &x, sizeof b);
  return b ^ static_cast<int64_t>(static_cast<uint64_t>(b >> 63) >> 1);
}

/// The value of key k (keyOf's inverse).
inline double valueOf(int64_t k) {
  const int64_t b = k ^ static_cast<int64_t>(static_cast<uint64_t>(k >> 63) >> 1);
  double x = 0;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

/// An entry (see above).
struct Node {
  int64_t key;
  uint64_t word;
  uint32_t feature;
  uint32_t other;
};
static_assert(sizeof(Node) == 24, "a node is 24 bytes");
/// An entry's size, the step from an entry to the child next to it.
constexpr uint32_t kEntry = sizeof(Node);
/// Entries a model may have (uint32 byte offsets).
constexpr size_t kMaxEntries = UINT32_MAX / kEntry;

/// The entry at byte offset `offset`.
inline const Node& entryAt(const Node* nodes, uint32_t offset) {
  return *reinterpret_cast<const Node*>(reinterpret_cast<const char*>(nodes) + offset);
}

/// A packed model prepared (prepare()). TreeSHAP's parts are there when prepare() was asked for them.
struct Prepared {
  size_t trees = 0, perIteration = 1, features = 0;
  int output = 0;
  double sigmoid = 1;
  bool average = false;
  /// Every tree's entries, then one more: a leaf of value 0 (where a walk of no tree waits).
  std::vector<Node> nodes;
  /// Per tree its root entry (its byte offset); root[trees] is the extra leaf's.
  std::vector<uint32_t> root;
  /// The categorical splits' bitsets (the packed model's words).
  std::vector<uint32_t> words;
  /// The features categorical splits read and no numerical one, ascending (their codes are categories).
  std::vector<uint32_t> categorical;
  // TreeSHAP (prepare(..., true))
  bool shap = false;
  /// Per entry its count over its parent's (the zero fraction's factor; a root's is 1).
  std::vector<double> ratio;
  /// Per tree its expected value (its leaves by their counts over the root's; a single leaf: its value).
  std::vector<double> expected;
  /// Per tree whether the fast TreeSHAP applies (treeshap.cpp: counts > 0 and products in range).
  std::vector<uint8_t> regular;
  /// Per tree the depth of its deepest leaf, and the model's.
  std::vector<uint32_t> depth;
  size_t maxDepth = 0;
  /// The fast TreeSHAP's factors at depth d <= tableDepth (the regular trees' deepest) and i <= d, at
  /// [d * (tableDepth + 1) + i]: (i + 1) / (d + 1), (d - i) / (d + 1), (d + 1) / (i + 1), (d + 1) / (d - i).
  size_t tableDepth = 0;
  std::vector<double> up, down, back, away;
  /// The first tree (in order) with a count TreeSHAP cannot weigh by, and its fault; trees when none.
  size_t badCovers = 0;
  Status coversFault;
};

/// The bytes a prepared model holds.
inline size_t bytesOf(const Prepared& m) {
  return sizeof(Prepared) + m.nodes.size() * sizeof(Node) +
         (m.root.size() + m.words.size() + m.depth.size() + m.categorical.size()) * sizeof(uint32_t) +
         (m.ratio.size() + m.expected.size() + m.up.size() + m.down.size() + m.back.size() + m.away.size()) * sizeof(double) +
         m.regular.size();
}

/// The packed model `p` (m values) checked whole (checkModel's faults) and prepared into `out`; with
/// `shap`, TreeSHAP's parts too.
Status prepare(const double* p, size_t m, Prepared& out, bool shap);

/// A call's columns, classes (SIZE_MAX: not given) and iterations (0: all) against the model, in
/// checkModel's order: Columns, Classes, Iterations.
Status checkCall(const Prepared& model, size_t cols, size_t classes, size_t iterations);

/// rows x classes predictions (raw scores when `raw`) of the first `iterations` iterations (0: all) of
/// the rows x cols at x. The call checked by checkCall() first.
Status predict(const Prepared& model, const double* x, size_t rows, size_t cols, size_t iterations, bool raw, double* out);

/// rows x classes (cols + 1) SHAP values (per class each feature's, then the bias) of the first
/// `iterations` iterations; the model prepared with `shap`. checkCall(), then the counts of the trees used.
Status contributions(const Prepared& model, const double* x, size_t rows, size_t cols, size_t iterations, double* out);

/// The prepared model's entries, as the addon calls them (entry.hpp: the lengths are ArgFaults naming
/// the argument by its position in the JS call (model, x, rows, cols, iterations, raw, out).
inline Outcome predictEntry(const Prepared& model, In x, size_t rows, size_t cols, size_t iterations, bool raw, Out out) {
  if (Outcome o = requireLength(1, x, cells(rows, cols), "rows x cols"); !o.ok()) return o;
  if (Outcome o = requireLength(6, out, cells(rows, model.perIteration)); !o.ok()) return o;
  return predict(model, x.data, rows, cols, iterations, raw, out.data);
}

/// (model, x, rows, cols, iterations, out): out rows x classes (cols + 1).
inline Outcome contributionsEntry(const Prepared& model, In x, size_t rows, size_t cols, size_t iterations, Out out) {
  if (Outcome o = requireLength(1, x, cells(rows, cols), "rows x cols"); !o.ok()) return o;
  if (Outcome o = requireLength(5, out, cells(rows, cells(model.perIteration, plus(cols, 1)))); !o.ok()) return o;
  return contributions(model, x.data, rows, cols, iterations, out.data);
}

}  // namespace kernelbus::ml
