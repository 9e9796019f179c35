// The one walk of a prepared model's trees (prepared.hpp), for predictions (lightgbm.cpp) and TreeSHAP
// (treeshap.cpp): LightGBM's Tree::Decision over a row made ready once (readyRow), a step without a
// branch on the data, and several walks advanced together.
//
// A row made ready: its F values' keys (prepared.hpp keyOf), then a NaN's (the slot leaves read), and per
// value a code, the bit of the entry's word that decides (set: the next entry). A numerical feature's
// code is its value's kind: 0 a number (bit 0 is `x <= threshold`, compared by key), 1 a zero (|x| <= kZero, LightGBM's kZeroThreshold) and
// 2 NaN (bits 1 and 2, the flags prepare() sets from the split's missing type and default side). A categorical feature's
// (Prepared::categorical: read by categorical splits only) is 1 + its category (x truncated toward zero) for a category up to 61, else
// 63: the bit of the entry's mask (a category c at bit c + 1; bit 63 set in none). A larger bitset, or
// one on a feature that numerical splits read too, is read from the model's words (the one branch:
// never taken by a model without them; NaN, below 0 after truncation and from 2^31 go right).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "prepared.hpp"

namespace kernelbus::ml {

/// The code of value x of a numerical feature: its kind.
inline uint8_t kindOf(double x) { return x != x ? 2 : (x <= kZero && x >= -kZero ? 1 : 0); }

/// The code of value x of a categorical feature: 1 + its category up to 61, else 63.
inline uint8_t categoryOf(double x) { return x > -1 && x < kMaskCategories ? static_cast<uint8_t>(static_cast<int>(x) + 1) : 63; }

/// The row at x (F values) made ready at `keys` and `codes` (F + 1 each), value f's at [f * S]: the
/// features of `categorical` (C of them) coded by category.
template <size_t S>
inline void readyRow(const double* x, size_t F, const uint32_t* categorical, size_t C, int64_t* keys, uint8_t* codes) {
  for (size_t f = 0; f < F; f++) {
    keys[f * S] = keyOf(x[f]);
    codes[f * S] = kindOf(x[f]);
  }
  for (size_t c = 0; c < C; c++) codes[categorical[c] * S] = categoryOf(x[categorical[c]]);
  keys[F * S] = keyOf(std::numeric_limits<double>::quiet_NaN());
  codes[F * S] = 2;
}

/// Whether a categorical split with a larger bitset (its word: its first word | (its words | 2^31) << 32)
/// sends v left (next: a categorical split's left child is): a category (v truncated toward zero) in the
/// bitset; NaN, v <= -1 and v >= 2^31 go right.
inline uint32_t categoryLeft(const Node& node, const uint32_t* words, double v) {
  if (!(v > -1 && v < 2147483648.0)) return 0;
  const auto category = static_cast<uint32_t>(static_cast<int64_t>(v));
  const auto from = static_cast<uint32_t>(node.word);
  const auto count = static_cast<uint32_t>(node.word >> 32) & kWordsMask;
  const uint32_t word = category >> 5;
  return word < count ? (words[from + word] >> (category & 31)) & 1u : 0u;
}

/// The entry (its byte offset) the walk at entry n goes to for the ready row whose value f's key is at
/// keys[f * S] (its code at codes[f * S]): the next entry or the other child; a leaf's is itself. No
/// branch on the data (GCC makes a branch of a conditional here, mispredicted on half the steps: the
/// child is picked by masks). The other child is fetched while the row's value is compared: the walk's
/// next load is then under way on either side.
template <size_t S>
inline uint32_t step(const Node* nodes, const uint32_t* words, uint32_t n, const int64_t* keys, const uint8_t* codes) {
  const Node& node = entryAt(nodes, n);
  __builtin_prefetch(&entryAt(nodes, node.other));
  const size_t at = static_cast<size_t>(node.feature) * S;
  const int64_t key = keys[at];
  const uint64_t word = node.word ^ static_cast<uint64_t>(key <= node.key);
  uint32_t next = static_cast<uint32_t>(word >> codes[at]) & 1u;
  if ((word >> 63) != 0) next = categoryLeft(node, words, valueOf(key));
  return node.other ^ ((node.other ^ (n + kEntry)) & (0u - next));
}

/// G walks advanced together until each is at its leaf (n: their entries, at the start their trees'
/// roots); walk g reads the ready row at keys + g, codes + g with stride S (S = 1: one row for all).
template <size_t G, size_t S>
inline void walk(const Node* nodes, const uint32_t* words, uint32_t (&n)[G], const int64_t* keys, const uint8_t* codes) {
  for (;;) {
    uint32_t moved = 0;
#pragma GCC unroll 16
    for (size_t g = 0; g < G; g++) {
      const size_t lane = S == 1 ? 0 : g;
      const uint32_t next = step<S>(nodes, words, n[g], keys + lane, codes + lane);
      moved |= next ^ n[g];
      n[g] = next;
    }
    if (moved == 0) return;
  }
}

}  // namespace kernelbus::ml
