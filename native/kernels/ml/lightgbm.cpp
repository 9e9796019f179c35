// LightGBM's predictions (reference ml.ts lightgbmPredict): each row's raw score per class the sum, in
// tree order, of its trees' leaf values (tree t adding to class t mod K), then the objective's output;
// over a prepared model (prepared.hpp), walked by walk.hpp.
//
// Many rows: blocks of kBlock rows share out over the pool; a block's rows are made ready in groups of
// kGroup (value f of row g at [f * kGroup + g]), and each tree is walked for every group of the block
// while its nodes are in cache, the kGroup walks of a group advanced together (their loads overlap; no
// branch on the data). One row (and fewer than kGroup): kTrees trees walked together, their leaves then
// added in tree order: no thread, nothing allocated. Each row's sum is in tree order either way: the
// same bits on any thread count.
#include <algorithm>
#include <cmath>
#include <vector>

#include "parallel.hpp"
#include "prepared.hpp"
#include "walk.hpp"

namespace kernelbus::ml {

namespace {

/// Walks advanced together: rows of a block (a group), trees of one row; groups a block. Measured on
/// the bench's model (bench/ml.ts; 2 shared cores): groups of 4 and 6 rows walk alike (~31 ns a walk on
/// one thread), 8 at ~41 (registers spill); 8 trees of one row beat 4, 6, 12 and 16; blocks of 32 to
/// 128 rows alike.
constexpr size_t kGroup = 4;
constexpr size_t kTrees = 8;
constexpr size_t kBlockGroups = 16;
constexpr size_t kBlock = kGroup * kBlockGroups;
/// Features of a row made ready on the stack (more: on the heap).
constexpr size_t kStackFeatures = 512;

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

/// A row's scores (K) finished: averaged over `its` iterations when the model averages, then converted.
void finish(const Prepared& m, double* o, size_t its, bool raw) {
  const size_t K = m.perIteration;
  if (m.average) {
    for (size_t c = 0; c < K; c++) o[c] /= static_cast<double>(its);
  }
  if (!raw) convert(o, K, m.output, m.sigmoid);
}

/// The raw scores of the first `trees` trees for the ready row (keys, codes): kTrees trees walked
/// together (the last group's missing trees wait at the extra leaf), each leaf added in tree order.
void rowScores(const Prepared& m, size_t trees, const int64_t* keys, const uint8_t* codes, double* o) {
  const size_t K = m.perIteration;
  const Node* nodes = m.nodes.data();
  std::fill(o, o + K, 0.0);
  for (size_t t = 0; t < trees; t += kTrees) {
    uint32_t n[kTrees];
    for (size_t g = 0; g < kTrees; g++) n[g] = m.root[t + g < trees ? t + g : m.trees];
    walk<kTrees, 1>(nodes, m.words.data(), n, keys, codes);
    const size_t end = std::min(kTrees, trees - t);
    for (size_t g = 0; g < end; g++) o[(t + g) % K] += valueOf(entryAt(nodes, n[g]).key);
  }
}

/// Rows [begin, end) one at a time (rowScores), their values made ready in `keys` and `codes`.
void fewRows(const Prepared& m, const double* x, size_t begin, size_t end, size_t its, bool raw, double* out, int64_t* keys,
             uint8_t* codes) {
  const size_t F = m.features, K = m.perIteration;
  for (size_t r = begin; r < end; r++) {
    readyRow<1>(x + r * F, F, m.categorical.data(), m.categorical.size(), keys, codes);
    rowScores(m, its * K, keys, codes, out + r * K);
    finish(m, out + r * K, its, raw);
  }
}

/// The block of `rows` rows at x (row r's scores at out + r K): made ready by groups, then each tree
/// walked for every group (the last group's missing rows repeat its first one, their leaves dropped).
void block(const Prepared& m, const double* x, size_t rows, size_t its, bool raw, double* out, int64_t* keys, uint8_t* codes) {
  const size_t F = m.features, K = m.perIteration;
  const size_t trees = its * K;
  const size_t groups = (rows + kGroup - 1) / kGroup;
  const size_t stride = (F + 1) * kGroup;  // a group's ready values
  for (size_t q = 0; q < groups; q++) {
    for (size_t g = 0; g < kGroup; g++) {
      const size_t r = q * kGroup + g < rows ? q * kGroup + g : q * kGroup;
      readyRow<kGroup>(x + r * F, F, m.categorical.data(), m.categorical.size(), keys + q * stride + g, codes + q * stride + g);
    }
  }
  std::fill(out, out + rows * K, 0.0);
  const Node* nodes = m.nodes.data();
  for (size_t t = 0; t < trees; t++) {
    const size_t c = t % K;
    const uint32_t root = m.root[t];
    for (size_t q = 0; q < groups; q++) {
      uint32_t n[kGroup];
      std::fill(n, n + kGroup, root);
      walk<kGroup, kGroup>(nodes, m.words.data(), n, keys + q * stride, codes + q * stride);
      const size_t end = std::min(kGroup, rows - q * kGroup);
      double* o = out + q * kGroup * K + c;
      for (size_t g = 0; g < end; g++) o[g * K] += valueOf(entryAt(nodes, n[g]).key);
    }
  }
  for (size_t r = 0; r < rows; r++) finish(m, out + r * K, its, raw);
}

}  // namespace

Status predict(const Prepared& m, const double* x, size_t rows, size_t cols, size_t iterations, bool raw, double* out) {
  if (Status s = checkCall(m, cols, SIZE_MAX, iterations); !s.ok()) return s;
  const size_t K = m.perIteration;
  const size_t its = iterations == 0 ? m.trees / K : iterations;
  const size_t F = m.features;
  if (rows < kGroup) {
    // a few rows: on this thread, nothing allocated for a row of up to kStackFeatures values
    if (F < kStackFeatures) {
      int64_t keys[kStackFeatures];
      uint8_t codes[kStackFeatures];
      fewRows(m, x, 0, rows, its, raw, out, keys, codes);
    } else {
      std::vector<int64_t> keys(F + 1);
      std::vector<uint8_t> codes(F + 1);
      fewRows(m, x, 0, rows, its, raw, out, keys.data(), codes.data());
    }
    return Status{};
  }
  // at least ~64k tree walks a chunk: fewer cost more to hand to a thread than they save
  const size_t minRows = 1 + (size_t{1} << 16) / (its * K + 1);
  parallelFor(rows, minRows, [&](size_t begin, size_t end) {
    std::vector<int64_t> keys((F + 1) * kBlock);
    std::vector<uint8_t> codes((F + 1) * kBlock);
    for (size_t b = begin; b < end; b += kBlock) {
      const size_t e = std::min(end, b + kBlock);
      block(m, x + b * F, e - b, its, raw, out + b * K, keys.data(), codes.data());
    }
  });
  return Status{};
}

Status lightgbmPredict(const double* model, size_t m, const double* x, size_t rows, size_t cols, size_t classes, size_t iterations,
                       bool raw, double* out) {
  Prepared k;
  if (Status s = prepare(model, m, k, false); !s.ok()) return s;
  if (Status s = checkCall(k, cols, classes, iterations); !s.ok()) return s;
  return predict(k, x, rows, cols, iterations, raw, out);
}

}  // namespace kernelbus::ml
