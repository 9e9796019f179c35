// SHAP values of a prepared LightGBM model (reference ml.ts lightgbmContributions: LightGBM's
// Tree::PredictContrib and TreeSHAP, Lundberg et al.'s polynomial-time algorithm): per row and class
// each feature's contribution then the bias (each tree's expected value by its leaf counts, prepared
// once). The path of the features met from the root is extended at each node, a feature met again
// unwound first, and at a leaf each path feature's weight times its one- less its zero-fraction times
// the leaf's value is added to its contribution. Rows share out over the pool, each thread its own path.
//
// Two leaf steps, the same values up to rounding. `exact`: the reference's operations, in its order (a
// tree whose counts are not all > 0, or whose paths' count ratios could underflow or overflow: its NaN
// and infinities are the reference's). `fast` (Fast TreeSHAP v1, Yang 2021, here from the one-fractions
// being 0 or 1): of the path's weights only the first top + 1 can be nonzero (top: the features the row
// follows, "hot"), so every loop stops there; each "cold" feature (the row goes the other way) gets the
// same contribution, -v sum_k w[k] (d + 1) / (d - k), computed once; and the divisions by the depth
// are multiplications by factors prepared once (Prepared::up, down, back, away). A leaf then costs
// O(top^2 + d) rather than O(d^2) and no division.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "parallel.hpp"
#include "prepared.hpp"
#include "walk.hpp"

namespace kernelbus::ml {

namespace {

/// A path element: its feature (kNoFeature: the root's), zero and one fractions, and its weight.
struct Element {
  double zero, one, weight;
  uint32_t feature;
};
constexpr uint32_t kNoFeature = UINT32_MAX;

/// What the walks of one row and tree share: the row, its contributions, the path, and the fast leaf
/// step's scratch (per hot feature its zero fraction and its chain's total: maxDepth + 2 each).
struct Walk {
  const Prepared& m;
  const int64_t* keys;
  const uint8_t* codes;
  double* phi;
  Element* path;
  double *zero, *total;
};

// ---- the reference's operations (ml.ts extend, unwind, unwoundSum), in its order

void extend(Element* q, size_t depth, double zero, double one, uint32_t feature) {
  q[depth] = Element{zero, one, depth == 0 ? 1.0 : 0.0, feature};
  const auto d1 = static_cast<double>(depth + 1);
  for (size_t i = depth; i-- > 0;) {
    q[i + 1].weight += (one * q[i].weight * static_cast<double>(i + 1)) / d1;
    q[i].weight = (zero * q[i].weight * static_cast<double>(depth - i)) / d1;
  }
}

void unwind(Element* q, size_t depth, size_t index) {
  const double one = q[index].one;
  const double zero = q[index].zero;
  double next = q[depth].weight;
  const auto d1 = static_cast<double>(depth + 1);
  for (size_t i = depth; i-- > 0;) {
    if (one != 0) {
      const double tmp = q[i].weight;
      q[i].weight = (next * d1) / (static_cast<double>(i + 1) * one);
      next = tmp - (q[i].weight * zero * static_cast<double>(depth - i)) / d1;
    } else {
      q[i].weight = (q[i].weight * d1) / (zero * static_cast<double>(depth - i));
    }
  }
  for (size_t i = index; i < depth; i++) {
    q[i].feature = q[i + 1].feature;
    q[i].zero = q[i + 1].zero;
    q[i].one = q[i + 1].one;
  }
}

double unwoundSum(const Element* q, size_t depth, size_t index) {
  const double one = q[index].one;
  const double zero = q[index].zero;
  double next = q[depth].weight;
  double total = 0;
  const auto d1 = static_cast<double>(depth + 1);
  for (size_t i = depth; i-- > 0;) {
    if (one != 0) {
      const double tmp = (next * d1) / (static_cast<double>(i + 1) * one);
      total += tmp;
      next = q[i].weight - tmp * zero * (static_cast<double>(depth - i) / d1);
    } else {
      total += q[i].weight / zero / (static_cast<double>(depth - i) / d1);
    }
  }
  return total;
}

/// The children of entry n for the row: the one it goes to (hot) and the other.
inline void children(const Walk& w, uint32_t n, uint32_t& hot, uint32_t& cold) {
  hot = step<1>(w.m.nodes.data(), w.m.words.data(), n, w.keys, w.codes);
  cold = hot == n + kEntry ? entryAt(w.m.nodes.data(), n).other : n + kEntry;
}

/// The position of the split's feature on the path (1..depth), 0 when it is not there.
inline size_t findFeature(const Element* q, size_t depth, uint32_t feature) {
  for (size_t k = 1; k <= depth; k++) {
    if (q[k].feature == feature) return k;
  }
  return 0;
}

/// TreeSHAP (LightGBM's Tree::TreeSHAP) from entry n, operation for operation as the reference.
void exact(const Walk& w, uint32_t n, size_t depth, size_t parent, double zero, double one, uint32_t feature) {
  const size_t here = parent + depth;
  Element* q = w.path + here;
  if (depth > 0) std::copy(w.path + parent, w.path + parent + depth, q);
  extend(q, depth, zero, one, feature);
  const Node& node = entryAt(w.m.nodes.data(), n);
  if (node.other == n) {
    for (size_t i = 1; i <= depth; i++) {
      const double s = unwoundSum(q, depth, i);
      w.phi[q[i].feature] += s * (q[i].one - q[i].zero) * valueOf(node.key);
    }
    return;
  }
  uint32_t hot = 0, cold = 0;
  children(w, n, hot, cold);
  double inZero = 1;
  double inOne = 1;
  size_t d = depth;
  if (const size_t k = findFeature(q, d, node.feature); k != 0) {
    inZero = q[k].zero;
    inOne = q[k].one;
    unwind(q, d, k);
    d -= 1;
  }
  exact(w, hot, d + 1, here, w.m.ratio[hot / kEntry] * inZero, inOne, node.feature);
  exact(w, cold, d + 1, here, w.m.ratio[cold / kEntry] * inZero, 0, node.feature);
}

// ---- the fast leaf step: the weights above `top` are 0, the one-fractions 0 or 1

/// The leaf step at path q (depth elements after the root's, the weights nonzero up to `top`) of a leaf
/// of value v: each cold feature's contribution, the same for all, -v sum_k w[k] (d + 1) / (d - k); the
/// hot ones' unwound sums (unwoundSum's chain from w[top] down) advanced together, then each
/// contribution added in path order.
void fastLeaf(const Walk& w, const Element* q, size_t depth, size_t top, double v) {
  const Prepared& m = w.m;
  const size_t row = depth * (m.tableDepth + 1);
  const double* back = m.back.data() + row;
  const double* down = m.down.data() + row;
  double cold = 0;
  if (top < depth) {
    const double* away = m.away.data() + row;
    double sum = 0;
    for (size_t k = top + 1; k-- > 0;) sum += q[k].weight * away[k];
    cold = -sum * v;
  }
  double* __restrict zero = w.zero;
  double* __restrict total = w.total;
  // (no branch on hot or cold: mispredicted on half the elements)
  size_t hot = 0;
  for (size_t i = 1; i <= depth; i++) {
    zero[hot] = q[i].zero;
    hot += q[i].one != 0 ? 1 : 0;
  }
  // kLanes chains at a time, in registers (through memory, a store and a load would join each step)
  constexpr size_t kLanes = 4;
  for (size_t j0 = 0; j0 < hot; j0 += kLanes) {
    double z[kLanes], n[kLanes], t[kLanes];
    for (size_t j = 0; j < kLanes; j++) {
      z[j] = j0 + j < hot ? zero[j0 + j] : 0;
      n[j] = q[top].weight;
      t[j] = 0;
    }
    for (size_t k = top; k-- > 0;) {
      const double c = back[k], e = down[k], weight = q[k].weight;
      for (size_t j = 0; j < kLanes; j++) {
        const double tmp = n[j] * c;
        t[j] += tmp;
        n[j] = weight - tmp * z[j] * e;
      }
    }
    for (size_t j = 0; j < kLanes && j0 + j < hot; j++) total[j0 + j] = t[j];
  }
  for (size_t i = 1, j = 0; i <= depth; i++) {
    const size_t isHot = q[i].one != 0 ? 1 : 0;
    const double pick[2] = {cold, total[j] * (1 - zero[j]) * v};
    w.phi[q[i].feature] += pick[isHot];
    j += isHot;
  }
}

/// TreeSHAP from entry n as exact(), its weights nonzero up to `top` (the hot features on the path).
void fast(const Walk& w, uint32_t n, size_t depth, size_t parent, double zero, bool one, uint32_t feature, size_t top) {
  const Prepared& m = w.m;
  const size_t here = parent + depth;
  Element* q = w.path + here;
  if (depth > 0) std::copy(w.path + parent, w.path + parent + depth, q);
  // extend: the element, then each weight (up to top) moved by its fractions
  q[depth] = Element{zero, one ? 1.0 : 0.0, depth == 0 ? 1.0 : 0.0, feature};
  const size_t row = depth * (m.tableDepth + 1);
  if (depth > 0) {
    const double* up = m.up.data() + row;
    const double* down = m.down.data() + row;
    for (size_t i = top + 1; i-- > 0;) {
      if (one) q[i + 1].weight += q[i].weight * up[i];
      q[i].weight = zero * q[i].weight * down[i];
    }
    if (one) top++;
  }
  const Node& node = entryAt(m.nodes.data(), n);
  if (node.other == n) {
    fastLeaf(w, q, depth, top, valueOf(node.key));
    return;
  }
  uint32_t hot = 0, coldChild = 0;
  children(w, n, hot, coldChild);
  double inZero = 1;
  bool inOne = true;
  size_t d = depth;
  if (const size_t k = findFeature(q, d, node.feature); k != 0) {
    // unwind element k: its weights out (up to top), the elements after it moved down
    inZero = q[k].zero;
    inOne = q[k].one != 0;
    const double* back = m.back.data() + row;
    const double* down = m.down.data() + row;
    if (inOne) {
      double next = q[top].weight;
      for (size_t i = top; i-- > 0;) {
        const double tmp = q[i].weight;
        q[i].weight = next * back[i];
        next = tmp - q[i].weight * inZero * down[i];
      }
      q[top].weight = 0;
      top--;
    } else {
      const double* away = m.away.data() + row;
      for (size_t i = top + 1; i-- > 0;) q[i].weight = q[i].weight * away[i] / inZero;
    }
    for (size_t i = k; i < d; i++) {
      q[i].feature = q[i + 1].feature;
      q[i].zero = q[i + 1].zero;
      q[i].one = q[i + 1].one;
    }
    d -= 1;
  }
  fast(w, hot, d + 1, here, m.ratio[hot / kEntry] * inZero, inOne, node.feature, top);
  fast(w, coldChild, d + 1, here, m.ratio[coldChild / kEntry] * inZero, false, node.feature, top);
}

}  // namespace

Status contributions(const Prepared& m, const double* x, size_t rows, size_t cols, size_t iterations, double* out) {
  if (Status s = checkCall(m, cols, SIZE_MAX, iterations); !s.ok()) return s;
  const size_t K = m.perIteration;
  const size_t F = m.features;
  const size_t width = K * (F + 1);
  const size_t trees = (iterations == 0 ? m.trees / K : iterations) * K;
  if (m.badCovers < trees) return m.coversFault;
  const size_t size = (m.maxDepth + 2) * (m.maxDepth + 3) / 2;
  std::fill(out, out + rows * width, 0.0);
  parallelFor(rows, 1 + (size_t{1} << 12) / (trees + 1), [&](size_t begin, size_t end) {
    std::vector<Element> path(size);
    std::vector<double> scratch(2 * (m.maxDepth + 2));
    std::vector<int64_t> keys(F + 1);
    std::vector<uint8_t> codes(F + 1);
    for (size_t r = begin; r < end; r++) {
      readyRow<1>(x + r * F, F, m.categorical.data(), m.categorical.size(), keys.data(), codes.data());
      for (size_t t = 0; t < trees; t++) {
        double* phi = out + r * width + (t % K) * (F + 1);
        phi[F] += m.expected[t];
        if (m.depth[t] == 0) continue;
        double* s = scratch.data();
        const Walk w{m, keys.data(), codes.data(), phi, path.data(), s, s + m.maxDepth + 2};
        if (m.regular[t] != 0) {
          fast(w, m.root[t], 0, 0, 1, true, kNoFeature, 0);
        } else {
          exact(w, m.root[t], 0, 0, 1, 1, kNoFeature);
        }
      }
    }
  });
  return Status{};
}

Status lightgbmContributions(const double* model, size_t m, const double* x, size_t rows, size_t cols, size_t classes, size_t width,
                             size_t iterations, double* out) {
  Prepared k;
  if (Status s = prepare(model, m, k, true); !s.ok()) return s;
  if (Status s = checkCall(k, cols, classes, iterations); !s.ok()) return s;
  const size_t K = k.perIteration;
  if (width != K * (k.features + 1)) return mlFault(MlFault::Width, static_cast<double>(width), static_cast<double>(K * (k.features + 1)));
  return contributions(k, x, rows, cols, iterations, out);
}

}  // namespace kernelbus::ml
