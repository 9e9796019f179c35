// See risk_gram.hpp: the sweeps by register tiles. Each output element [i][j] is held in a register
// while a block of rows t passes, and takes its steps one at a time, t in ascending order, exactly as
// the reference's loop over t (no FMA: -ffp-contract=off rounds each product before the add), so the
// results are the reference's bits at every vector width and on any number of threads.
//
// A tile is kTileRows rows i by K vectors of columns j (4 x 24 with AVX-512, 4 x 8 with AVX2, 4 x 4
// with SSE2 or NEON): per row t, K vector loads of b, one broadcast of a per row i, and a multiply and
// an add per vector, the tile's outputs loaded and stored once per block of kBlockRows rows t (whose
// rows of a and b stay in L2 while every tile of the thread passes over them). One core of an AMD EPYC
// (Zen 4): 36 GFLOP/s with AVX-512 (the row sweep before, 8 rows t by a loop over j: 23), 27 with
// AVX2. Zen 4 spends an FP pipe on each 512-bit broadcast: 4 rows x 3 vectors was the best shape
// measured (4 x 4, 6 x 3, 8 x 2, 3 x 6 and pre-broadcast rows of a were no faster). The EWMA keeps the
// row sweep (ewmaRows): its three products per step bind it by the multiplies, and there the tiles'
// extra work around the diagonal and the last tile cost 4-5%.
// The last tile of a row of tiles ends at column p, over columns an earlier tile has done: it stores
// only the new ones. Rows of a group past p repeat its last row and are not stored. Under the upper
// triangle a row of tiles starts at its first row's diagonal; what it computes below the diagonal (in
// the group's other rows, and the last tile's columns before the new ones) is the same sum (a product
// is the same either way round) and is overwritten by the caller's mirror.
#include "risk_gram.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "parallel.hpp"
#include "simd.hpp"

#if defined(__GNUC__) || defined(__clang__)
#define KERNELBUS_GRAM_TILES 1
#include "vector_abi.hpp"
#else
#define KERNELBUS_GRAM_TILES 0
#endif

namespace kernelbus::risk::detail {
namespace {

// The steps: c the element so far (a double or a vector of them), a = a[t][i], b = b[t][j] (or a
// vector of b[t][j..]), as the reference's loops write them.
struct AddProduct {
  template <class C, class B>
  KERNELBUS_VECTOR_BODY C operator()(const C& c, double a, const B& b, size_t) const {
    return c + a * b;
  }
};
struct EwmaStep {
  double lambda, rest;
  template <class C, class B>
  KERNELBUS_VECTOR_BODY C operator()(const C& c, double a, const B& b, size_t t) const {
    return t == 0 ? C(a * b) : lambda * c + rest * (a * b);
  }
};
struct WeightedStep {
  const double* w;
  template <class C, class B>
  KERNELBUS_VECTOR_BODY C operator()(const C& c, double a, const B& b, size_t t) const {
    return c + w[t] * (a * b);
  }
};

// Every element [i][j] (j >= i when Upper) of the rows i0 .. i1 - 1 updated by step over t = 0..n-1, a
// row of out at a time (what is left to the tiles below: fewer than 4 columns, or no vector extension).
template <bool Upper, typename Step>
void sweepRows(const double* a, const double* b, size_t n, size_t p, double* out, Step step, size_t i0, size_t i1) {
  for (size_t i = i0; i < i1; i++) {
    double* o = out + i * p;
    for (size_t t = 0; t < n; t++) {
      const double ai = a[t * p + i];
      const double* row = b + t * p;
      for (size_t j = Upper ? i : 0; j < p; j++) o[j] = step(o[j], ai, row[j], t);
    }
  }
}

// A tile's rows, and its vectors per row (3 with AVX-512: 4 x 24 elements, 12 registers of the 32).
constexpr size_t kTileRows = 4, kWideVectors = 3;
// Rows t per block: 64 rows of 500 columns are 256 KB, in L2 beside the outputs passing through.
constexpr size_t kBlockRows = 64;

#if KERNELBUS_GRAM_TILES
typedef double V2 __attribute__((vector_size(2 * sizeof(double))));
typedef double V4 __attribute__((vector_size(4 * sizeof(double))));
typedef double V8 __attribute__((vector_size(8 * sizeof(double))));

template <class V>
KERNELBUS_VECTOR_BODY V load(const double* at) {
  V v;
  std::memcpy(&v, at, sizeof v);
  return v;
}

// The tile of rows ib .. ib + rows - 1 and columns jb .. jb + K W - 1 over rows t0 .. t1 - 1; stores
// the columns from `from` on.
template <class V, size_t R, size_t K, class Step>
KERNELBUS_VECTOR_BODY void tile(const double* a, const double* b, size_t p, double* out, Step step, size_t t0, size_t t1, size_t ib,
                                size_t rows, size_t jb, size_t from) {
  constexpr size_t W = sizeof(V) / sizeof(double);
  size_t row[R];
  V acc[R][K];
  for (size_t r = 0; r < R; r++) {
    row[r] = ib + std::min(r, rows - 1);
    for (size_t k = 0; k < K; k++) acc[r][k] = load<V>(out + row[r] * p + jb + k * W);
  }
  for (size_t t = t0; t < t1; t++) {
    const double* at = a + t * p;
    V bt[K];
    for (size_t k = 0; k < K; k++) bt[k] = load<V>(b + t * p + jb + k * W);
    for (size_t r = 0; r < R; r++) {
      const double x = at[row[r]];
      for (size_t k = 0; k < K; k++) acc[r][k] = step(acc[r][k], x, bt[k], t);
    }
  }
  for (size_t r = 0; r < rows; r++) {
    double* o = out + (ib + r) * p + jb;
    if (from == jb) {
      std::memcpy(o, acc[r], sizeof acc[r]);
    } else {
      double lanes[K * W];
      std::memcpy(lanes, acc[r], sizeof acc[r]);
      for (size_t c = from - jb; c < K * W; c++) o[c] = lanes[c];
    }
  }
}

// The row groups `groups` (rows R g .. R g + R - 1) of out over every row t, by tiles K W wide; p >= K W.
template <class V, size_t R, size_t K, bool Upper, class Step>
KERNELBUS_VECTOR_BODY void tileSweep(const double* a, const double* b, size_t n, size_t p, double* out, Step step, const size_t* groups,
                                     size_t count) {
  constexpr size_t C = K * sizeof(V) / sizeof(double);
  for (size_t t0 = 0; t0 < n; t0 += kBlockRows) {
    const size_t t1 = std::min(n, t0 + kBlockRows);
    for (size_t g = 0; g < count; g++) {
      const size_t ib = groups[g] * R, rows = std::min(R, p - ib);
      size_t jb = Upper ? ib : 0;
      for (; jb + C <= p; jb += C) tile<V, R, K>(a, b, p, out, step, t0, t1, ib, rows, jb, jb);
      if (jb < p) tile<V, R, K>(a, b, p, out, step, t0, t1, ib, rows, p - C, jb);
    }
  }
}

// tileSweep compiled for each level with its vector width.
template <bool Upper, class Step>
struct Tiles {
  KERNELBUS_NOINLINE static void baseline(const double* a, const double* b, size_t n, size_t p, double* out, Step step,
                                          const size_t* groups, size_t count) {
    tileSweep<V2, kTileRows, 2, Upper>(a, b, n, p, out, step, groups, count);
  }
#if KERNELBUS_SIMD_DISPATCH
  KERNELBUS_NOINLINE KERNELBUS_TARGET_AVX2 static void avx2(const double* a, const double* b, size_t n, size_t p, double* out, Step step,
                                                            const size_t* groups, size_t count) {
    tileSweep<V4, kTileRows, 2, Upper>(a, b, n, p, out, step, groups, count);
  }
  KERNELBUS_NOINLINE KERNELBUS_TARGET_AVX512 static void avx512(const double* a, const double* b, size_t n, size_t p, double* out,
                                                                Step step, const size_t* groups, size_t count) {
    tileSweep<V8, kTileRows, kWideVectors, Upper>(a, b, n, p, out, step, groups, count);
  }
#endif
  // The widest tiles no wider than p at the level in use (all of them give the same bits): false
  // where p is narrower than every tile.
  static bool run(const double* a, const double* b, size_t n, size_t p, double* out, Step step, const size_t* groups, size_t count) {
#if KERNELBUS_SIMD_DISPATCH
    const simd::Level level = simd::level();
    if (level >= simd::Level::avx512 && p >= 8 * kWideVectors) {
      avx512(a, b, n, p, out, step, groups, count);
      return true;
    }
    if (level >= simd::Level::avx2 && p >= 8) {
      avx2(a, b, n, p, out, step, groups, count);
      return true;
    }
#endif
    if (p < 4) return false;
    baseline(a, b, n, p, out, step, groups, count);
    return true;
  }
};
#endif

// The sweep of a p x p result shared out between the threads by groups of `rows` rows of out, each
// group's rows by `rowsSweep(first, end)`. For the upper triangle, group g goes with group G - 1 - g,
// so that pairs are about equal work.
template <bool Upper, class RowsSweep>
void shareGroups(size_t n, size_t p, size_t rows, RowsSweep rowsSweep) {
  const size_t groups = (p + rows - 1) / rows;
  const size_t units = Upper ? (groups + 1) / 2 : groups;
  parallelFor(units, std::max<size_t>(1, 65536 / (n * p * rows + 1)), [&](size_t begin, size_t end) {
    std::vector<size_t> mine;
    for (size_t q = begin; q < end; q++) {
      mine.push_back(q);
      if (Upper && groups - 1 - q != q) mine.push_back(groups - 1 - q);
    }
    rowsSweep(mine.data(), mine.size());
  });
}

template <bool Upper, class Step>
void sweep(const double* a, const double* b, size_t n, size_t p, double* out, Step step) {
  shareGroups<Upper>(n, p, kTileRows, [&](const size_t* groups, size_t count) {
#if KERNELBUS_GRAM_TILES
    if (Tiles<Upper, Step>::run(a, b, n, p, out, step, groups, count)) return;
#endif
    for (size_t g = 0; g < count; g++)
      sweepRows<Upper>(a, b, n, p, out, step, groups[g] * kTileRows, std::min(p, (groups[g] + 1) * kTileRows));
  });
}

// The EWMA's sweep by rows of out: for each block of 8 rows t, each output row i (of `rows`) takes the
// 8 steps of every element j >= i in turn, the element in a register, the loop over j vectorized. Its
// three products per step bind it by the multiplies either way; the tiles' work below the diagonal and
// past the last new column made them 4-5% slower here (36.5 ms vs 35.2 on one core, 2520 x 500).
KERNELBUS_VECTOR_BODY void ewmaRows(const double* d, size_t n, size_t p, double lambda, double* out, const size_t* rows, size_t count) {
  const EwmaStep step{lambda, 1 - lambda};
  constexpr size_t kRows = 8;
  for (size_t t0 = 0; t0 < n; t0 += kRows) {
    const size_t t1 = std::min(n, t0 + kRows);
    for (size_t r = 0; r < count; r++) {
      const size_t i = rows[r];
      double* __restrict o = out + i * p;
      if (t1 - t0 < kRows) {
        for (size_t t = t0; t < t1; t++) {
          const double ai = d[t * p + i];
          const double* __restrict row = d + t * p;
          for (size_t j = i; j < p; j++) o[j] = step(o[j], ai, row[j], t);
        }
        continue;
      }
      const double* __restrict b = d + t0 * p;
      double a[kRows];
      for (size_t k = 0; k < kRows; k++) a[k] = d[(t0 + k) * p + i];
      for (size_t j = i; j < p; j++) {
        double c = o[j];
        for (size_t k = 0; k < kRows; k++) c = step(c, a[k], b[k * p + j], t0 + k);
        o[j] = c;
      }
    }
  }
}

}  // namespace

void sampleSweep(const double* d, size_t n, size_t p, double* out) { sweep<true>(d, d, n, p, out, AddProduct{}); }

void ewmaSweep(const double* d, size_t n, size_t p, double lambda, double* out) {
  shareGroups<true>(n, p, 1, [&](const size_t* rows, size_t count) { simd::run<ewmaRows>(d, n, p, lambda, out, rows, count); });
}

void weightedSweep(const double* d, size_t n, size_t p, const double* w, double* out) { sweep<true>(d, d, n, p, out, WeightedStep{w}); }

void crossSweep(const double* a, const double* b, size_t n, size_t p, double* out) {
  std::fill(out, out + p * p, 0.0);
  sweep<false>(a, b, n, p, out, AddProduct{});
}

}  // namespace kernelbus::risk::detail
