// libFuzzer target of the ml family (native/kernels/ml/): packed LightGBM models grown valid (trees of
// 1 to 8 leaves split at random, numerical splits of every missing type and default side, categorical
// ones with bitsets of 1 to 2 words, leaf values and counts), then damaged or not (entries replaced by
// anything: an index out of range, a child pointing back, NaN, a huge count; the length cut or grown),
// walked on rows of every kind (NaN, +-0, values at 1e-35, thresholds, categories negative, unseen or
// past 2^31) by lightgbmPredict and lightgbmContributions with the call's columns, classes and
// iterations right or wrong. Every array is allocated at exactly its length, so a read or write past one
// is an ASan report. fuzz_entries.cpp drives the generated entries with arbitrary arrays (which
// checkModel refuses at once); this target reaches the walks.
// Invariants: no crash, no sanitizer report, no hang; a model grown valid, called right, is accepted; a
// fault is MlModelInvalid; on success every output is written, and (an undamaged model with finite
// leaves) a row's contributions add up to its raw score.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "input.hpp"
#include "invariants.hpp"
#include "ml/ml.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

using Values = std::vector<double>;

/// One tree grown by splitting a random leaf: per node feature, threshold, children, decision type; per
/// leaf its value; the bitsets of its categorical splits; counts per node then per leaf.
struct Tree {
  Values feature, threshold, left, right, type, leaves, counts;
  std::vector<Values> cats;
};

Tree grow(fuzz::Input& in, size_t F) {
  Tree t;
  const size_t leaves = in.in<size_t>(1, 8);
  // parent of each leaf (node, side 0 left / 1 right); -1 the root
  std::vector<std::pair<long, int>> parent{{-1, 0}};
  for (size_t n = 0; n + 1 < leaves; n++) {
    const size_t l = in.in<size_t>(0, n);
    const auto [p, side] = parent[l];
    if (p >= 0) (side == 0 ? t.left : t.right)[static_cast<size_t>(p)] = static_cast<double>(n);
    const bool categorical = in.in<int>(0, 3) == 0;
    t.feature.push_back(static_cast<double>(in.in<size_t>(0, F - 1)));
    if (categorical) {
      t.type.push_back(1 | (in.in<int>(0, 2) << 2));
      t.threshold.push_back(static_cast<double>(t.cats.size()));
      Values words(in.in<size_t>(1, 2));
      for (double& w : words) w = static_cast<double>(in.in<uint32_t>(0, 0xffffffffu));
      t.cats.push_back(words);
    } else {
      t.type.push_back((in.in<int>(0, 2) << 2) | (in.flag() ? 2 : 0));
      const int k = in.in<int>(0, 7);
      t.threshold.push_back(k == 0 ? 0 : k == 1 ? 1e-36 : k == 2 ? -1e-36 : k == 3 ? INFINITY : in.real(-3, 3));
    }
    t.left.push_back(static_cast<double>(~static_cast<long>(l)));
    t.right.push_back(static_cast<double>(~static_cast<long>(n + 1)));
    parent[l] = {static_cast<long>(n), 0};
    parent.push_back({static_cast<long>(n), 1});
  }
  for (size_t l = 0; l < leaves; l++) t.leaves.push_back(in.real(-1, 1));
  // counts as LightGBM's: a leaf's its rows, a node's its children's sum (children come after their node)
  const size_t nodes = leaves - 1;
  t.counts.assign(nodes + leaves, 0);
  for (size_t l = 0; l < leaves; l++) t.counts[nodes + l] = static_cast<double>(in.in<int>(1, 60));
  const auto countOf = [&](double child) {
    return child < 0 ? t.counts[nodes + static_cast<size_t>(~static_cast<long>(child))] : t.counts[static_cast<size_t>(child)];
  };
  for (size_t n = nodes; n-- > 0;) t.counts[n] = countOf(t.left[n]) + countOf(t.right[n]);
  return t;
}

/// The trees packed as src/kernels/ml/ml.ts packLightGbm() lays them out.
Values pack(const std::vector<Tree>& trees, size_t F, size_t K, fuzz::Input& in) {
  size_t N = 0, L = 0, C = 0, W = 0;
  for (const Tree& t : trees) {
    N += t.feature.size();
    L += t.leaves.size();
    C += t.cats.empty() ? 0 : t.cats.size() + 1;
    for (const Values& w : t.cats) W += w.size();
  }
  const size_t T = trees.size();
  const size_t treeNode = ml::kHeader, treeLeaf = treeNode + T + 1, treeCat = treeLeaf + T + 1, nodes = treeCat + T + 1;
  const size_t leafValue = nodes + ml::kNode * N, catBounds = leafValue + L, catWords = catBounds + C;
  const size_t internalCount = catWords + W, leafCount = internalCount + N;
  Values p(leafCount + L);
  p[ml::kVersion] = ml::kPackedVersion;
  p[ml::kTrees] = static_cast<double>(T);
  p[ml::kPerIteration] = static_cast<double>(K);
  p[ml::kFeatures] = static_cast<double>(F);
  p[ml::kOutput] = K > 1 ? in.in<int>(3, 4) : in.in<int>(0, 2);
  p[ml::kSigmoid] = in.flag() ? 1 : 0.7;
  p[ml::kAverage] = in.in<int>(0, 9) == 0 ? 1 : 0;
  p[ml::kNodes] = static_cast<double>(N);
  p[ml::kLeaves] = static_cast<double>(L);
  p[ml::kCatBounds] = static_cast<double>(C);
  p[ml::kCatWords] = static_cast<double>(W);
  size_t n = 0, l = 0, c = 0, w = 0;
  for (size_t i = 0; i < T; i++) {
    const Tree& t = trees[i];
    p[treeNode + i] = static_cast<double>(n);
    p[treeLeaf + i] = static_cast<double>(l);
    p[treeCat + i] = static_cast<double>(c);
    for (size_t j = 0; j < t.feature.size(); j++) {
      double* o = &p[nodes + ml::kNode * (n + j)];
      o[0] = t.feature[j];
      o[1] = t.threshold[j];
      o[2] = t.left[j];
      o[3] = t.right[j];
      o[4] = t.type[j];
      p[internalCount + n + j] = t.counts[j];
    }
    for (size_t j = 0; j < t.leaves.size(); j++) {
      p[leafValue + l + j] = t.leaves[j];
      p[leafCount + l + j] = t.counts[t.feature.size() + j];
    }
    if (!t.cats.empty()) {
      for (const Values& words : t.cats) {
        p[catBounds + c++] = static_cast<double>(w);
        for (double x : words) p[catWords + w++] = x;
      }
      p[catBounds + c++] = static_cast<double>(w);
    }
    n += t.feature.size();
    l += t.leaves.size();
  }
  p[treeNode + T] = static_cast<double>(n);
  p[treeLeaf + T] = static_cast<double>(l);
  p[treeCat + T] = static_cast<double>(c);
  return p;
}

/// Entries replaced by anything (indices off by one or far out, NaN, huge), the length cut or grown.
bool damage(fuzz::Input& in, Values& p) {
  const size_t edits = in.in<int>(0, 3) == 0 ? in.in<size_t>(1, 4) : 0;
  for (size_t e = 0; e < edits; e++) {
    const size_t at = in.in<size_t>(0, p.size() - 1);
    const int k = in.in<int>(0, 5);
    p[at] = k == 0 ? p[at] + 1 : k == 1 ? p[at] - 1 : k == 2 ? -p[at] : k == 3 ? static_cast<double>(p.size()) : in.anyDouble();
  }
  const int resize = in.in<int>(0, 15);
  if (resize == 0) p.pop_back();
  if (resize == 1) p.push_back(in.anyDouble());
  return edits > 0 || resize <= 1;
}

/// A value of a row: normals, NaN, zeros and tiny values, categories of every kind.
double cell(fuzz::Input& in) {
  const int k = in.in<int>(0, 15);
  if (k == 0) return NAN;
  if (k == 1) return in.flag() ? 1e-36 : -1e-36;
  if (k == 2) return in.flag() ? -0.0 : 0.0;
  if (k == 3) return in.anyDouble();
  if (k == 4) return in.flag() ? 2147483648.0 : -0.5;
  if (k < 9) return in.in<int>(-2, 70) + (in.flag() ? 0.3 : 0);
  return in.real(-3, 3);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const size_t F = in.in<size_t>(1, 6);
  const size_t K = in.flag() ? 1 : 3;
  const size_t its = in.in<size_t>(1, 5);
  std::vector<Tree> trees;
  for (size_t t = 0; t < its * K; t++) trees.push_back(grow(in, F));
  Values model = pack(trees, F, K, in);
  const bool damaged = damage(in, model);
  // the call: right, or columns, classes and iterations off
  const int wrong = in.in<int>(0, 7);
  const size_t cols = wrong == 0 ? F + 1 : F;
  const size_t classes = wrong == 1 ? K + 1 : K;
  const size_t iterations = wrong == 2 ? its + 1 : in.in<size_t>(0, its);
  const bool right = wrong > 2;
  const size_t rows = in.in<size_t>(1, 40);
  Values x(rows * cols);
  for (double& v : x) v = cell(in);

  Values raw(rows * classes, NAN);
  const Status s = ml::lightgbmPredict(model.data(), model.size(), x.data(), rows, cols, classes, iterations, true, raw.data());
  require(s.ok() || s.fault == Fault::MlModelInvalid);
  if (!damaged && right) require(s.ok());
  Values out(rows * classes, NAN);
  const Status s2 = ml::lightgbmPredict(model.data(), model.size(), x.data(), rows, cols, classes, iterations, false, out.data());
  require(s2.ok() == s.ok());

  const size_t width = classes * (cols + 1);
  Values phi(rows * width, NAN);
  const Status c = ml::lightgbmContributions(model.data(), model.size(), x.data(), rows, cols, classes, width, iterations, phi.data());
  require(c.ok() || c.fault == Fault::MlModelInvalid);
  if (!damaged && right) {
    require(c.ok());
    // each row's contributions add up to its raw score (leaves in [-1, 1]: an absolute tolerance); with
    // average_output, as LightGBM's (GBDT::PredictContrib does not divide), to the trees' sum
    const double scale = model[ml::kAverage] == 1 ? static_cast<double>(iterations == 0 ? its : iterations) : 1;
    for (size_t r = 0; r < rows; r++) {
      for (size_t k = 0; k < classes; k++) {
        double sum = 0;
        for (size_t f = 0; f <= cols; f++) sum += phi[r * width + k * (cols + 1) + f];
        const double target = raw[r * classes + k] * scale;
        require(std::fabs(sum - target) <= 1e-9 * (1 + std::fabs(target)));
      }
    }
  }
  if (s.ok()) {
    for (double v : raw) require(!std::isnan(v) || damaged);
  }
  return 0;
}
