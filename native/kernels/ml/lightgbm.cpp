// LightGBM's predictions over a packed model (reference ml.ts lightgbmPredict): each row's raw score per
// class the sum, in tree order, of its trees' leaf values (tree t adding to class t mod K), then the
// objective's output. Rows share out over the pool; a chunk's rows go through the trees in blocks, each
// tree walked for every row of a block while its nodes are in cache (each row's sum in tree order: the
// same bits on any thread count and block size).
#include <algorithm>
#include <cmath>
#include <vector>

#include "ml.hpp"
#include "parallel.hpp"

namespace kernelbus::ml {

namespace {

/// Rows a block walks a tree for.
constexpr size_t kBlock = 32;

/// The leaf value tree t gives the row at x.
double treeValue(const Packed& m, size_t t, const double* x) {
  const auto n0 = static_cast<size_t>(m.p[m.treeNode + t]);
  const auto l0 = static_cast<size_t>(m.p[m.treeLeaf + t]);
  if (static_cast<size_t>(m.p[m.treeNode + t + 1]) == n0) return m.p[m.leafValue + l0];
  long node = 0;
  while (node >= 0) {
    const size_t n = n0 + static_cast<size_t>(node);
    node = decide(m, t, n, x[static_cast<size_t>(m.p[m.nodes + kNode * n])]);
  }
  return m.p[m.leafValue + l0 + static_cast<size_t>(~node)];
}

/// Raw scores into the output as the objective gives them (ml.ts OUTPUTS: 1 exp, 2 and 4 a sigmoid, 3 softmax).
void convert(double* o, size_t K, int output, double sigmoid) {
  if (output == 1) {
    for (size_t k = 0; k < K; k++) o[k] = std::exp(o[k]);
  } else if (output == 2 || output == 4) {
    for (size_t k = 0; k < K; k++) o[k] = 1 / (1 + std::exp(-sigmoid * o[k]));
  } else if (output == 3) {
    double max = o[0];
    for (size_t k = 1; k < K; k++) max = std::max(o[k], max);
    double sum = 0;
    for (size_t k = 0; k < K; k++) {
      o[k] = std::exp(o[k] - max);
      sum += o[k];
    }
    for (size_t k = 0; k < K; k++) o[k] /= sum;
  }
}

}  // namespace

Status lightgbmPredict(const double* model, size_t m, const double* x, size_t rows, size_t cols, size_t classes, size_t iterations,
                       bool raw, double* out) {
  Packed k{};
  if (Status s = checkModel(model, m, cols, classes, iterations, k); !s.ok()) return s;
  const size_t K = k.perIteration;
  const size_t its = iterations == 0 ? k.trees / K : iterations;
  const size_t trees = its * K;
  const bool average = model[kAverage] == 1;
  const int output = static_cast<int>(model[kOutput]);
  const double sigmoid = model[kSigmoid];
  // at least ~64k tree walks a chunk: fewer cost more to hand to a thread than they save
  parallelFor(rows, 1 + (size_t{1} << 16) / (trees + 1), [&](size_t begin, size_t end) {
    for (size_t b = begin; b < end; b += kBlock) {
      const size_t e = std::min(end, b + kBlock);
      std::fill(out + b * K, out + e * K, 0.0);
      for (size_t t = 0; t < trees; t++) {
        const size_t c = t % K;
        for (size_t r = b; r < e; r++) out[r * K + c] += treeValue(k, t, x + r * cols);
      }
      for (size_t r = b; r < e; r++) {
        double* o = out + r * K;
        if (average) {
          for (size_t c = 0; c < K; c++) o[c] /= static_cast<double>(its);
        }
        if (!raw) convert(o, K, output, sigmoid);
      }
    }
  });
  return Status{};
}

}  // namespace kernelbus::ml
